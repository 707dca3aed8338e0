/**
 * Host side of the guidance kernels (Gatys et al. 2017's spatial control): a guidance map's
 * pyramid, one level per downsampling window of the network (guide/mask_downsample), and the
 * features weighted by a map (guide/mask_features), from which the tape's guided Gram is made.
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { gramBackward, gramForward } from '../gram/gram.js';
import type { OpPlan } from '../registry.js';
import { expectShape, shapeStr, type Tensor } from '../tensor.js';

/**
 * A downsampling window of a network (a pooling or a strided conv): K×K at `stride`, `pad` rows
 * and columns before the first window, and PyTorch's ceil mode (the last window may run past the
 * edge but starts inside the map) or floor mode.
 */
export interface DownsampleWindow {
  K: number;
  stride: number;
  pad: number;
  ceil: boolean;
}

/** The output length of a window over n positions, by PyTorch's rule (≤ 0: none). */
export function windowLength(n: number, w: DownsampleWindow): number {
  const { K, stride: S, pad: P, ceil } = w;
  const o = Math.floor((n + 2 * P - K + (ceil ? S - 1 : 0)) / S) + 1;
  return ceil && (o - 1) * S >= n + P ? o - 1 : o;
}

/** out (Ho×Wo) = the window means of the guidance map m (H×W); Ho×Wo by windowLength. */
export function maskDownsample(lib: KernelLibrary, m: Tensor, out: Tensor, w: DownsampleWindow): Dispatch {
  if (m.shape.length !== 2) throw new Error(`maskDownsample: expected an H×W map, got ${shapeStr(m.shape)}`);
  const [H, W] = m.shape;
  const [Ho, Wo] = [windowLength(H, w), windowLength(W, w)];
  if (Ho < 1 || Wo < 1) throw new Error(`maskDownsample: a ${H}×${W} map is too small for a ${w.K}×${w.K} window`);
  expectShape('maskDownsample: out', out, [Ho, Wo]);
  return lib.kernel('guide/mask_downsample').bind({ m: m.buffer, out: out.buffer }, { H, W, Ho, Wo, K: w.K, stride: w.stride, pad: w.pad }, grid1d(Ho * Wo, 64));
}

/** out (C×H×W) = m^power ⊙ x, m an H×W guidance map; power 1 or 2. */
export function maskFeatures(lib: KernelLibrary, x: Tensor, m: Tensor, out: Tensor, power: 1 | 2): Dispatch {
  if (x.shape.length !== 3) throw new Error(`maskFeatures: expected C×H×W features, got ${shapeStr(x.shape)}`);
  const [C, H, W] = x.shape;
  expectShape('maskFeatures: guidance map', m, [H, W]);
  expectShape('maskFeatures: out', out, [C, H, W]);
  if (out.buffer === x.buffer) throw new Error('maskFeatures: out must be another buffer than x');
  return lib.kernel('guide/mask_features').bind({ x: x.buffer, m: m.buffer, out: out.buffer }, { C, M: H * W, power }, grid1d(C * H * W, 256));
}

/**
 * The guided Gram G = scale·(F⊙m)(F⊙m)ᵀ (Gatys et al. 2017): the features weighted by the map
 * into `weighted` (C×H×W scratch), then the Gram as `plan` says. Two dispatches and the Gram's.
 */
export function guidedGramForward(lib: KernelLibrary, F: Tensor, m: Tensor, weighted: Tensor, G: Tensor, scale: number, plan: OpPlan<'gram_forward'>, slices?: Tensor): Dispatch[] {
  return [maskFeatures(lib, F, m, weighted, 1), ...gramForward(lib, weighted, G, scale, plan, slices)];
}

/**
 * Its backward, from the plain Gram's: dF = m² ⊙ (scale·(dG + dGᵀ)·F), the plain backward into
 * `scratch` (C×H×W), then weighted by m² into dF (overwritten). No weighted copy of F is kept.
 */
export function guidedGramBackward(lib: KernelLibrary, F: Tensor, m: Tensor, dG: Tensor, scratch: Tensor, dF: Tensor, scale: number, plan: OpPlan<'gram_backward'>): Dispatch[] {
  return [gramBackward(lib, F, dG, scratch, scale, plan), maskFeatures(lib, scratch, m, dF, 2)];
}
