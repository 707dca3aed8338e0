/**
 * Writing EBML (the binary format under Matroska and WebM): element IDs, variable-length sizes,
 * and elements of known size built as lists of byte pieces, so that nesting never copies a
 * payload — bytes are copied once, by `flatten`, into the finished file.
 */

/** Bytes held as pieces (never copied while elements are nested), and their total length. */
export interface Pieces {
  parts: Uint8Array[];
  length: number;
}

export type Body = Uint8Array | Pieces;

/** An element ID's bytes: IDs are written as they are spelled, marker bits included (0x1A45DFA3). */
export function idBytes(id: number): Uint8Array {
  const width = id >= 0x1000000 ? 4 : id >= 0x10000 ? 3 : id >= 0x100 ? 2 : 1;
  return uintBytes(id, width);
}

/** An unsigned integer big-endian in `width` bytes (by default the fewest, at least 1). */
export function uintBytes(v: number, width = 0): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`ebml: ${v} is not an unsigned integer`);
  if (width === 0) for (width = 1; width < 8 && v >= 2 ** (8 * width); width++);
  if (width < 8 && v >= 2 ** (8 * width)) throw new Error(`ebml: ${v} does not fit in ${width} bytes`);
  const out = new Uint8Array(width);
  // division, not shifts: JS shifts are 32-bit and sizes may pass 4 GiB
  for (let i = width - 1, x = v; i >= 0; i--, x = Math.floor(x / 256)) out[i] = x % 256;
  return out;
}

/**
 * An element data size as an EBML variable-length integer: the fewest bytes n whose 7n value bits
 * hold it. All value bits set means "unknown size", so an n-byte size holds at most 2^(7n) − 2.
 */
export function sizeBytes(size: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`ebml: bad element size ${size}`);
  let n = 1;
  while (size > 2 ** (7 * n) - 2) n++;
  if (n > 8) throw new Error(`ebml: element size ${size} is too large`);
  const out = uintBytes(size, n);
  out[0] |= 0x80 >> (n - 1); // the length marker: n − 1 zero bits, then a one
  return out;
}

function pieces(body: Body): Pieces {
  return body instanceof Uint8Array ? { parts: [body], length: body.length } : body;
}

/** Pieces end to end. */
export function join(bodies: Body[]): Pieces {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const b of bodies) {
    const p = pieces(b);
    for (const part of p.parts) parts.push(part);
    length += p.length;
  }
  return { parts, length };
}

/** A master or binary element of known size: ID, size, then the children's bytes. */
export function element(id: number, ...children: Body[]): Pieces {
  const body = join(children);
  return join([idBytes(id), sizeBytes(body.length), body]);
}

export function uintElement(id: number, v: number, width = 0): Pieces {
  return element(id, uintBytes(v, width));
}

/** A float element, written as a float64. */
export function floatElement(id: number, v: number): Pieces {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  return element(id, b);
}

export function stringElement(id: number, s: string): Pieces {
  return element(id, new TextEncoder().encode(s));
}

/** The pieces copied into one array. */
export function flatten(body: Body): Uint8Array {
  const p = pieces(body);
  const out = new Uint8Array(p.length);
  let at = 0;
  for (const part of p.parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
