/**
 * Every registered op's run at a shape and choice, inputs filled with a constant, for timing:
 * autotuning (autotune.ts) and the benchmark (bench/suite.ts) time exactly what the tests check
 * (the runs are the ops' own, in `<op>/cases.ts`; see harness.ts).
 */
import { convRun } from './conv/cases.js';
import { gramBackwardRun, gramForwardRun } from './gram/cases.js';
import type { Inputs, OpRun } from './harness.js';
import type { KernelLibrary } from './library.js';
import { makePlan } from './plan.js';
import { type Choice, type OpKind, type OpPlan, type OpShapes } from './registry.js';
import { reduceRun } from './reduce/cases.js';
import { stridedConvRun } from './strided_conv/cases.js';

export type { AutotuneMode } from './autotune_modes.js';

/** Each op kind's run (a conv forward fuses its ReLU, as VGG runs it). */
export const OP_RUNS: { [K in OpKind]: (lib: KernelLibrary, plan: OpPlan<K>, inputs: Inputs) => OpRun } = {
  conv_forward: (lib, plan, inputs) => convRun(lib, plan, inputs),
  conv_backward_input: (lib, plan, inputs) => convRun(lib, plan, inputs),
  gram_forward: (lib, plan, inputs) => gramForwardRun(lib, plan, inputs),
  gram_backward: (lib, plan, inputs) => gramBackwardRun(lib, plan, inputs),
  reduce: (lib, plan, inputs) => reduceRun(lib, plan, inputs),
  strided_conv_forward: (lib, plan, inputs) => stridedConvRun(lib, plan, inputs),
  strided_conv_backward_input: (lib, plan, inputs) => stridedConvRun(lib, plan, inputs),
};

/**
 * The tensors and dispatches that run one candidate of an op at its shape, every input 0.01 (small
 * enough that no sum overflows at any layer size, and no denormals); `release` frees them.
 */
export function opBench<K extends OpKind>(lib: KernelLibrary, kind: K, shape: OpShapes[K], choice: Choice<K>): OpRun {
  return OP_RUNS[kind](lib, makePlan(kind, shape, choice), { constant: 0.01 });
}
