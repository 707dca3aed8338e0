/**
 * What a device and a network allow: the largest image side, whether a tiled run's buffers fit the
 * device's largest buffer, and the checks of a run's images against them (before any GPU work).
 */
import type { KernelLibrary } from '../kernels/library.js';
import { minImageSide, type StyleTransferOptions } from './options.js';
import { networkSpec, type NetworkSpec } from '../model/networks.js';
import type { RgbaImage } from '../io/rgba_image.js';
import type { StyleImage } from './style_transfer.js';

export function validateImage(what: string, img: RgbaImage, maxSide: number, minSide: number): void {
  const { width: W, height: H } = img;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W <= 0 || H <= 0) throw new Error(`${what}: invalid size ${W}×${H}`);
  if (img.data.length !== W * H * 4) throw new Error(`${what}: ${img.data.length} bytes of pixels for ${W}×${H} RGBA (${W * H * 4})`);
  if (W < minSide || H < minSide) throw new Error(`${what}: ${W}×${H} is too small; the chosen layers need at least ${minSide}×${minSide}`);
  if (W > maxSide || H > maxSide) throw new Error(`${what}: ${W}×${H} is larger than this device allows (max side ${maxSide})`);
}

/** Everything about the inputs that can be known before GPU work: style given, sizes, init image size. */
export function checkInputs(lib: KernelLibrary, o: StyleTransferOptions, deepest: string, content: RgbaImage, styles: StyleImage[], initImage: RgbaImage | undefined, maxSide: number): void {
  if (styles.length === 0 && o.styleLayers.length > 0 && o.styleWeight > 0) throw new Error('no style image given');
  const minSide = minImageSide(deepest, o.network);
  validateImage('content image', content, maxSide, minSide);
  styles.forEach((s, i) => validateImage(`style image ${i + 1}`, s, maxSide, minSide));
  if (initImage && (initImage.width !== content.width || initImage.height !== content.height)) {
    throw new Error(`initial image is ${initImage.width}×${initImage.height}, the content ${content.width}×${content.height}`);
  }
}

/** The longest side any run accepts (tiled runs are bounded by memory, not by one buffer). */
export const MAX_SIDE = 8192;

/**
 * Why a tiled run at width×height cannot run on this device, or null: the full-size buffers it
 * keeps on the GPU (the image, its gradient, the optimizer's moments, TV terms: 3×H×W each) must
 * each fit one storage binding. (The content targets, larger at the content layers, are held in
 * host memory: tiled.ts.)
 */
export function tiledBufferProblem(lib: KernelLibrary, width: number, height: number): string | null {
  const max = lib.ctx.limits.maxStorageBufferBindingSize;
  const bytes = 3 * width * height * 4;
  return bytes > max ? `${width}×${height}: the image alone (${bytes} bytes) is larger than this GPU's largest buffer (${max} bytes); choose a smaller size` : null;
}

/** Largest image side whose largest activation (VGG19: conv1's 64 maps; SqueezeNet: conv1's at ½ size) fits one storage binding. */
export function maxImageSide(lib: KernelLibrary, spec: NetworkSpec = networkSpec('vgg19')): number {
  return Math.floor(Math.sqrt(lib.ctx.limits.maxStorageBufferBindingSize / (spec.floatsPerPixel * 4)));
}
