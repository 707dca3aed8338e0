/** Host side of the Adam update (shaders/optim/adam.wgsl). The optimizer state m, v lives on the GPU. */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { expectFits, numel, shapeStr, type Tensor } from '../tensor.js';

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const ADAM_DEFAULTS: AdamHyper = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** Uniform values for step t (1-based): the bias corrections are computed here in double precision. */
export function adamParams(h: AdamHyper, t: number, n: number) {
  return { n, lr: h.lr, beta1: h.beta1, beta2: h.beta2, eps: h.eps, bc1: 1 - Math.pow(h.beta1, t), bc2: 1 - Math.pow(h.beta2, t) };
}

/** A dispatch for step t; call `setParams(adamParams(h, t, n))` on it to replay later steps. */
export function adamStep(lib: KernelLibrary, param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper, t: number): Dispatch {
  const n = numel(param.shape);
  for (const [name, x] of [['grad', grad], ['m', m], ['v', v]] as const) {
    if (numel(x.shape) !== n) throw new Error(`adamStep: ${name} has shape ${shapeStr(x.shape)}, param has ${shapeStr(param.shape)}`);
    expectFits(`adamStep: ${name}`, x);
  }
  return lib.kernel('optim/adam').bind({ grad: grad.buffer, param: param.buffer, m: m.buffer, v: v.buffer }, adamParams(h, t, n), grid1d(n, 256));
}

/** Uniform values of optim/adam_bf16 for step t: adamParams plus the stochastic rounding's seed. */
export function adamBf16Params(h: AdamHyper, t: number, n: number) {
  return { ...adamParams(h, t, n), seed: t >>> 0 };
}

/**
 * Adam with both moments in bfloat16, packed in one u32 per element of `state` (n 4-byte elements,
 * zero-filled to start; shaders/optim/adam_bf16.wgsl): half the memory of adamStep's m and v.
 */
export function adamStepBf16(lib: KernelLibrary, param: Tensor, grad: Tensor, state: Tensor, h: AdamHyper, t: number): Dispatch {
  const n = numel(param.shape);
  for (const [name, x] of [['grad', grad], ['state', state]] as const) {
    if (numel(x.shape) !== n) throw new Error(`adamStepBf16: ${name} has shape ${shapeStr(x.shape)}, param has ${shapeStr(param.shape)}`);
    expectFits(`adamStepBf16: ${name}`, x);
  }
  return lib.kernel('optim/adam_bf16').bind({ grad: grad.buffer, param: param.buffer, state: state.buffer }, adamBf16Params(h, t, n), grid1d(n, 256));
}
