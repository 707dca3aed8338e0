/**
 * The conv op's runs (harness.ts): one direction at a plan's shape, through the engine's own host
 * code (conv2d.ts) — what the tests and the explorer check and what autotuning and the benchmark
 * time. Inputs: `weight` (O×C×K×K), `bias` (O, forward) and `input` (forward) or `grad_output`
 * (backward); output `output` or `grad_input`.
 */
import { opRun, type Inputs, type OpRun } from '../harness.js';
import type { KernelLibrary } from '../library.js';
import type { OpPlan } from '../registry.js';
import { conv2dBackwardInput, conv2dForward } from './conv2d.js';
import { convWeights, releasePackedWeights } from './weights.js';
import { winogradPlanes, winogradTileOf } from './geometry.js';

export interface ConvRunOptions {
  /** Forward: fuse the ReLU (default true, as VGG runs it). */
  relu?: boolean;
  /** Weights made for this many input channels instead of the shape's (to test the mismatch error). */
  weightC?: number;
  /** Winograd scratch for only this many tiles (forces chunking); default: the plan's sizes. */
  chunk?: number;
}

/** A conv direction run as `plan` says. */
export function convRun(lib: KernelLibrary, plan: OpPlan<'conv_forward' | 'conv_backward_input'>, inputs: Inputs, o: ConvRunOptions = {}): OpRun {
  const { R, N, K, H, W } = plan.shape;
  const forward = plan.kind === 'conv_forward';
  // the layer: forward C = R, O = N; backward to the input O = R, C = N
  const [C, O] = forward ? [R, N] : [N, R];
  const m = winogradTileOf(plan.version);
  return opRun(lib, (tensors, own) => {
    const scratchShapes: Record<string, number[]> =
      m && o.chunk
        ? { winogradData: [winogradPlanes(m) * R * o.chunk], winogradProducts: [winogradPlanes(m) * N * o.chunk] }
        : Object.fromEntries(Object.entries(plan.scratch).map(([k, floats]) => [k, [floats]]));
    const t = forward
      ? tensors({ weight: [O, o.weightC ?? C, K, K], bias: [O], input: [C, H, W] }, { output: [O, H, W], ...scratchShapes })
      : tensors({ weight: [O, C, K, K], grad_output: [O, H, W] }, { bias: [O], grad_input: [C, H, W], ...scratchShapes });
    // forms made on first use: each version makes only what it reads
    const w = convWeights(O, o.weightC ?? C, K, t.weight, t.bias, !forward);
    own(() => releasePackedWeights(lib, w));
    return forward
      ? { dispatches: conv2dForward(lib, t.input, w, t.output, o.relu ?? true, plan as OpPlan<'conv_forward'>, t), outputs: ['output'] }
      : { dispatches: conv2dBackwardInput(lib, t.grad_output, w, t.grad_input, plan as OpPlan<'conv_backward_input'>, t), outputs: ['grad_input'] };
  }, inputs);
}
