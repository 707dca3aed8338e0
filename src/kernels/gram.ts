/** Host side of the Gram matrix kernels: G = scale·F·Fᵀ for F = a C×H×W map seen as C×(H·W). */
import { grid1d, type Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';
import { opKey, type GramShape, type OpPlan } from './plan.js';
import { expectShape, numel, shapeStr, type Tensor } from './tensor.js';

function featureDims(what: string, f: Tensor): { C: number; M: number } {
  if (f.shape.length < 2) throw new Error(`${what}: expected C×H×W or C×M features, got [${f.shape.join('×')}]`);
  const C = f.shape[0];
  return { C, M: f.shape.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * G = scale·F·Fᵀ, run as `plan` says (lib.planner.plan('gram_forward', { C, M })): version 1
 * "blocks" (gram/v1_forward: one 4×4 block per invocation, no barriers), version 2 "lanes"
 * (gram/v2_forward_lanes: 64 lanes share a block and split m) or version 3 "vec4"
 * (gram/v3_forward_vec4: one 8×8 block per invocation read as vec4s, M % 4 = 0; the grid counts
 * the upper triangle's blocks only) or version 4 "tiles8" (the same for any M). With several slices the kernel
 * writes partial Grams into `scratch` (≥ plan.scratch.slices floats, owned by the caller) and
 * gram/sum_slices adds them.
 */
export function gramForward(lib: KernelLibrary, features: Tensor, gram: Tensor, scale: number, plan: OpPlan<'gram_forward'>, scratch?: Tensor): Dispatch[] {
  const { C, M } = featureDims('gramForward: features', features);
  expectShape('gramForward: gram', gram, [C, C]);
  checkPlan('gramForward', plan, 'gram_forward', C, M);
  const slices = plan.splits;
  // version 1: 8×8 invocations per workgroup, one 4×4 block each; version 2: a workgroup per
  // 4×4 block; version 3: 64 invocations per workgroup, one 8×8 upper-triangle block each
  const triangle = [Math.ceil((Math.ceil(C / 8) * (Math.ceil(C / 8) + 1)) / 2 / 64), 1];
  const grid = {
    blocks: [Math.ceil(Math.ceil(C / 4) / 8), Math.ceil(Math.ceil(C / 4) / 8)],
    lanes: [Math.ceil(C / 4), Math.ceil(C / 4)],
    vec4: triangle,
    tiles8: triangle,
  }[plan.version];
  const kernel = lib.kernel(({ blocks: 'gram/v1_forward', lanes: 'gram/v2_forward_lanes', vec4: 'gram/v3_forward_vec4', tiles8: 'gram/v4_forward_tiles8' } as const)[plan.version]);
  // version 3 reads whole vec4s: its slices start on multiples of 4
  const chunk = plan.version === 'vec4' ? Math.ceil(M / slices / 4) * 4 : Math.ceil(M / slices);
  if (slices === 1) return [kernel.bind({ features: features.buffer, gram: gram.buffer }, { C, M, scale, chunk: M }, [grid[0], grid[1], 1])];
  if (!scratch || numel(scratch.shape) < slices * C * C) throw new Error(`gramForward: ${slices} slices need a scratch tensor of ${slices}×${C}×${C} floats${scratch ? `, got ${shapeStr(scratch.shape)}` : ''}`);
  return [
    kernel.bind({ features: features.buffer, gram: scratch.buffer }, { C, M, scale, chunk }, [grid[0], grid[1], slices]),
    lib.kernel('gram/sum_slices').bind({ partial: scratch.buffer, gram: gram.buffer }, { n: C * C, slices }, grid1d(C * C, 256)),
  ];
}

/**
 * grad_features = scale·(dG + dGᵀ)·F, run as `plan` says: version 1 "narrow" (gram/v1_backward,
 * 4×4 blocks) or version 2 "wide" (gram/v2_backward_wide, 4×8 blocks, fewer loads per multiply-add).
 */
export function gramBackward(lib: KernelLibrary, features: Tensor, gradGram: Tensor, gradFeatures: Tensor, scale: number, plan: OpPlan<'gram_backward'>): Dispatch {
  const { C, M } = featureDims('gramBackward: features', features);
  expectShape('gramBackward: grad_gram', gradGram, [C, C]);
  expectShape('gramBackward: grad_features', gradFeatures, features.shape);
  checkPlan('gramBackward', plan, 'gram_backward', C, M);
  const wide = plan.version === 'wide';
  return lib.kernel(wide ? 'gram/v2_backward_wide' : 'gram/v1_backward').bind(
    { features: features.buffer, grad_gram: gradGram.buffer, grad_features: gradFeatures.buffer },
    { C, M, scale },
    [Math.ceil(Math.ceil(M / (wide ? 8 : 4)) / 64), Math.ceil(C / 4), 1],
  );
}

function checkPlan(what: string, plan: OpPlan, kind: 'gram_forward' | 'gram_backward', C: number, M: number): void {
  const s = plan.shape as GramShape;
  if (plan.kind !== kind || s.C !== C || s.M !== M) throw new Error(`${what}: the plan is for ${opKey(plan.kind, plan.shape)}, the features are ${opKey(kind, { C, M })}`);
}
