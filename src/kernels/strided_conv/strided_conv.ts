/**
 * Host side of the general strided convolution (any K ≥ 1, stride ≥ 1, zero padding ≥ 0), used
 * for SqueezeNet 1.1's conv1 (3×3, stride 2, no padding): shape checks, then the version the plan
 * names launches itself (versions.ts). The weights stay in PyTorch's OIHW order (no repacking).
 * The gradient to the input is a gather (the transposed strided conv); the weight and bias
 * gradients are not needed for style transfer (the network is frozen).
 */
import type { Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { opKey, versionInfo, type OpPlan, type StridedConvShape } from '../registry.js';
import { expectShape, shapeStr, type Tensor } from '../tensor.js';
import { checkGeometry, stridedConvShape } from './geometry.js';

export { convLength, stridedConvShape } from './geometry.js';

export interface StridedConvWeights {
  O: number;
  C: number;
  K: number;
  stride: number;
  pad: number;
  /** O×C×K×K, PyTorch OIHW. */
  weight: Tensor;
  /** O. */
  bias: Tensor;
}

/** The planner's shape of the layer `w` on an H×W input (the same for both directions). */
export function stridedShape(w: Omit<StridedConvWeights, 'weight' | 'bias'>, H: number, W: number): StridedConvShape {
  return { C: w.C, O: w.O, K: w.K, stride: w.stride, pad: w.pad, H, W };
}

function checkWeights(what: string, w: StridedConvWeights): void {
  for (const k of ['O', 'C'] as const) {
    if (!Number.isInteger(w[k]) || w[k] < 1) throw new Error(`${what}: ${k} must be a positive integer, got ${w[k]}`);
  }
  checkGeometry(w.K, w.stride, w.pad);
  expectShape(`${what}: weight`, w.weight, [w.O, w.C, w.K, w.K]);
  expectShape(`${what}: bias`, w.bias, [w.O]);
}

/** The C×H×W of a map with the layer's channel count, or a clear error. */
function mapDims(what: string, t: Tensor, channels: number, role: string): [number, number] {
  if (t.shape.length !== 3 || t.shape[0] !== channels) {
    throw new Error(`${what}: expected ${role} of shape [${channels}×H×W], got ${shapeStr(t.shape)}`);
  }
  return [t.shape[1], t.shape[2]];
}

function checkPlan(what: string, plan: OpPlan, kind: 'strided_conv_forward' | 'strided_conv_backward_input', shape: StridedConvShape): void {
  const p = plan.shape as StridedConvShape;
  const same = (Object.keys(shape) as (keyof StridedConvShape)[]).every((k) => p[k] === shape[k]);
  if (plan.kind !== kind || !same) throw new Error(`${what}: the plan is for ${opKey(plan.kind, plan.shape)}, the tensors are ${opKey(kind, shape)}`);
}

/**
 * output (O×Ho×Wo) = conv(input C×H×W) + bias, then ReLU if relu, run as `plan` says
 * (lib.planner.plan('strided_conv_forward', stridedShape(w, H, W))). One dispatch.
 */
export function stridedConvForward(lib: KernelLibrary, input: Tensor, w: StridedConvWeights, output: Tensor, relu: boolean, plan: OpPlan<'strided_conv_forward'>): Dispatch {
  const what = 'strided conv forward';
  checkWeights(what, w);
  const [H, W] = mapDims(what, input, w.C, 'input');
  const [Ho, Wo] = stridedConvShape(H, W, w.K, w.stride, w.pad);
  expectShape(`${what}: output`, output, [w.O, Ho, Wo]);
  checkPlan(what, plan, 'strided_conv_forward', stridedShape(w, H, W));
  return versionInfo('strided_conv_forward', plan.version).launch(lib, { input, weight: w.weight, bias: w.bias, output, relu }, plan)[0];
}

/**
 * grad_input (C×H×W) from grad_output (O×Ho×Wo) — the transposed strided conv, as a gather (each
 * input position sums the outputs whose window covers it; no atomics). Overwrites grad_input. One
 * dispatch, as `plan` says. The input size comes from grad_input (several H give the same Ho when
 * stride > 1).
 */
export function stridedConvBackwardInput(lib: KernelLibrary, gradOutput: Tensor, w: StridedConvWeights, gradInput: Tensor, plan: OpPlan<'strided_conv_backward_input'>): Dispatch {
  const what = 'strided conv backward-input';
  checkWeights(what, w);
  const [H, W] = mapDims(what, gradInput, w.C, 'grad_input');
  const [Ho, Wo] = stridedConvShape(H, W, w.K, w.stride, w.pad);
  expectShape(`${what}: grad_output`, gradOutput, [w.O, Ho, Wo]);
  checkPlan(what, plan, 'strided_conv_backward_input', stridedShape(w, H, W));
  return versionInfo('strided_conv_backward_input', plan.version).launch(lib, { gradOutput, weight: w.weight, gradInput }, plan)[0];
}
