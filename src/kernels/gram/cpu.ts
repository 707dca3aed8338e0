/** The Gram op's CPU reference, in float64: what every version (versions.ts) is tested against. */
type Arr = ArrayLike<number>;

/** G = scale·F·Fᵀ, F is C×M. */
export function gramForwardRef(f: Arr, C: number, M: number, scale = 1): Float64Array {
  const g = new Float64Array(C * C);
  for (let i = 0; i < C; i++)
    for (let j = 0; j < C; j++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += f[i * M + m] * f[j * M + m];
      g[i * C + j] = scale * s;
    }
  return g;
}

/** dF = scale·(dG + dGᵀ)·F. */
export function gramBackwardRef(f: Arr, C: number, M: number, dG: Arr, scale = 1): Float64Array {
  const df = new Float64Array(C * M);
  for (let i = 0; i < C; i++)
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let j = 0; j < C; j++) s += (dG[i * C + j] + dG[j * C + i]) * f[j * M + m];
      df[i * M + m] = scale * s;
    }
  return df;
}
