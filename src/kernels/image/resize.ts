/**
 * Bilinear resize of a float map on the GPU (image/resize_bilinear): coarse to fine carries each
 * scale's image (network space, 3×h×w) to the next scale's size without leaving the GPU.
 * Its CPU reference: resizeBilinearRef in cpu.ts.
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { expectFits, shapeStr, type Tensor } from '../tensor.js';

/** output (C×H×W) = input (C×h×w) resized bilinearly, pixel centres aligned (resizeBilinear's convention). */
export function resizeBilinearMap(lib: KernelLibrary, input: Tensor, output: Tensor): Dispatch {
  if (input.shape.length !== 3 || output.shape.length !== 3 || input.shape[0] !== output.shape[0]) {
    throw new Error(`resizeBilinearMap: expected C×h×w → C×H×W, got ${shapeStr(input.shape)} → ${shapeStr(output.shape)}`);
  }
  if (input.offset || output.offset) throw new Error('resizeBilinearMap: views at an offset are not supported');
  if (input.buffer === output.buffer) throw new Error('resizeBilinearMap: output must be another buffer than input');
  expectFits('resizeBilinearMap: input', input);
  expectFits('resizeBilinearMap: output', output);
  const [C, h, w] = input.shape, [, H, W] = output.shape;
  if (!(C * h * w > 0 && H * W > 0)) throw new Error(`resizeBilinearMap: empty map ${shapeStr(input.shape)} → ${shapeStr(output.shape)}`);
  return lib.kernel('image/resize_bilinear').bind({ input: input.buffer, out: output.buffer }, { C, h, w, H, W }, grid1d(C * H * W, 256));
}
