/**
 * Host side of the Gram op: G = scale·F·Fᵀ for F = a C×H×W map seen as C×(H·W), and its backward.
 * Shapes are checked here; the version the plan names launches itself (versions.ts).
 */
import type { Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { opKey, versionInfo, type GramShape, type OpPlan } from '../registry.js';
import { expectShape, numel, shapeStr, type Tensor } from '../tensor.js';

function featureDims(what: string, f: Tensor): { C: number; M: number } {
  if (f.shape.length < 2) throw new Error(`${what}: expected C×H×W or C×M features, got [${f.shape.join('×')}]`);
  const C = f.shape[0];
  return { C, M: f.shape.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * G = scale·F·Fᵀ, run as `plan` says (lib.planner.plan('gram_forward', { C, M })). With several
 * slices the kernel writes partial Grams into `scratch` (≥ plan.scratch.slices floats, owned by
 * the caller) and gram_forward/sum_slices adds them.
 */
export function gramForward(lib: KernelLibrary, features: Tensor, gram: Tensor, scale: number, plan: OpPlan<'gram_forward'>, scratch?: Tensor): Dispatch[] {
  const { C, M } = featureDims('gramForward: features', features);
  expectShape('gramForward: gram', gram, [C, C]);
  checkPlan('gramForward', plan, 'gram_forward', C, M);
  const S = plan.splits;
  if (S > 1 && (!scratch || numel(scratch.shape) < S * C * C)) throw new Error(`gramForward: ${S} slices need a scratch tensor of ${S}×${C}×${C} floats${scratch ? `, got ${shapeStr(scratch.shape)}` : ''}`);
  return versionInfo('gram_forward', plan.version).launch!(lib, { features, gram, scale, scratch }, plan);
}

/** grad_features = scale·(dG + dGᵀ)·F, run as `plan` says (lib.planner.plan('gram_backward', { C, M })). */
export function gramBackward(lib: KernelLibrary, features: Tensor, gradGram: Tensor, gradFeatures: Tensor, scale: number, plan: OpPlan<'gram_backward'>): Dispatch {
  const { C, M } = featureDims('gramBackward: features', features);
  expectShape('gramBackward: grad_gram', gradGram, [C, C]);
  expectShape('gramBackward: grad_features', gradFeatures, features.shape);
  checkPlan('gramBackward', plan, 'gram_backward', C, M);
  return versionInfo('gram_backward', plan.version).launch!(lib, { features, gradGram, gradFeatures, scale }, plan)[0];
}

function checkPlan(what: string, plan: OpPlan, kind: 'gram_forward' | 'gram_backward', C: number, M: number): void {
  const s = plan.shape as GramShape;
  if (plan.kind !== kind || s.C !== C || s.M !== M) throw new Error(`${what}: the plan is for ${opKey(plan.kind, plan.shape)}, the features are ${opKey(kind, { C, M })}`);
}
