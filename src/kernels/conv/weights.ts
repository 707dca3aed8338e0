/**
 * Conv weights on the GPU: PyTorch's OIHW tensors and the forms the kernels read — repacked for the
 * forward and for the gradient to the input (conv/repack_weights), and Winograd-transformed filters
 * made on first use. Owned by whoever packed them (releasePackedWeights).
 */
import { grid1d } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { runOnce } from '../library.js';
import { ceil16, ceil8 } from './geometry.js';
import { binding, expectShape, type Tensor } from '../tensor.js';

/** Conv weights in PyTorch layout plus the repacked copies the implicit-GEMM kernels read. */
export interface ConvWeights {
  O: number;
  C: number;
  K: number;
  /** O×C×K×K */
  weight: Tensor;
  /** O */
  bias: Tensor;
  /** K×K×C×ceil8(O), for conv/v1_forward */
  packedForward: Tensor;
  /** K×K×O×ceil8(C), for conv/v1_backward_input; null if made without backward support */
  packedBackward: Tensor | null;
  /**
   * Winograd-transformed filters (16×C×ceil16(O) forward, 16×O×ceil16(C) backward), made from the
   * packed copies on first use by a Winograd conv (see winogradFilters) and owned like them.
   */
  winograd?: { forward?: Tensor; backward?: Tensor };
}

/** Release the GPU copies packConvWeights (and Winograd convs) made; weight and bias stay the caller's. */
export function releasePackedWeights(lib: KernelLibrary, w: ConvWeights): void {
  lib.release(w.packedForward);
  if (w.packedBackward) lib.release(w.packedBackward);
  if (w.winograd?.forward) lib.release(w.winograd.forward);
  if (w.winograd?.backward) lib.release(w.winograd.backward);
  w.winograd = undefined;
}

/** Repack OIHW weights for the conv kernels (runs now, once). The returned tensors belong to the caller. */
export function packConvWeights(lib: KernelLibrary, weight: Tensor, bias: Tensor, withBackward = true): ConvWeights {
  if (weight.shape.length !== 4) throw new Error(`packConvWeights: weight must be O×C×K×K, got [${weight.shape.join('×')}]`);
  const [O, C, K, K2] = weight.shape;
  if (K !== K2 || K % 2 !== 1) throw new Error(`packConvWeights: kernel must be square with odd size, got ${K}×${K2}`);
  expectShape('packConvWeights: bias', bias, [O]);
  const repack = lib.kernel('conv/repack_weights');
  const packedForward = lib.tensor([K, K, C, ceil8(O)], 'conv.packedForward');
  const dispatches = [
    repack.bind({ weight: binding(weight), packed: binding(packedForward) }, { O, C, K, transpose: 0, P: ceil8(O) }, grid1d(K * K * C * ceil8(O), 64)),
  ];
  let packedBackward: Tensor | null = null;
  if (withBackward) {
    packedBackward = lib.tensor([K, K, O, ceil8(C)], 'conv.packedBackward');
    dispatches.push(
      repack.bind({ weight: binding(weight), packed: binding(packedBackward) }, { O, C, K, transpose: 1, P: ceil8(C) }, grid1d(K * K * O * ceil8(C), 64)),
    );
  }
  runOnce(lib, dispatches);
  return { O, C, K, weight, bias, packedForward, packedBackward };
}

/**
 * The Winograd-transformed filters of one direction, made on first use from the packed copy
 * (conv/v5_winograd_filter) and kept in `w.winograd` (released by releasePackedWeights).
 */
export function winogradFilters(lib: KernelLibrary, w: ConvWeights, direction: 'forward' | 'backward'): Tensor {
  if (w.K !== 3) throw new Error(`winogradFilters: Winograd F(2×2, 3×3) needs a 3×3 kernel, got ${w.K}×${w.K}`);
  const cached = w.winograd?.[direction];
  if (cached) return cached;
  const packed = direction === 'forward' ? w.packedForward : w.packedBackward;
  if (!packed) throw new Error('winogradFilters: weights were packed without backward support');
  const [R, N] = direction === 'forward' ? [w.C, w.O] : [w.O, w.C];
  const U = lib.tensor([16, R, ceil16(N)], `conv.winograd.${direction}`);
  runOnce(lib, [
    lib.kernel('conv/v5_winograd_filter').bind(
      { packed: binding(packed), U: binding(U) },
      { R, N, N8: ceil8(N), N16: ceil16(N), flip: direction === 'backward' ? 1 : 0 },
      grid1d(R * ceil16(N), 64),
    ),
  ]);
  w.winograd = { ...w.winograd, [direction]: U };
  return U;
}
