/**
 * Host side of 2×2/2 max and average pooling. Odd sizes: output is floor(H/2)×floor(W/2), the
 * trailing row/column is dropped and receives zero gradient (PyTorch's ceil_mode=False).
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { expectShape, type Tensor } from '../tensor.js';

export type PoolKind = 'max' | 'avg';

export function pooledShape(shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3) throw new Error(`pool: expected a C×H×W tensor, got [${shape.join('×')}]`);
  const [C, H, W] = shape;
  if (H < 2 || W < 2) throw new Error(`pool: a ${H}×${W} map is too small for 2×2 pooling`);
  return [C, Math.floor(H / 2), Math.floor(W / 2)];
}

export function poolForward(lib: KernelLibrary, kind: PoolKind, input: Tensor, output: Tensor): Dispatch {
  const [C, Ho, Wo] = pooledShape(input.shape);
  expectShape(`${kind}pool forward: output`, output, [C, Ho, Wo]);
  const [, H, W] = input.shape;
  return lib.kernel(kind === 'max' ? 'pool/max_forward' : 'pool/avg_forward').bind(
    { input: input.buffer, output: output.buffer },
    { C, H, W },
    grid1d(C * Ho * Wo, 256),
  );
}

/** grad_input (C×H×W) from grad_output (C×Ho×Wo); max pooling also needs the forward input. */
export function poolBackward(lib: KernelLibrary, kind: PoolKind, input: Tensor, gradOutput: Tensor, gradInput: Tensor): Dispatch {
  const [C, Ho, Wo] = pooledShape(input.shape);
  const [, H, W] = input.shape;
  expectShape(`${kind}pool backward: grad_output`, gradOutput, [C, Ho, Wo]);
  expectShape(`${kind}pool backward: grad_input`, gradInput, [C, H, W]);
  if (kind === 'max') {
    return lib.kernel('pool/max_backward').bind(
      { input: input.buffer, grad_output: gradOutput.buffer, grad_input: gradInput.buffer },
      { C, H, W },
      grid1d(C * H * W, 256),
    );
  }
  return lib.kernel('pool/avg_backward').bind({ grad_output: gradOutput.buffer, grad_input: gradInput.buffer }, { C, H, W }, grid1d(C * H * W, 256));
}

/**
 * Max pooling with a K×K window and stride S, no padding, floor or ceil mode (SqueezeNet 1.1:
 * 3×3, stride 2, ceil_mode=True). Windows may overlap (K > S); in ceil mode the last window may
 * run past the map's end and is clipped to it.
 */
export interface PoolWindow {
  K: number;
  stride: number;
  ceil: boolean;
}

/**
 * PyTorch MaxPool2d(K, stride, padding=0, ceil_mode) output shape: floor or ceil of (H−K)/S, +1;
 * in ceil mode a last window that would start at or past the input's end is dropped (PyTorch's
 * rule). Throws clearly if H or W < K.
 */
/**
 * Output length of K-windows at stride S over n positions, no padding (PyTorch's MaxPool2d rule):
 * floor mode keeps whole windows; in ceil mode a window may run past the end (even of a map
 * shorter than K), but the last one must start inside the map. ≤ 0: no window.
 */
export function pooledLength(n: number, win: PoolWindow): number {
  const { K, stride: S, ceil } = win;
  const o = Math.floor((n - K + (ceil ? S - 1 : 0)) / S) + 1;
  return ceil && (o - 1) * S >= n ? o - 1 : o;
}

export function windowPooledShape(shape: readonly number[], win: PoolWindow): [number, number, number] {
  const { K, stride: S, ceil } = win;
  if (!Number.isInteger(K) || K < 1) throw new Error(`max pool: window size K must be an integer ≥ 1, got ${K}`);
  if (!Number.isInteger(S) || S < 1) throw new Error(`max pool: stride must be an integer ≥ 1, got ${S}`);
  if (shape.length !== 3) throw new Error(`max pool: expected a C×H×W tensor, got [${shape.join('×')}]`);
  const [C, H, W] = shape;
  const [Ho, Wo] = [pooledLength(H, win), pooledLength(W, win)];
  if (Ho < 1 || Wo < 1) throw new Error(`max pool: a ${H}×${W} map is too small for ${K}×${K} pooling${ceil ? ` with stride ${S} in ceil mode` : ''}`);
  return [C, Ho, Wo];
}

/**
 * output (C×Ho×Wo) = the maximum of each K×K window (clipped to the map in ceil mode), and each
 * window's arg-max into `argmax` (u32 positions y·W + x within the channel, read by the backward).
 */
export function maxPoolWindowForward(lib: KernelLibrary, input: Tensor, output: Tensor, argmax: Tensor, win: PoolWindow): Dispatch {
  const [C, Ho, Wo] = windowPooledShape(input.shape, win);
  const [, H, W] = input.shape;
  expectShape('max pool forward: input', input, [C, H, W]);
  expectShape('max pool forward: output', output, [C, Ho, Wo]);
  expectShape('max pool forward: argmax', argmax, [C, Ho, Wo]);
  return lib.kernel('pool/max_window_forward').bind(
    { input: input.buffer, output: output.buffer, argmax: argmax.buffer },
    { C, H, W, Ho, Wo, K: win.K, stride: win.stride },
    grid1d(C * Ho * Wo, 256),
  );
}

/**
 * grad_input (C×H×W) from grad_output, a gather: each input position adds grad_output of every
 * window whose arg-max it is, as the forward recorded it in `argmax` (first maximum in row-major
 * order, like PyTorch). Overwrites grad_input.
 */
export function maxPoolWindowBackward(lib: KernelLibrary, argmax: Tensor, gradOutput: Tensor, gradInput: Tensor, win: PoolWindow): Dispatch {
  const [C, Ho, Wo] = windowPooledShape(gradInput.shape, win);
  const [, H, W] = gradInput.shape;
  expectShape('max pool backward: argmax', argmax, [C, Ho, Wo]);
  expectShape('max pool backward: grad_output', gradOutput, [C, Ho, Wo]);
  return lib.kernel('pool/max_window_backward').bind(
    { argmax: argmax.buffer, grad_output: gradOutput.buffer, grad_input: gradInput.buffer },
    { C, H, W, Ho, Wo, K: win.K, stride: win.stride },
    grid1d(C * H * W, 256),
  );
}
