/**
 * Conv weights on the GPU in the forms the kernels read, each made on first use: repacked for the
 * forward (K×K×C×ceil8(O)) and for the gradient to the input (K×K×O×ceil8(C)) by
 * conv/repack_weights, and Winograd-transformed filters of either direction, F(2×2, 3×3)'s
 * (16×R×ceil16(N), conv/v5_winograd_filter) or F(4×4, 3×3)'s (36×R×ceil16(N), conv/v6_winograd4_filter). A form no planned kernel reads is never made: on a CPU adapter, where
 * Winograd runs most 3×3 layers, the repacked forms of those layers are only passed through.
 * The forms are made from the OIHW weights — a GPU tensor the caller owns, or floats on the CPU
 * (uploaded for each form made, then freed, so the OIHW copy is not resident). Owned by whoever
 * made the ConvWeights (releasePackedWeights).
 */
import { grid1d } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { runOnce } from '../run_once.js';
import { ceil16, ceil8, winogradPlanes, type WinogradTile } from './geometry.js';
import { binding, expectShape, numel, type Tensor } from '../tensor.js';

/** A form of the weights: repacked per direction, or Winograd-transformed per tile size and direction. */
export type WeightForm = 'forward' | 'backward' | 'winograd_forward' | 'winograd_backward' | 'winograd4_forward' | 'winograd4_backward';
export type Direction = 'forward' | 'backward';

export interface ConvWeights {
  O: number;
  C: number;
  K: number;
  /** O */
  bias: Tensor;
  /** The OIHW weights (O×C×K×K) the forms are made from: on the GPU (the caller's) or on the CPU. */
  source: Tensor | Float32Array;
  /** Whether the backward forms may be made (weights for forward passes only: false). */
  backward: boolean;
  /** The forms made so far. */
  forms: Partial<Record<WeightForm, Tensor>>;
}

/** Weights whose forms are made on first use (nothing is made here). */
export function convWeights(O: number, C: number, K: number, source: Tensor | Float32Array, bias: Tensor, backward = true): ConvWeights {
  if (K % 2 !== 1) throw new Error(`conv weights: the kernel must have an odd size, got ${K}×${K}`);
  if (source instanceof Float32Array) {
    if (source.length !== O * C * K * K) throw new Error(`conv weights: ${source.length} values for O×C×K×K = ${O}×${C}×${K}×${K}`);
  } else {
    expectShape('conv weights', source, [O, C, K, K]);
  }
  expectShape('conv weights: bias', bias, [O]);
  return { O, C, K, bias, source, backward, forms: {} };
}

/** Repack OIHW weights for the conv kernels now (forward, and backward if asked); the tests' and benchmarks' way. */
export function packConvWeights(lib: KernelLibrary, weight: Tensor, bias: Tensor, withBackward = true): ConvWeights {
  if (weight.shape.length !== 4) throw new Error(`packConvWeights: weight must be O×C×K×K, got [${weight.shape.join('×')}]`);
  const [O, C, K, K2] = weight.shape;
  if (K !== K2 || K % 2 !== 1) throw new Error(`packConvWeights: kernel must be square with odd size, got ${K}×${K2}`);
  const w = convWeights(O, C, K, weight, bias, withBackward);
  packedWeights(lib, w, 'forward');
  if (withBackward) packedWeights(lib, w, 'backward');
  return w;
}

/** The OIHW weights on the GPU for making a form, and how to let go of them. */
function oihw(lib: KernelLibrary, w: ConvWeights): { t: Tensor; done: () => void } {
  if (!(w.source instanceof Float32Array)) return { t: w.source, done: () => {} };
  const t = lib.upload([w.O, w.C, w.K, w.K], w.source, 'conv.weight');
  // not pooled: each layer's upload has its own size, and pooled they would add up
  return { t, done: () => lib.discard(t) };
}

function makePacked(lib: KernelLibrary, w: ConvWeights, d: Direction): Tensor {
  if (d === 'backward' && !w.backward) throw new Error('conv weights: made without backward support');
  const { O, C, K } = w;
  const P = d === 'forward' ? ceil8(O) : ceil8(C);
  const packed = lib.tensor(d === 'forward' ? [K, K, C, P] : [K, K, O, P], `conv.packed.${d}`);
  const src = oihw(lib, w);
  try {
    runOnce(lib, [lib.kernel('conv/repack_weights').bind({ weight: binding(src.t), packed: binding(packed) }, { O, C, K, transpose: d === 'forward' ? 0 : 1, P }, grid1d(numel(packed.shape), 64))]);
  } finally {
    src.done();
  }
  return packed;
}

/** The repacked weights of one direction (made on first use and kept). */
export function packedWeights(lib: KernelLibrary, w: ConvWeights, d: Direction): Tensor {
  return (w.forms[d] ??= makePacked(lib, w, d));
}

/** The form holding F(m×m, 3×3)'s transformed filters of one direction. */
export const winogradForm = (m: WinogradTile, d: Direction): WeightForm => (m === 2 ? `winograd_${d}` : `winograd4_${d}`);

/**
 * The Winograd-transformed filters of one direction for F(m×m, 3×3) (made on first use and kept),
 * from the repacked form if it exists, else from one made for the purpose and freed at once.
 */
export function winogradFilters(lib: KernelLibrary, w: ConvWeights, d: Direction, m: WinogradTile = 2): Tensor {
  if (w.K !== 3) throw new Error(`winogradFilters: Winograd F(${m}×${m}, 3×3) needs a 3×3 kernel, got ${w.K}×${w.K}`);
  const key = winogradForm(m, d);
  const cached = w.forms[key];
  if (cached) return cached;
  const kept = w.forms[d];
  const packed = kept ?? makePacked(lib, w, d);
  const [R, N] = d === 'forward' ? [w.C, w.O] : [w.O, w.C];
  const U = lib.tensor([winogradPlanes(m), R, ceil16(N)], `conv.winograd${m === 2 ? '' : m}.${d}`);
  try {
    const kernel = m === 2 ? 'conv/v5_winograd_filter' : 'conv/v6_winograd4_filter';
    runOnce(lib, [
      lib.kernel(kernel).bind({ packed: binding(packed), U: binding(U) }, { R, N, N8: ceil8(N), N16: ceil16(N), flip: d === 'backward' ? 1 : 0 }, grid1d(R * ceil16(N), 64)),
    ]);
  } finally {
    if (!kept) lib.discard(packed);
  }
  return (w.forms[key] = U);
}

/** Bytes of the forms made so far. */
export function formBytes(w: ConvWeights): number {
  return Object.values(w.forms).reduce((s, t) => s + numel(t.shape) * 4, 0);
}

/** Free every form made (they are made again on next use); bias and source stay the caller's. */
export function releasePackedWeights(lib: KernelLibrary, w: ConvWeights): void {
  for (const t of Object.values(w.forms)) lib.release(t);
  w.forms = {};
}
