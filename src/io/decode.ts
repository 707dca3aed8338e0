/** Browser-side image decoding and resizing (PNG, JPEG, WebP — whatever the browser decodes). */
import type { RgbaImage } from './rgba_image.js';
import { resizeImage } from './resample.js';

export class ImageDecodeError extends Error {
  constructor(what: string, detail: string) {
    super(`${what}: could not be decoded as an image (${detail}); is it a PNG, JPEG, WebP or GIF file, and complete?`);
    this.name = 'ImageDecodeError';
  }
}

/**
 * Browsers decode truncated PNG/JPEG files "as far as they go" and fill the rest with grey, so
 * check that the file ends where its format says it does: PNG with its IEND chunk, JPEG with an
 * EOI marker (FF D9) near the end (trailing padding is tolerated).
 */
export function truncationProblem(bytes: Uint8Array): string | null {
  const n = bytes.length;
  const isPng = n >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (isPng) {
    const tail = String.fromCharCode(...bytes.subarray(Math.max(0, n - 12), n - 4));
    return tail.endsWith('IEND') ? null : 'the PNG has no IEND chunk at its end: the file is truncated';
  }
  const isJpeg = n >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (isJpeg) {
    for (let i = n - 2; i >= Math.max(2, n - 1024); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return null;
    return 'the JPEG has no end-of-image marker: the file is truncated';
  }
  return null;
}

/** Decode bytes to an ImageBitmap; throws ImageDecodeError naming `what`. */
export async function decodeImage(what: string, bytes: Blob): Promise<ImageBitmap> {
  if (bytes.size === 0) throw new ImageDecodeError(what, 'the file is empty');
  const problem = truncationProblem(new Uint8Array(await bytes.arrayBuffer()));
  if (problem) throw new ImageDecodeError(what, problem);
  let bitmap: ImageBitmap;
  try {
    // premultiplied (as a canvas keeps pixels), so resampling does not bleed the colour of
    // transparent pixels into their neighbours
    bitmap = await createImageBitmap(bytes, { premultiplyAlpha: 'premultiply', colorSpaceConversion: 'default' });
  } catch (e) {
    throw new ImageDecodeError(what, (e as Error).message || String(e));
  }
  if (bitmap.width === 0 || bitmap.height === 0) throw new ImageDecodeError(what, `it has no pixels (${bitmap.width}×${bitmap.height})`);
  return bitmap;
}

/**
 * A decoded picture that can be drawn at any size (over white, opaque RGBA). In a browser it wraps
 * an ImageBitmap (bitmapPicture); the Node tools pass pictures decoded by a browser page (or by
 * pngjs), resized by the same code, so that every environment gives the same pixels.
 */
export interface Picture {
  readonly width: number;
  readonly height: number;
  rasterize(width: number, height: number): Promise<RgbaImage>;
}

/**
 * The bitmap as a Picture: drawn once at its own size (the decoded pixels over white, no
 * resampling), then resized by our own code (resample.ts) at each size asked for, so that every
 * browser gives the same pixels for the same decoded image.
 */
export function bitmapPicture(bitmap: ImageBitmap): Picture {
  let native: RgbaImage | null = null;
  return { width: bitmap.width, height: bitmap.height, rasterize: async (w, h) => resizeImage((native ??= rasterize(bitmap, bitmap.width, bitmap.height)), w, h) };
}

/** Size with the longer side = `maxSide` (aspect kept, at least 1 pixel). */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const s = maxSide / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/**
 * Draw a bitmap at the given size over white and return its RGBA pixels (opaque); at a size other
 * than its own the browser resamples (differently in each browser: bitmapPicture draws at its own
 * size and resizes with resample.ts). The engine
 * uses only RGB, and a transparent pixel's RGB reads back as black (the canvas keeps premultiplied
 * colours), so transparent and translucent areas are composited over white here.
 */
export function rasterize(bitmap: ImageBitmap, width: number, height: number): RgbaImage {
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('2D canvas is not available');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, width, height);
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = 'high';
  g.drawImage(bitmap, 0, 0, width, height);
  const d = g.getImageData(0, 0, width, height);
  return { width, height, data: new Uint8Array(d.data.buffer) };
}
