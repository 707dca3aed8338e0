/**
 * Results crossing from the headless page to Node (page.evaluate returns JSON): typed arrays go
 * as base64 markers and come back as the same typed arrays, so both engines (in Node, in the
 * page) hand the tools the same values. Only the Chromium engine pays for it.
 */
import { toBase64 } from './base64.js';

type Marker = { __bytes: string; type: 'u8' | 'f32' };

const isMarker = (v: unknown): v is Marker => !!v && typeof v === 'object' && typeof (v as Marker).__bytes === 'string';

/** In the page: typed arrays (at any depth) as base64 markers. */
export function toWire(v: unknown): unknown {
  if (v instanceof Uint8Array) return { __bytes: toBase64(v), type: 'u8' };
  if (v instanceof Float32Array) return { __bytes: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)), type: 'f32' };
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  return v;
}

/** In Node: the markers back as typed arrays. */
export function fromWire<T>(v: unknown): T {
  if (isMarker(v)) {
    const b = Buffer.from(v.__bytes, 'base64');
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return (v.type === 'f32' ? new Float32Array(bytes.slice().buffer) : bytes) as T;
  }
  if (Array.isArray(v)) return v.map((x) => fromWire(x)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)])) as T;
  return v as T;
}
