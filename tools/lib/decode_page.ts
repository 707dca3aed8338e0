/**
 * Loaded into a headless page (no WebGPU) when the engine runs in Node: decodes the job's images
 * with the browser's own decoders (PNG, JPEG, WebP, EXIF rotation, 16-bit, CMYK, colour profiles)
 * and draws them at the sizes the engine asks for — the same code the page engine and the demo use,
 * so a picture is the same pixels wherever the engine runs.
 */
import { decodeImage, rasterize } from '../../src/io/decode.js';
import { toBase64 } from './base64.js';

const bitmaps = new Map<number, ImageBitmap>();
let next = 0;

const api = {
  /** Decode a served file; throws ImageDecodeError naming `what`. */
  async open(url: string, what: string): Promise<{ id: number; width: number; height: number }> {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${what}: could not be read (${r.status})`);
    const bitmap = await decodeImage(what, await r.blob());
    const id = next++;
    bitmaps.set(id, bitmap);
    return { id, width: bitmap.width, height: bitmap.height };
  },
  /** The picture drawn at width×height over white, RGBA as base64. */
  rasterize(id: number, width: number, height: number): string {
    const b = bitmaps.get(id);
    if (!b) throw new Error(`no decoded image ${id}`);
    return toBase64(rasterize(b, width, height).data as Uint8Array);
  },
};

(globalThis as unknown as { nstDecode: typeof api }).nstDecode = api;
export type DecodeApi = typeof api;
