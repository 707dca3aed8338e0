/** CPU reference for 2×2/2 max and average pooling, forward and backward (floor mode: a trailing odd row/column is dropped and gets zero gradient). Double precision, written for clarity. */

type Arr = ArrayLike<number>;

export function poolForwardRef(kind: 'max' | 'avg', x: Arr, C: number, H: number, W: number): Float64Array {
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2);
  const out = new Float64Array(C * Ho * Wo);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < Ho; y++)
      for (let xo = 0; xo < Wo; xo++) {
        const b = (c * H + 2 * y) * W + 2 * xo;
        const win = [x[b], x[b + 1], x[b + W], x[b + W + 1]];
        out[(c * Ho + y) * Wo + xo] = kind === 'max' ? Math.max(...win) : (win[0] + win[1] + win[2] + win[3]) / 4;
      }
  return out;
}

export function poolBackwardRef(kind: 'max' | 'avg', x: Arr, C: number, H: number, W: number, g: Arr): Float64Array {
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2);
  const gin = new Float64Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < Ho; y++)
      for (let xo = 0; xo < Wo; xo++) {
        const b = (c * H + 2 * y) * W + 2 * xo;
        const idx = [b, b + 1, b + W, b + W + 1];
        const go = g[(c * Ho + y) * Wo + xo];
        if (kind === 'avg') {
          for (const i of idx) gin[i] += go / 4;
        } else {
          let arg = 0; // first maximum wins
          for (let k = 1; k < 4; k++) if (x[idx[k]] > x[idx[arg]]) arg = k;
          gin[idx[arg]] += go;
        }
      }
  return gin;
}
