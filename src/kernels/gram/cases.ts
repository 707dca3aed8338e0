/**
 * The Gram op's runs (harness.ts) and test shapes: awkward sizes that reach every branch of every
 * version (versions.ts), checked against cpu.ts and finite differences. Forward: input `features`
 * (C×M), output `gram`; backward: inputs `features`, `grad_gram` (C×C), output `grad_features`.
 */
import { gramBackward, gramForward } from './gram.js';
import { opRun, planFor, runRead, type Case, type Inputs, type OpRun } from '../harness.js';
import type { KernelLibrary } from '../library.js';
import type { OpPlan } from '../registry.js';

/**
 * [C, M, scale]: tiny and odd maps, C not a multiple of 8 (a block half past the last row), 17
 * row blocks (153 upper-triangle blocks over three workgroups), and wide maps that run split-K
 * (slices that end inside a quad, a masked last quad); and shapes with C and M multiples of 4 for
 * backward version 3 (a 32-row block cut to 4 rows, 8-column blocks that end half past M, a
 * workgroup of 8 column blocks with 2 live lanes, a single quad).
 */
export const GRAM_TEST_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 7, 0.5],
  [5, 33, 1 / 33],
  [13, 64, 1],
  [70, 9, 0.1],
  [6, 9000, 1 / 9000],
  [9, 20, 0.25],
  [130, 12, 1],
  [10, 9001, 1 / 9001],
  [36, 76, 0.5],
  [64, 200, 1 / 200],
  [4, 4, 1],
];

/** G = scale·F·Fᵀ as `plan` says, split-K through a scratch of the plan's size. */
export function gramForwardRun(lib: KernelLibrary, plan: OpPlan<'gram_forward'>, inputs: Inputs, scale = 1): OpRun {
  const { C, M } = plan.shape;
  return opRun(lib, (tensors) => {
    const t = tensors({ features: [C, M] }, { gram: [C, C], scratch: [Math.max(1, plan.scratch.slices ?? 0)] });
    return { dispatches: gramForward(lib, t.features, t.gram, scale, plan, t.scratch), outputs: ['gram'] };
  }, inputs);
}

/** grad_features = scale·(dG + dGᵀ)·F as `plan` says. */
export function gramBackwardRun(lib: KernelLibrary, plan: OpPlan<'gram_backward'>, inputs: Inputs, scale = 1): OpRun {
  const { C, M } = plan.shape;
  return opRun(lib, (tensors) => {
    const t = tensors({ features: [C, M], grad_gram: [C, C] }, { grad_features: [C, M] });
    return { dispatches: [gramBackward(lib, t.features, t.grad_gram, t.grad_features, scale, plan)], outputs: ['grad_features'] };
  }, inputs);
}

/** The Gram and its backward for the given (or planned) versions. */
export const gramCase: Case = async (lib, x, { C, M, scale, variant, backward }) => ({
  ...(await runRead(lib, gramForwardRun(lib, planFor(lib, 'gram_forward', { C, M }, variant), x, scale))),
  ...(await runRead(lib, gramBackwardRun(lib, planFor(lib, 'gram_backward', { C, M }, backward), x, scale))),
});
