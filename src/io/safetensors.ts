/**
 * The safetensors format (Hugging Face), read without a dependency:
 *   bytes 0..8     N, the header's length (unsigned 64-bit little-endian)
 *   bytes 8..8+N   a JSON object: { "NAME": { "dtype": "F32", "shape": [..], "data_offsets": [a, b] }, …,
 *                  optionally "__metadata__": { string: string } }
 *   bytes 8+N..    the data; tensor NAME is bytes [8+N+a, 8+N+b), row-major, little-endian
 * Tensors must not overlap and must lie inside the file; b − a must equal numel × item size.
 */
import { WeightsError } from '../model/weights.js';

/** Item sizes of the dtypes the format defines (we decode F32, F16 and BF16). */
const DTYPE_SIZE: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
export const FLOAT_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type FloatDtype = (typeof FLOAT_DTYPES)[number];

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  start: number;
  end: number;
}

/** The largest header read: a network's few hundred tensors take kilobytes (timm's VGG19: 3 KB). */
export const MAX_HEADER_BYTES = 16 * 2 ** 20;
/** The deepest nesting a header needs: an object of objects holding arrays (3); more is refused before parsing. */
const MAX_HEADER_DEPTH = 8;

/** Could these first bytes start a safetensors file: a header length in range, then "{"? (format detection) */
export function looksLikeSafetensors(head: Uint8Array, fileSize: number | null): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
  return n >= 2 && n <= MAX_HEADER_BYTES && (fileSize === null || 8 + n <= fileSize);
}

/** Header length from the first 8 bytes; throws if it cannot be a safetensors header. */
export function safetensorsHeaderLength(first8: Uint8Array, file: string, fileSize: number | null): number {
  if (first8.length < 8) throw new WeightsError(file, `truncated: ${first8.length} bytes, a safetensors file starts with an 8-byte header length`);
  const n = Number(new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true));
  if (n < 2) throw new WeightsError(file, `not a safetensors file (header length ${n})`);
  if (n > MAX_HEADER_BYTES) throw new WeightsError(file, `safetensors header of ${n} bytes is larger than the ${MAX_HEADER_BYTES} a weights file needs`);
  if (fileSize !== null && 8 + n > fileSize) throw new WeightsError(file, `truncated header: it declares ${n} bytes but the file has ${fileSize - 8} after the length`);
  return n;
}

/** Parse and check the JSON header (`json` = bytes 8..8+N). */
export function parseSafetensorsHeader(json: Uint8Array, file: string, fileSize: number | null): SafetensorsEntry[] {
  // nesting, counted outside strings before JSON.parse sees it
  let depth = 0, inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_HEADER_DEPTH) throw new WeightsError(file, `safetensors header nests deeper than ${MAX_HEADER_DEPTH} levels (a header needs 3)`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(json));
  } catch (e) {
    throw new WeightsError(file, `truncated or corrupt safetensors header (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new WeightsError(file, 'safetensors header is not a JSON object');
  const base = 8 + json.length;
  const entries: SafetensorsEntry[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const size = DTYPE_SIZE[String(t?.dtype)];
    if (!size) throw new WeightsError(file, `tensor "${name}" has unknown dtype ${t?.dtype === undefined ? '(none)' : JSON.stringify(t.dtype)}`);
    const shape = t.shape, off = t.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new WeightsError(file, `tensor "${name}" has a bad shape ${shape === undefined ? '(none)' : JSON.stringify(shape)}`);
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) {
      throw new WeightsError(file, `tensor "${name}" has bad data_offsets ${off === undefined ? '(none)' : JSON.stringify(off)}`);
    }
    const numel = shape.reduce((a: number, b: number) => a * b, 1);
    if (off[1] - off[0] !== numel * size) {
      throw new WeightsError(file, `tensor "${name}": ${off[1] - off[0]} bytes for shape [${shape}] of ${t.dtype} (needs ${numel * size})`);
    }
    entries.push({ name, dtype: String(t.dtype), shape: [...shape], start: base + off[0], end: base + off[1] });
  }
  // an empty tensor (shape [0], data_offsets [a, a]) holds no byte, so it overlaps nothing
  entries.sort((a, b) => a.start - b.start || a.end - b.end);
  let prev: SafetensorsEntry | undefined, last: SafetensorsEntry | undefined;
  for (const e of entries) {
    if (e.end === e.start) continue;
    if (prev && e.start < prev.end) throw new WeightsError(file, `tensors "${prev.name}" and "${e.name}" overlap`);
    prev = e;
  }
  for (const e of entries) if (!last || e.end > last.end) last = e;
  if (last && fileSize !== null && last.end > fileSize) {
    throw new WeightsError(file, `truncated: tensor "${last.name}" ends at byte ${last.end} but the file has ${fileSize}`);
  }
  return entries;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A float tensor's bytes → float32 values. */
export function decodeFloats(bytes: Uint8Array, dtype: string, file: string, name: string): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    // one copy on little-endian machines (all that run WebGPU in practice); byte by byte otherwise
    if (LITTLE_ENDIAN) return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    const out = new Float32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true);
    return out;
  }
  if (dtype === 'F16' || dtype === 'BF16') {
    const out = new Float32Array(bytes.length / 2);
    if (dtype === 'F16') for (let i = 0; i < out.length; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
    else {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = dv.getUint16(i * 2, true) << 16;
    }
    return out;
  }
  throw new WeightsError(file, `tensor "${name}" has dtype ${dtype}; expected F32, F16 or BF16`);
}

/** IEEE half → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** number → IEEE half bits, rounded to nearest even (overflow → ±Inf). */
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);
export function floatToHalf(x: number): number {
  scratchF32[0] = x;
  const b = scratchU32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}
