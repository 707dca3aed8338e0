/**
 * Host side of the loss kernels and the GPU reduction. A loss is computed as per-element terms
 * plus a gradient in one pass, then reduced to one float in a `scalars` buffer slot, so a whole
 * step's losses can be read back together (or not at all).
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { opKey, versionInfo, type OpPlan } from '../registry.js';
import { REDUCE_PARTIALS } from '../reduce/versions.js';
import { expectFits, expectShape, numel, shapeStr, type Tensor } from '../tensor.js';
import { tvTermCount } from './tv_terms.js';

export { TV_TERMS_MAX, tvTermCount } from './tv_terms.js';

/** terms = (input − target)²; grad = 2·scale·(input − target) (+ grad if accumulate). */
export function squaredError(lib: KernelLibrary, input: Tensor, target: Tensor, terms: Tensor, grad: Tensor, scale: number, accumulate = false): Dispatch {
  const n = numel(input.shape);
  for (const [name, t] of [['target', target], ['terms', terms], ['grad', grad]] as const) {
    if (numel(t.shape) !== n) throw new Error(`squaredError: ${name} has shape ${shapeStr(t.shape)}, input has ${shapeStr(input.shape)}`);
    expectFits(`squaredError: ${name}`, t);
  }
  return lib.kernel('loss/squared_error').bind(
    { input: input.buffer, reference: target.buffer, terms: terms.buffer, grad: grad.buffer },
    { n, scale, accumulate: accumulate ? 1 : 0 },
    grid1d(n, 256),
  );
}

/**
 * Ruder et al.'s temporal loss pieces (shaders/loss/temporal.wgsl): terms = c·f_k·(x − w)² and
 * grad = 2·scale·c·f_k·(x − w) (+ grad if accumulate), x and w C×H×W (C ≤ 4), c (`weights`) H×W,
 * f_k = `factors[k]`.
 */
export function temporalLoss(lib: KernelLibrary, input: Tensor, warped: Tensor, weights: Tensor, terms: Tensor, grad: Tensor, factors: readonly number[], scale: number, accumulate = false): Dispatch {
  if (input.shape.length !== 3 || input.shape[0] > 4) throw new Error(`temporalLoss: expected a C×H×W image with C ≤ 4, got ${shapeStr(input.shape)}`);
  const [C, H, W] = input.shape;
  if (factors.length !== C) throw new Error(`temporalLoss: ${factors.length} channel factors for ${C} channels`);
  for (const [name, t] of [['warped', warped], ['terms', terms], ['grad', grad]] as const) expectShape(`temporalLoss: ${name}`, t, input.shape);
  expectShape('temporalLoss: weights', weights, [1, H, W]);
  const [f0, f1 = 0, f2 = 0, f3 = 0] = factors;
  const n = C * H * W;
  return lib.kernel('loss/temporal').bind(
    { input: input.buffer, reference: warped.buffer, weights: weights.buffer, terms: terms.buffer, grad: grad.buffer },
    { n, plane: H * W, scale, accumulate: accumulate ? 1 : 0, f0, f1, f2, f3 },
    grid1d(n, 256),
  );
}

/**
 * Total variation of a C×H×W image: its gradient, and partial sums of its terms into `terms`
 * ([tvTermCount(image.shape)] floats; their sum is the loss over `scale`; see shaders/loss/tv.wgsl).
 */
export function tvLoss(lib: KernelLibrary, image: Tensor, terms: Tensor, grad: Tensor, scale: number, accumulate = false): Dispatch {
  if (image.shape.length !== 3) throw new Error(`tvLoss: expected a C×H×W image, got ${shapeStr(image.shape)}`);
  const [C, H, W] = image.shape;
  const S = tvTermCount(image.shape);
  expectShape('tvLoss: terms', terms, [S]);
  expectShape('tvLoss: grad', grad, image.shape);
  return lib.kernel('loss/tv').bind(
    { image: image.buffer, terms: terms.buffer, grad: grad.buffer },
    { C, H, W, scale, accumulate: accumulate ? 1 : 0, S },
    [Math.ceil(S / 256), 1, 1],
  );
}

export { REDUCE_PARTIALS } from '../reduce/versions.js';

export interface ReduceArgs {
  a: Tensor;
  /** If given, the dot product a·b is reduced instead of Σa. */
  b?: Tensor;
  /** Where the result lands: out[outIndex] = scale · sum. */
  out: Tensor;
  outIndex: number;
  scale?: number;
  /** Scratch of at least REDUCE_PARTIALS floats, owned by the caller (may be shared between reductions run in sequence). */
  partials: Tensor;
}

/**
 * One or two dispatches that sum `a` (or a·b) into out[outIndex] on the GPU, run as `plan` says
 * (lib.planner.plan('reduce', { n }); the versions: reduce/versions.ts).
 */
export function reduceSum(lib: KernelLibrary, args: ReduceArgs, plan: OpPlan<'reduce'>): Dispatch[] {
  const { a, b, out, outIndex, partials } = args;
  const n = numel(a.shape);
  expectFits('reduceSum: a', a);
  if (b && numel(b.shape) !== n) throw new Error(`reduceSum: a ${shapeStr(a.shape)} and b ${shapeStr(b.shape)} differ in size`);
  if (!Number.isInteger(outIndex) || outIndex < 0 || outIndex >= numel(out.shape)) throw new Error(`reduceSum: out index ${outIndex} outside out ${shapeStr(out.shape)}`);
  if (numel(partials.shape) < REDUCE_PARTIALS) throw new Error(`reduceSum: partials needs ${REDUCE_PARTIALS} floats, has ${numel(partials.shape)}`);
  if (plan.kind !== 'reduce' || plan.shape.n !== n) throw new Error(`reduceSum: the plan is for ${opKey(plan.kind, plan.shape)}, the input is ${opKey('reduce', { n })}`);
  return versionInfo('reduce', plan.version).launch!(lib, { a, b, out, outIndex, partials, scale: args.scale ?? 1 }, plan);
}
