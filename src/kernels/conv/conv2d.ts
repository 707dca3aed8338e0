/**
 * Host side of the convolution op: shape checks, then the version the plan names launches itself
 * (versions.ts); the weight and bias gradients (one kernel each, not versioned). Convolutions are
 * stride 1 with "same" zero padding K/2, K odd (VGG uses K = 3).
 */
import type { Dispatch } from '../kernel.js';
import { grid1d } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { opKey, versionInfo, type ConvShape, type OpKind, type OpPlan } from '../registry.js';
import { binding, expectPositiveInts, expectShape, type Tensor } from '../tensor.js';
import type { ConvWeights } from './weights.js';
import type { ConvCall, ConvScratch } from './versions.js';

function convDims(what: string, input: Tensor): { C: number; H: number; W: number } {
  if (input.shape.length !== 3) throw new Error(`${what}: expected a C×H×W tensor, got shape [${input.shape.join('×')}]`);
  const [C, H, W] = input.shape;
  return { C, H, W };
}

/** A conv direction as its plan says (the plan's shape must match the tensors; see Planner.plan). */
function planned(lib: KernelLibrary, plan: OpPlan<'conv_forward' | 'conv_backward_input'>, c: Omit<ConvCall, 'weights' | 'scratch'>, w: ConvWeights, scratch: ConvScratch | undefined): Dispatch[] {
  return versionInfo(plan.kind, plan.version).launch(lib, { ...c, weights: w, scratch }, plan as never);
}

function checkPlan(what: string, plan: OpPlan, kind: OpKind, shape: ConvShape): void {
  const p = plan.shape as ConvShape;
  if (plan.kind !== kind || p.R !== shape.R || p.N !== shape.N || p.K !== shape.K || p.H !== shape.H || p.W !== shape.W) {
    throw new Error(`${what}: the plan is for ${opKey(plan.kind, plan.shape)}, the tensors are ${opKey(kind, shape)}`);
  }
}

/**
 * output = conv(input, weight) + bias, then ReLU if `relu`. input C×H×W → output O×H×W, run as
 * `plan` says (lib.planner.plan('conv_forward', { R: C, N: O, K, H, W })); `scratch` holds at
 * least the plan's scratch sizes.
 */
export function conv2dForward(lib: KernelLibrary, input: Tensor, w: ConvWeights, output: Tensor, relu: boolean, plan: OpPlan<'conv_forward'>, scratch?: ConvScratch): Dispatch[] {
  const { C, H, W } = convDims('conv2dForward: input', input);
  if (C !== w.C) throw new Error(`conv2dForward: input has ${C} channels but the weights expect ${w.C}`);
  expectShape('conv2dForward: output', output, [w.O, H, W]);
  checkPlan('conv2dForward', plan, 'conv_forward', { R: C, N: w.O, K: w.K, H, W });
  return planned(lib, plan, { input, bias: w.bias, output, relu, flip: false }, w, scratch);
}

/**
 * grad_input (C×H×W) from grad_output (O×H×W): the flipped, transposed convolution, run as `plan`
 * says (lib.planner.plan('conv_backward_input', { R: O, N: C, K, H, W })).
 */
export function conv2dBackwardInput(lib: KernelLibrary, gradOutput: Tensor, w: ConvWeights, gradInput: Tensor, plan: OpPlan<'conv_backward_input'>, scratch?: ConvScratch): Dispatch[] {
  const { C: O, H, W } = convDims('conv2dBackwardInput: grad_output', gradOutput);
  if (O !== w.O) throw new Error(`conv2dBackwardInput: grad_output has ${O} channels but the weights have ${w.O} outputs`);
  if (!w.backward) throw new Error('conv2dBackwardInput: the weights were made without backward support');
  expectShape('conv2dBackwardInput: grad_input', gradInput, [w.C, H, W]);
  checkPlan('conv2dBackwardInput', plan, 'conv_backward_input', { R: O, N: w.C, K: w.K, H, W });
  return planned(lib, plan, { input: gradOutput, bias: null, output: gradInput, relu: false, flip: true }, w, scratch);
}

/** grad_weight (O×C×K×K) from the layer input (C×H×W) and grad_output (O×H×W). */
export function conv2dBackwardWeight(lib: KernelLibrary, input: Tensor, gradOutput: Tensor, gradWeight: Tensor): Dispatch {
  const { C, H, W } = convDims('conv2dBackwardWeight: input', input);
  if (gradWeight.shape.length !== 4) throw new Error(`conv2dBackwardWeight: grad_weight must be O×C×K×K, got [${gradWeight.shape.join('×')}]`);
  const [O, , K] = gradWeight.shape;
  expectPositiveInts('conv2dBackwardWeight', { O, K });
  expectShape('conv2dBackwardWeight: grad_weight', gradWeight, [O, C, K, K]);
  expectShape('conv2dBackwardWeight: grad_output', gradOutput, [O, H, W]);
  return lib.kernel('conv/backward_weight').bind(
    { input: binding(input), grad_output: binding(gradOutput), grad_weight: gradWeight.buffer },
    { C, H, W, O, K },
    grid1d(O * C * K * K, 64),
  );
}

/** grad_bias (O) = per-channel sum of grad_output (O×H×W). */
export function conv2dBackwardBias(lib: KernelLibrary, gradOutput: Tensor, gradBias: Tensor): Dispatch {
  const { C: O, H, W } = convDims('conv2dBackwardBias: grad_output', gradOutput);
  expectShape('conv2dBackwardBias: grad_bias', gradBias, [O]);
  return lib.kernel('conv/backward_bias').bind({ grad_output: binding(gradOutput), grad_bias: gradBias.buffer }, { O, HW: H * W }, [Math.ceil(O / 64), 1, 1]);
}
