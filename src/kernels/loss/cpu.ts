/** CPU reference for the squared-error, temporal and total-variation losses with their gradients. Double precision, written for clarity. */

type Arr = ArrayLike<number>;

const map = (a: Arr, f: (v: number, i: number) => number) => Float64Array.from({ length: a.length }, (_, i) => f(a[i], i));

/** L = scale·Σ(x−t)², dL/dx = 2·scale·(x−t). */
export function squaredErrorRef(x: Arr, t: Arr, scale: number): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = map(x, (v, i) => {
    const d = v - t[i];
    loss += d * d;
    return 2 * scale * d;
  });
  return { loss: scale * loss, grad };
}

/**
 * Ruder et al.'s temporal loss: L = scale·Σ_k,p c[p]·f_k·(x[k,p] − w[k,p])², x and w C×H×W
 * (C = factors.length), c H×W; dL/dx = 2·scale·c·f_k·(x − w).
 */
export function temporalLossRef(x: Arr, w: Arr, c: Arr, factors: readonly number[], scale: number): { loss: number; grad: Float64Array } {
  const plane = c.length;
  let loss = 0;
  const grad = map(x, (v, i) => {
    const cf = c[i % plane] * factors[Math.floor(i / plane)];
    const d = v - w[i];
    loss += cf * d * d;
    return 2 * scale * cf * d;
  });
  return { loss: scale * loss, grad };
}

/** L = scale·Σ squared differences of horizontally and vertically adjacent pixels, per channel. */
export function tvLossRef(img: Arr, C: number, H: number, W: number, scale: number): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = new Float64Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = (c * H + y) * W + x;
        for (const j of [x + 1 < W ? i + 1 : -1, y + 1 < H ? i + W : -1]) {
          if (j < 0) continue;
          const d = img[j] - img[i];
          loss += d * d;
          grad[j] += 2 * scale * d;
          grad[i] -= 2 * scale * d;
        }
      }
  return { loss: scale * loss, grad };
}
