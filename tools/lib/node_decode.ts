/**
 * Images decoded in Node with sharp (libvips) for the CLI, giving the pixels the page's decoding
 * gives (src/io/decode.ts: createImageBitmap, then drawn over white at its own size): the EXIF
 * orientation applied, colours converted to sRGB through an embedded ICC profile, 8-bit, alpha
 * composited over white exactly as the canvas does (premultiplied, rounded, then over white), and
 * resized by our own code (resample.ts) from the full-size decode. PNG, JPEG, WebP and GIF (its
 * first frame) are read; sharp's prebuilt libvips reads no BMP, and SVG, TIFF, HEIF/AVIF are
 * refused as in the page. Sizes are checked on the header before any pixel is decoded.
 * test/node_decode.test.ts compares these pixels with Chromium's.
 */
import type { Picture } from '../../src/io/decode.js';
import { truncationProblem } from '../../src/io/decode.js';
import type { RgbaImage } from '../../src/io/rgba_image.js';
import { resizeImage } from '../../src/io/resample.js';

type Sharp = typeof import('sharp').default;

/** The most pixels an input image may have (its RGBA is held whole: 400 MB at this size). */
export const MAX_IMAGE_PIXELS = 100_000_000;

const READ = 'the CLI reads PNG, JPEG, WebP and GIF files';
const FORMATS: Record<string, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', gif: 'GIF' };

export class ImageFileError extends Error {
  constructor(what: string, detail: string) {
    super(`${what}: could not be decoded as an image (${detail}); ${READ}`);
    this.name = 'ImageDecodeError';
  }
}

let loading: Promise<Sharp | string> | undefined;

/** sharp, or why it cannot be loaded here (one line). */
export function loadSharp(): Promise<Sharp | string> {
  loading ??= import('sharp').then(
    (m) => m.default,
    (e: Error) => `sharp (libvips) cannot be loaded on this platform (${process.platform}-${process.arch}): ${(e.message || String(e)).split('\n')[0]}`,
  );
  return loading;
}

/** The format of a file sharp does not read, from its first bytes (for a clearer message), or null. */
function otherFormat(b: Uint8Array): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (ascii(0, 2) === 'BM') return 'a BMP file, which sharp (libvips) does not read: convert it to PNG';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'a TIFF file';
  if (ascii(4, 8) === 'ftyp') return `an ISO media file (${ascii(8, 12).trim()}: HEIF/AVIF?)`;
  const head = ascii(0, Math.min(b.length, 512)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'an SVG file';
  if (ascii(0, 4) === '%PDF') return 'a PDF file';
  return null;
}

/**
 * Decodes `bytes` fully: sRGB, oriented, 8-bit RGBA over white (opaque). Throws one line naming
 * `what` for a file that is not a readable image, truncated, or larger than MAX_IMAGE_PIXELS.
 */
export async function decodeRgba(sharp: Sharp, bytes: Uint8Array, what: string): Promise<RgbaImage> {
  if (bytes.length === 0) throw new ImageFileError(what, 'the file is empty');
  const truncated = truncationProblem(bytes);
  if (truncated) throw new ImageFileError(what, truncated);
  const other = otherFormat(bytes);
  if (other) throw new ImageFileError(what, `it is ${other}`);
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // failOn 'error': decode what browsers decode (they accept JPEGs with recoverable warnings)
  const options = { failOn: 'error' as const, limitInputPixels: MAX_IMAGE_PIXELS, page: 0, pages: 1 };
  let format: string | undefined, width = 0, height = 0;
  try {
    const m = await sharp(input, { ...options, limitInputPixels: false }).metadata();
    ({ format, width, height } = { format: m.format, width: m.width ?? 0, height: m.pageHeight ?? m.height ?? 0 });
  } catch (e) {
    throw new ImageFileError(what, `not a PNG, JPEG, WebP or GIF file: ${oneLine(e)}`);
  }
  if (!format || !FORMATS[format]) throw new ImageFileError(what, `it is a ${String(format).toUpperCase()} file`);
  if (!(width > 0 && height > 0)) throw new ImageFileError(what, `it has no pixels (${width}×${height})`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new Error(`${what}: ${width}×${height} pixels is more than the ${MAX_IMAGE_PIXELS / 1e6} megapixels an input image may have (shrink it first)`);
  }
  let out: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    out = await sharp(input, options)
      .rotate() // the EXIF orientation, as createImageBitmap's imageOrientation 'from-image'
      .toColourspace('srgb') // through the embedded ICC profile, if any (sharp's default input handling)
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new ImageFileError(what, `the ${FORMATS[format]} data is damaged: libvips says "${oneLine(e)}"`);
  }
  const { data, info } = out;
  if (info.channels !== 4) throw new ImageFileError(what, `decoded to ${info.channels} channels, not RGBA`);
  return { width: info.width, height: info.height, data: overWhite(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) };
}

/**
 * In place: each pixel premultiplied (rounded to 8 bits, as the page's bitmap is kept) and drawn
 * over white: c·a/255 rounded, plus 255 − a — exactly what a canvas filled white gives after
 * drawImage, and what decodePngOverWhite (png.ts) computes.
 */
export function overWhite(d: Uint8Array): Uint8Array {
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3];
    if (a === 255) continue;
    for (let c = 0; c < 3; c++) d[i + c] = Math.round((d[i + c] * a) / 255) + 255 - a;
    d[i + 3] = 255;
  }
  return d;
}

function oneLine(e: unknown): string {
  return ((e as Error)?.message || String(e)).split('\n')[0].trim();
}

/** A decoded file as a Picture: decoded once at its own size, resized by resample.ts at each size asked for. */
export async function decodeFile(bytes: Uint8Array, what: string): Promise<Picture> {
  const sharp = await loadSharp();
  if (typeof sharp === 'string') throw new Error(`${what}: ${sharp}`);
  const image = await decodeRgba(sharp, bytes, what);
  return { width: image.width, height: image.height, rasterize: async (w, h) => resizeImage(image, w, h) };
}
