/** CPU reference for one Adam step. Double precision, written for clarity. */

import type { AdamHyper } from './adam.js';

type Arr = ArrayLike<number>;

const map = (a: Arr, f: (v: number, i: number) => number) => Float64Array.from({ length: a.length }, (_, i) => f(a[i], i));

/** One Adam step; returns the new param, m and v. */
export function adamRef(p: Arr, g: Arr, m: Arr, v: Arr, h: AdamHyper, t: number) {
  const bc1 = 1 - Math.pow(h.beta1, t), bc2 = 1 - Math.pow(h.beta2, t);
  const m2 = map(m, (mi, i) => h.beta1 * mi + (1 - h.beta1) * g[i]);
  const v2 = map(v, (vi, i) => h.beta2 * vi + (1 - h.beta2) * g[i] * g[i]);
  const p2 = map(p, (pi, i) => pi - (h.lr * (m2[i] / bc1)) / (Math.sqrt(v2[i] / bc2) + h.eps));
  return { param: p2, m: m2, v: v2 };
}

/** The hash shaders/optim/adam_bf16.wgsl seeds its rounding with ("lowbias32"), in 32-bit integer arithmetic. */
export function lowbias32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => ((f32[0] = x), u32[0]);
const fromBits = (b: number) => ((u32[0] = b >>> 0), f32[0]);

/** float32 `x` rounded stochastically to bfloat16 with `r` in [0, 2¹⁶): its 16 high bits. */
export function bf16Bits(x: number, r: number): number {
  return Math.floor((bitsOf(x) + r) / 65536) & 0xffff;
}

/** The moments packed in one state word: m in the high 16 bits, v in the low. */
export function unpackMoments(s: number): { m: number; v: number } {
  return { m: fromBits((s >>> 16) << 16), v: fromBits((s & 0xffff) << 16) };
}

/**
 * One step of Adam with bfloat16 moments (shaders/optim/adam_bf16.wgsl), in float32 arithmetic as
 * the GPU does it; `state` holds the packed moments (returned updated, with the new param).
 */
export function adamBf16Ref(p: Arr, g: Arr, state: ArrayLike<number>, h: AdamHyper, t: number) {
  const fr = Math.fround;
  const bc1 = fr(1 - Math.pow(h.beta1, t)), bc2 = fr(1 - Math.pow(h.beta2, t));
  const b1 = fr(h.beta1), b2 = fr(h.beta2), lr = fr(h.lr), eps = fr(h.eps);
  const param = new Float64Array(p.length), next = new Uint32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const { m, v } = unpackMoments(state[i]);
    const gi = fr(g[i]);
    const mi = fr(fr(b1 * m) + fr(fr(1 - b1) * gi));
    const vi = fr(fr(b2 * v) + fr(fr(fr(1 - b2) * gi) * gi));
    const r = lowbias32((i ^ Math.imul(t >>> 0, 0x9e3779b9)) >>> 0);
    next[i] = ((bf16Bits(mi, r & 0xffff) << 16) | bf16Bits(vi, r >>> 16)) >>> 0;
    param[i] = fr(p[i] - fr(fr(lr * fr(mi / bc1)) / fr(fr(Math.sqrt(fr(vi / bc2))) + eps)));
  }
  return { param, state: next };
}
