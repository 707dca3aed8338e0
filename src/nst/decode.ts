/** Browser-side image decoding and resizing (PNG, JPEG, WebP — whatever the browser decodes). */
import type { RgbaImage } from './style_transfer.js';

export class ImageDecodeError extends Error {
  constructor(what: string, detail: string) {
    super(`${what}: could not be decoded as an image (${detail}); is it a PNG, JPEG or WebP file, and complete?`);
    this.name = 'ImageDecodeError';
  }
}

/** Decode bytes to an ImageBitmap; throws ImageDecodeError naming `what`. */
export async function decodeImage(what: string, bytes: Blob): Promise<ImageBitmap> {
  if (bytes.size === 0) throw new ImageDecodeError(what, 'the file is empty');
  try {
    return await createImageBitmap(bytes);
  } catch (e) {
    throw new ImageDecodeError(what, (e as Error).message || String(e));
  }
}

/** Size with the longer side = `maxSide` (aspect kept, at least 1 pixel). */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const s = maxSide / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/** Draw a bitmap at the given size and return its RGBA pixels. */
export function rasterize(bitmap: ImageBitmap, width: number, height: number): RgbaImage {
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('2D canvas is not available');
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = 'high';
  g.drawImage(bitmap, 0, 0, width, height);
  const d = g.getImageData(0, 0, width, height);
  return { width, height, data: new Uint8Array(d.data.buffer) };
}
