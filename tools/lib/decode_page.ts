/**
 * Loaded into a headless page (no WebGPU) when the engine runs in Node: decodes the job's images
 * with the browser's own decoders (PNG, JPEG, WebP, EXIF rotation, 16-bit, CMYK, colour profiles)
 * and draws them at the sizes the engine asks for — the same code (bitmapPicture) the page engine and the demo use,
 * so a picture is the same pixels wherever the engine runs.
 */
import { bitmapPicture, decodeImage, type Picture } from '../../src/io/decode.js';
import { toBase64 } from './base64.js';

const pictures = new Map<number, Picture>();
let next = 0;

const api = {
  /** Decode a served file; throws ImageDecodeError naming `what`. */
  async open(url: string, what: string): Promise<{ id: number; width: number; height: number }> {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${what}: could not be read (${r.status})`);
    const bitmap = await decodeImage(what, await r.blob());
    const id = next++;
    pictures.set(id, bitmapPicture(bitmap));
    return { id, width: bitmap.width, height: bitmap.height };
  },
  /** The picture drawn at width×height over white, RGBA as base64. */
  async rasterize(id: number, width: number, height: number): Promise<string> {
    const p = pictures.get(id);
    if (!p) throw new Error(`no decoded image ${id}`);
    return toBase64((await p.rasterize(width, height)).data as Uint8Array);
  },
};

(globalThis as unknown as { nstDecode: typeof api }).nstDecode = api;
export type DecodeApi = typeof api;
