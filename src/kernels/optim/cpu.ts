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
