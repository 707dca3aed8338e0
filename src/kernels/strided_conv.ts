/**
 * Host side of the general strided convolution (any K ≥ 1, stride ≥ 1, zero padding ≥ 0), used
 * for SqueezeNet 1.1's conv1 (3×3, stride 2, no padding). Simple kernels, one invocation per
 * output value; the weights stay in PyTorch's OIHW order (no repacking). The gradient to the
 * input is a gather (the transposed strided conv); the weight and bias gradients are not needed
 * for style transfer (the network is frozen).
 *
 * Two versions per direction: v0 (one invocation per value, the one to read) and v1 (blocks of
 * 8 output channels forward / 4 input channels backward per invocation, so each input or
 * gradient value is read once per block; 2.8× / 1.7× faster on SwiftShader), which runs by
 * default. Tried and dropped (no faster there): 4 pixels × 8 channels forward, and the backward's
 * weights in workgroup memory (its barriers cost more than the loads they save).
 */
import { grid1d, type Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';
import { expectShape, shapeStr, type Tensor } from './tensor.js';

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

function checkGeometry(K: number, stride: number, pad: number): void {
  if (!Number.isInteger(K) || K < 1) throw new Error(`strided conv: kernel size K must be an integer ≥ 1, got ${K}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`strided conv: stride must be an integer ≥ 1, got ${stride}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`strided conv: padding must be an integer ≥ 0, got ${pad}`);
}

/** Output length of a K-tap conv at `stride` with `pad` zeros each side over n positions (≤ 0: none). */
export function convLength(n: number, K: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - K) / stride) + 1;
}

/** PyTorch's floor((H + 2·pad − K)/stride) + 1; throws a clear error if < 1. */
export function stridedConvShape(H: number, W: number, K: number, stride: number, pad: number): [number, number] {
  checkGeometry(K, stride, pad);
  if (!Number.isInteger(H) || !Number.isInteger(W) || H < 1 || W < 1) throw new Error(`strided conv: invalid input size ${H}×${W}`);
  if (H + 2 * pad < K || W + 2 * pad < K) {
    throw new Error(`strided conv: a ${H}×${W} map${pad ? ` padded by ${pad}` : ''} is smaller than the ${K}×${K} kernel (no output)`);
  }
  return [convLength(H, K, stride, pad), convLength(W, K, stride, pad)];
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

export type StridedConvVersion = 0 | 1;
export const STRIDED_CONV_VERSIONS: readonly StridedConvVersion[] = [0, 1];

/** A grid of `pixels`/64 workgroups (past 65535 spilling into z) by `blocks` channel blocks. */
function pixelBlocks(pixels: number, blocks: number): [number, number, number] {
  const groups = Math.ceil(pixels / 64);
  return groups <= 65535 ? [groups, blocks, 1] : [65535, blocks, Math.ceil(groups / 65535)];
}

/** output (O×Ho×Wo) = conv(input C×H×W) + bias, then ReLU if relu. One dispatch of version `version`. */
export function stridedConvForward(lib: KernelLibrary, input: Tensor, w: StridedConvWeights, output: Tensor, relu: boolean, version: StridedConvVersion = 1): Dispatch {
  const what = 'strided conv forward';
  checkWeights(what, w);
  const [H, W] = mapDims(what, input, w.C, 'input');
  expectShape(`${what}: input`, input, [w.C, H, W]);
  const [Ho, Wo] = stridedConvShape(H, W, w.K, w.stride, w.pad);
  expectShape(`${what}: output`, output, [w.O, Ho, Wo]);
  return lib.kernel(version === 0 ? 'conv/strided_v0_forward' : 'conv/strided_v1_forward').bind(
    { input: input.buffer, weight: w.weight.buffer, bias: w.bias.buffer, output: output.buffer },
    { C: w.C, H, W, O: w.O, Ho, Wo, K: w.K, stride: w.stride, pad: w.pad, relu: relu ? 1 : 0 },
    version === 0 ? grid1d(w.O * Ho * Wo, 256) : pixelBlocks(Ho * Wo, Math.ceil(w.O / 8)),
  );
}

/**
 * grad_input (C×H×W) from grad_output (O×Ho×Wo) — the transposed strided conv, as a gather (each
 * input position sums the outputs whose window covers it; no atomics). Overwrites grad_input. One
 * dispatch. The input size comes from grad_input (several H give the same Ho when stride > 1).
 */
export function stridedConvBackwardInput(lib: KernelLibrary, gradOutput: Tensor, w: StridedConvWeights, gradInput: Tensor, version: StridedConvVersion = 1): Dispatch {
  const what = 'strided conv backward-input';
  checkWeights(what, w);
  const [H, W] = mapDims(what, gradInput, w.C, 'grad_input');
  expectShape(`${what}: grad_input`, gradInput, [w.C, H, W]);
  const [Ho, Wo] = stridedConvShape(H, W, w.K, w.stride, w.pad);
  expectShape(`${what}: grad_output`, gradOutput, [w.O, Ho, Wo]);
  return lib.kernel(version === 0 ? 'conv/strided_v0_backward_input' : 'conv/strided_v1_backward_input').bind(
    { grad_output: gradOutput.buffer, weight: w.weight.buffer, grad_input: gradInput.buffer },
    { C: w.C, H, W, O: w.O, Ho, Wo, K: w.K, stride: w.stride, pad: w.pad },
    version === 0 ? grid1d(w.C * H * W, 256) : pixelBlocks(H * W, Math.ceil(w.C / 4)),
  );
}
