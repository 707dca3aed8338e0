/**
 * Image ↔ network input. `InputConvention` says what the weights expect: channel order, value
 * range and per-channel mean/std (in that range). torchvision's VGG: RGB, [0,1], ImageNet mean/std;
 * Caffe/Gatys' vgg_conv: BGR, [0,255], mean subtracted, std 1.
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { expectFits, expectShape, shapeStr, type Tensor } from '../tensor.js';

export interface InputConvention {
  channelOrder: 'RGB' | 'BGR';
  /** 1 for [0,1] inputs, 255 for [0,255]. */
  range: number;
  mean: [number, number, number];
  std: [number, number, number];
}

export const TORCHVISION_CONVENTION: InputConvention = {
  channelOrder: 'RGB',
  range: 1,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

export const CAFFE_CONVENTION: InputConvention = {
  channelOrder: 'BGR',
  range: 255,
  mean: [103.939, 116.779, 123.68],
  std: [1, 1, 1],
};

function conventionParams(c: InputConvention) {
  return {
    bgr: c.channelOrder === 'BGR' ? 1 : 0,
    range: c.range,
    mean0: c.mean[0], mean1: c.mean[1], mean2: c.mean[2],
    std0: c.std[0], std1: c.std[1], std2: c.std[2],
  };
}

/** pixels: H·W packed RGBA8 (a u32 per pixel, as ImageData's bytes) → output 3×H×W. */
export function preprocess(lib: KernelLibrary, pixels: GPUBuffer, H: number, W: number, output: Tensor, conv: InputConvention): Dispatch {
  expectShape('preprocess: output', output, [3, H, W]);
  if (pixels.size < H * W * 4) throw new Error(`preprocess: pixel buffer of ${pixels.size} bytes is too small for ${H}×${W}`);
  return lib.kernel('image/preprocess').bind({ pixels, output: output.buffer }, { HW: H * W, ...conventionParams(conv) }, grid1d(H * W, 256));
}

/** image 3×H×W → pixels H·W packed RGBA8, clamped, alpha 255. */
export function postprocess(lib: KernelLibrary, image: Tensor, pixels: GPUBuffer, conv: InputConvention): Dispatch {
  if (image.shape.length !== 3 || image.shape[0] !== 3) throw new Error(`postprocess: expected a 3×H×W image, got ${shapeStr(image.shape)}`);
  expectFits('postprocess: image', image);
  const [, H, W] = image.shape;
  if (pixels.size < H * W * 4) throw new Error(`postprocess: pixel buffer of ${pixels.size} bytes is too small for ${H}×${W}`);
  return lib.kernel('image/postprocess').bind({ image: image.buffer, pixels }, { HW: H * W, ...conventionParams(conv) }, grid1d(H * W, 256));
}

/** Per-channel network-space bounds of valid pixels [0,1] (in the network's channel order). */
export function pixelBounds(conv: InputConvention): { lo: number[]; hi: number[] } {
  const lo = [0, 1, 2].map((k) => (0 - conv.mean[k]) / conv.std[k]);
  const hi = [0, 1, 2].map((k) => (conv.range - conv.mean[k]) / conv.std[k]);
  return { lo, hi };
}

/** Clamp a 3×H×W network-space image in place to displayable pixel values. */
export function clampImage(lib: KernelLibrary, image: Tensor, conv: InputConvention): Dispatch {
  if (image.shape.length !== 3 || image.shape[0] !== 3) throw new Error(`clampImage: expected a 3×H×W image, got ${shapeStr(image.shape)}`);
  expectFits('clampImage', image);
  const HW = image.shape[1] * image.shape[2];
  const { lo, hi } = pixelBounds(conv);
  return lib.kernel('image/clamp').bind(
    { image: image.buffer },
    { HW, lo0: lo[0], lo1: lo[1], lo2: lo[2], hi0: hi[0], hi1: hi[1], hi2: hi[2] },
    grid1d(3 * HW, 256),
  );
}

/**
 * "Original colors": luminance of `stylized`, chrominance (YIQ) of `content`; all three are H·W
 * packed RGBA8 pixel buffers of the same size.
 */
export function originalColors(lib: KernelLibrary, stylized: GPUBuffer, content: GPUBuffer, output: GPUBuffer, HW: number): Dispatch {
  for (const [name, b] of [['stylized', stylized], ['content', content], ['output', output]] as const) {
    if (b.size < HW * 4) throw new Error(`originalColors: ${name} buffer of ${b.size} bytes is too small for ${HW} pixels`);
  }
  return lib.kernel('image/original_colors').bind({ stylized, content, output }, { HW }, grid1d(HW, 256));
}
