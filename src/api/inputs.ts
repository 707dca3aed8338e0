/**
 * A library call's images checked before any GPU work: RGBA pixels `{ width, height, data }` (an
 * ImageData works as is), or in a browser anything createImageBitmap takes (an <img>, a canvas, an
 * ImageBitmap, a Blob). Every problem is an OptionError naming the option ("content", "style[1]",
 * "style[0].mask"). Transparent pixels are composited over white, as image files are.
 */
import { bitmapPicture, decodeImage, type Picture } from '../io/decode.js';
import { resizeImage } from '../io/resample.js';
import type { RgbaImage } from '../io/rgba_image.js';
import { OptionError } from './errors.js';

/** RGBA, 8 bits per channel, rows top to bottom: `data.length` = width·height·4. */
export interface ImageInput {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** In a browser: what createImageBitmap accepts besides pixels. */
export type BrowserImage = ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | Blob;

export type Image = ImageInput | BrowserImage;

/** A style image with its blend weight (several styles) or its mask (where it applies). */
export interface StyleInput {
  image: Image;
  /** Relative weight when several styles are blended (default 1). */
  blend?: number;
  /** Where this style applies: white = here (resized to the content); give one for every style or none. */
  mask?: Image;
}

/** Larger inputs are refused before they are read (they would be shrunk to at most 8192 px anyway). */
const MAX_INPUT_PIXELS = 2 ** 28;

const isPixels = (x: unknown): x is ImageInput => !!x && typeof x === 'object' && 'data' in x && 'width' in x && 'height' in x;

/** Opaque RGBA over white (a copy only where some pixel is transparent). */
function overWhite(img: ImageInput): RgbaImage {
  const d = img.data;
  let opaque = true;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) { opaque = false; break; }
  if (opaque) return { width: img.width, height: img.height, data: d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength) };
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3] / 255;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(d[i + c] * a + 255 * (1 - a));
    out[i + 3] = 255;
  }
  return { width: img.width, height: img.height, data: out };
}

/** Check RGBA pixels; returns them opaque. */
export function checkPixels(x: unknown, option: string): RgbaImage {
  if (!isPixels(x)) throw new OptionError(option, 'must be an RGBA image { width, height, data } (an ImageData works)');
  const { width: w, height: h, data } = x;
  for (const [k, v] of [['width', w], ['height', h]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new OptionError(option, `${k} must be a whole number of pixels > 0, got ${String(v)}`);
  }
  if (w * h > MAX_INPUT_PIXELS) throw new OptionError(option, `${w}×${h} is larger than the ${MAX_INPUT_PIXELS / 2 ** 20} Mpx read here; shrink it first`);
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array)) {
    throw new OptionError(option, `data must be a Uint8ClampedArray or Uint8Array (RGBA, 8 bits per channel), got ${data === null ? 'null' : (data as object)?.constructor?.name ?? typeof data}`);
  }
  if (data.length !== w * h * 4) throw new OptionError(option, `data has ${data.length} bytes; a ${w}×${h} RGBA image has ${w * h * 4} (width·height·4)`);
  return overWhite({ width: w, height: h, data });
}

/**
 * What is wrong with a value that is not RGBA pixels, where that can be known before any work: a
 * path or URL, a bare byte buffer, or (without createImageBitmap, e.g. in Node) anything else.
 */
export function notPixelsProblem(x: unknown): string | null {
  if (typeof x === 'string' || x instanceof URL) return 'a file path or URL is not read here: decode the image to RGBA first ({ width, height, data }; in Node e.g. with sharp, docs/library.md)';
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return 'bare bytes have no width and height: pass { width, height, data } with data RGBA, width·height·4 bytes';
  if (typeof createImageBitmap !== 'function') return 'must be an RGBA image { width, height, data } here (decoding other images needs a browser; in Node decode files with e.g. sharp: docs/library.md)';
  return null;
}

/** A picture of the input: resized by our own code (as every decoded file is), decoded first if it is a browser image. */
export async function toPicture(x: unknown, option: string): Promise<Picture> {
  if (x === undefined || x === null) throw new OptionError(option, 'is required');
  if (isPixels(x)) {
    const img = checkPixels(x, option);
    return { width: img.width, height: img.height, rasterize: async (w, h) => resizeImage(img, w, h) };
  }
  const problem = notPixelsProblem(x);
  if (problem) throw new OptionError(option, problem);
  if (typeof Blob !== 'undefined' && x instanceof Blob) return bitmapPicture(await decodeImage(option, x));
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(x as ImageBitmapSource);
  } catch (e) {
    throw new OptionError(option, `could not be read as an image (${(e as Error).message})`);
  }
  return bitmapPicture(bitmap);
}

/** `style`: one image, one StyleInput, or an array of either; returns them as StyleInputs. */
export function styleList(style: unknown): { input: StyleInput; option: string; imageOption: string }[] {
  if (style === undefined || style === null) throw new OptionError('style', 'is required (one image or an array)');
  const list = Array.isArray(style) ? style : [style];
  if (list.length === 0) throw new OptionError('style', 'is an empty array; give at least one style image');
  const out = list.map((s, i) => {
    const option = Array.isArray(style) ? `style[${i}]` : 'style';
    const isStyleInput = !!s && typeof s === 'object' && 'image' in s && !('data' in s);
    const input: StyleInput = isStyleInput ? (s as StyleInput) : { image: s as Image };
    if (input.blend !== undefined && !(Number.isFinite(input.blend) && input.blend >= 0)) throw new OptionError(`${option}.blend`, `must be a number ≥ 0, got ${String(input.blend)}`);
    return { input, option, imageOption: isStyleInput ? `${option}.image` : option };
  });
  const masked = out.filter((s) => s.input.mask !== undefined).length;
  if (masked && masked !== out.length) throw new OptionError('style', `give a mask for every style image or for none (${masked} of ${out.length} have one)`);
  return out;
}

/** Edits (insert, delete, replace) from a to b: a misspelt option's nearest name. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Options not in `known` are refused (a typo would otherwise be ignored silently). */
export function checkKnown(o: object, known: readonly string[], call: string): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const near = known.map((n) => ({ n, d: editDistance(k.toLowerCase(), n.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
    const hint = near && near.d <= Math.max(1, Math.floor(k.length / 4)) ? ` (did you mean ${near.n}?)` : '';
    throw new OptionError(k, `is not an option of ${call}${hint}; the options are ${known.join(', ')}`);
  }
}
