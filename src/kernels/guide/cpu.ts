/** CPU reference for the guidance kernels: window means of a map (its pyramid) and features weighted by a map. Double precision, written for clarity. */
import { windowLength, type DownsampleWindow } from './guide.js';

type Arr = ArrayLike<number>;

/** The mean of m (H×W) over each window that fits the layer's rule, clipped to the map. */
export function maskDownsampleRef(m: Arr, H: number, W: number, w: DownsampleWindow): Float64Array {
  const Ho = windowLength(H, w), Wo = windowLength(W, w);
  const out = new Float64Array(Ho * Wo);
  for (let yo = 0; yo < Ho; yo++)
    for (let xo = 0; xo < Wo; xo++) {
      let sum = 0, count = 0;
      for (let y = yo * w.stride - w.pad; y < yo * w.stride - w.pad + w.K; y++)
        for (let x = xo * w.stride - w.pad; x < xo * w.stride - w.pad + w.K; x++) {
          if (y < 0 || y >= H || x < 0 || x >= W) continue;
          sum += m[y * W + x];
          count++;
        }
      out[yo * Wo + xo] = sum / count;
    }
  return out;
}

/** m^power ⊙ x for C×M features x and a map m of M positions. */
export function maskFeaturesRef(x: Arr, m: Arr, C: number, M: number, power: 1 | 2): Float64Array {
  const out = new Float64Array(C * M);
  for (let c = 0; c < C; c++) for (let p = 0; p < M; p++) out[c * M + p] = m[p] ** power * x[c * M + p];
  return out;
}

/** The guided Gram s·(F⊙m)(F⊙m)ᵀ (C×C) of C×M features. */
export function guidedGramRef(F: Arr, m: Arr, C: number, M: number, scale: number): Float64Array {
  const G = new Float64Array(C * C);
  for (let i = 0; i < C; i++)
    for (let j = 0; j < C; j++) {
      let s = 0;
      for (let p = 0; p < M; p++) s += F[i * M + p] * F[j * M + p] * m[p] * m[p];
      G[i * C + j] = scale * s;
    }
  return G;
}
