/**
 * The strided conv's versions, simplest first, per direction (shaders/strided_conv/ID_forward.wgsl
 * and ID_backward_input.wgsl): what each is and its launch (bindings, params, grid). The planner's
 * registry (registry.ts) lists these; tests, the explorer, autotuning and the benchmark iterate it.
 *
 * Channel parameters: C and O are the layer's input and output channels in both directions (the
 * weights stay in PyTorch's O×C×K×K order); H×W is the input map, Ho×Wo the output map.
 *
 * v1 over v0: 2.8× (forward) and 1.7× (backward) faster on SwiftShader. Tried and dropped (no
 * faster there): 4 pixels × 8 channels forward, and the backward's weights in workgroup memory
 * (its barriers cost more than the loads they save).
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import type { OpPlan, StridedConvShape, VersionInfo } from '../registry.js';
import type { Tensor } from '../tensor.js';
import { convLength } from './geometry.js';

/** The forward: output (O×Ho×Wo) = conv(input C×H×W) + bias, then ReLU if relu. */
export interface StridedConvForwardCall {
  input: Tensor;
  /** O×C×K×K, PyTorch OIHW. */
  weight: Tensor;
  bias: Tensor;
  output: Tensor;
  relu: boolean;
}

/** The gradient to the input: grad_input (C×H×W) from grad_output (O×Ho×Wo), overwritten. */
export interface StridedConvBackwardCall {
  gradOutput: Tensor;
  weight: Tensor;
  gradInput: Tensor;
}

/** A grid of `pixels`/64 workgroups (past 65535 spilling into z) by `blocks` channel blocks. */
function pixelBlocks(pixels: number, blocks: number): [number, number, number] {
  const groups = Math.ceil(pixels / 64);
  return groups <= 65535 ? [groups, blocks, 1] : [65535, blocks, Math.ceil(groups / 65535)];
}

/** The params every strided kernel takes: the layer's geometry and both map sizes. */
function geometry(s: StridedConvShape) {
  const Ho = convLength(s.H, s.K, s.stride, s.pad), Wo = convLength(s.W, s.K, s.stride, s.pad);
  return { C: s.C, H: s.H, W: s.W, O: s.O, Ho, Wo, K: s.K, stride: s.stride, pad: s.pad };
}

function forwardLaunch(kernel: 'strided_conv/v0_plain_forward' | 'strided_conv/v1_blocks_forward') {
  return (lib: KernelLibrary, c: StridedConvForwardCall, plan: OpPlan<'strided_conv_forward'>): Dispatch[] => {
    const g = geometry(plan.shape);
    const grid = kernel === 'strided_conv/v0_plain_forward' ? grid1d(g.O * g.Ho * g.Wo, 256) : pixelBlocks(g.Ho * g.Wo, Math.ceil(g.O / 8));
    return [lib.kernel(kernel).bind({ input: c.input.buffer, weight: c.weight.buffer, bias: c.bias.buffer, output: c.output.buffer }, { ...g, relu: c.relu ? 1 : 0 }, grid)];
  };
}

function backwardLaunch(kernel: 'strided_conv/v0_plain_backward_input' | 'strided_conv/v1_blocks_backward_input') {
  return (lib: KernelLibrary, c: StridedConvBackwardCall, plan: OpPlan<'strided_conv_backward_input'>): Dispatch[] => {
    const g = geometry(plan.shape);
    const grid = kernel === 'strided_conv/v0_plain_backward_input' ? grid1d(g.C * g.H * g.W, 256) : pixelBlocks(g.H * g.W, Math.ceil(g.C / 4));
    return [lib.kernel(kernel).bind({ grad_output: c.gradOutput.buffer, weight: c.weight.buffer, grad_input: c.gradInput.buffer }, g, grid)];
  };
}

const common = { unfit: () => null, splits: false, tuned: true } as const;

export const STRIDED_CONV_FORWARD_VERSIONS = [
  { id: 'v0_plain', number: 0, kernels: ['strided_conv/v0_plain_forward'], summary: 'one invocation per output value: the version to read first', ...common, launch: forwardLaunch('strided_conv/v0_plain_forward') },
  {
    id: 'v1_blocks', number: 1, kernels: ['strided_conv/v1_blocks_forward'], summary: 'one output pixel × 8 output channels per invocation: each input tap read once per block',
    ...common, launch: forwardLaunch('strided_conv/v1_blocks_forward'),
  },
] as const satisfies readonly VersionInfo<'strided_conv_forward', string>[];

export const STRIDED_CONV_BACKWARD_VERSIONS = [
  {
    id: 'v0_plain', number: 0, kernels: ['strided_conv/v0_plain_backward_input'], summary: 'one invocation per input value, gathering the outputs whose window covers it',
    ...common, launch: backwardLaunch('strided_conv/v0_plain_backward_input'),
  },
  {
    id: 'v1_blocks', number: 1, kernels: ['strided_conv/v1_blocks_backward_input'], summary: 'one input pixel × 4 input channels per invocation: each output gradient read once per block',
    ...common, launch: backwardLaunch('strided_conv/v1_blocks_backward_input'),
  },
] as const satisfies readonly VersionInfo<'strided_conv_backward_input', string>[];
