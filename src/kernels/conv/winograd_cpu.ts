/**
 * CPU references for the Winograd F(2×2, 3×3) kernels (shaders/conv/v5_winograd_*.wgsl), stage by stage,
 * in the kernels' layouts, written with the transform matrices spelled out:
 *   out tile (2×2) = Aᵀ · [ (G·g·Gᵀ) ⊙ (Bᵀ·d·B) ] · A,   d = the tile's 4×4 input patch, g = 3×3 filter.
 * Summed over input channels before the output transform. Double precision throughout.
 */
type Arr = ArrayLike<number>;

const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];
const BT = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];
const AT = [
  [1, 1, 1, 0],
  [0, 1, -1, -1],
];

const ceil8 = (n: number) => Math.ceil(n / 8) * 8;
const ceil16 = (n: number) => Math.ceil(n / 16) * 16;

/** X·M·Yᵀ for small dense matrices (X: a×n, M: n×m, Y: b×m) → a×b. */
function sandwich(X: number[][], M: number[][], Y: number[][]): number[][] {
  return X.map((xr) => Y.map((yr) => xr.reduce((s, xv, i) => s + xv * M[i].reduce((t, mv, j) => t + mv * yr[j], 0), 0)));
}

/** Tiling as in winogradTiles: TW tiles per row, P tiles, P8 = P padded to 8. */
export function winogradTilesRef(H: number, W: number) {
  const TW = Math.ceil(W / 2);
  const P = Math.ceil(H / 2) * TW;
  return { TW, P, P8: ceil8(P) };
}

/**
 * conv/v5_winograd_filter from OIHW weights: U 16×R×ceil16(N). Forward: R = C, N = O, g = w[o, c].
 * Backward to input: R = O, N = C, g = w[o, c] rotated by 180° (the flipped, transposed filter).
 */
export function winogradFilterRef(weight: Arr, O: number, C: number, direction: 'forward' | 'backward'): Float64Array {
  const [R, N] = direction === 'forward' ? [C, O] : [O, C];
  const N16 = ceil16(N);
  const U = new Float64Array(16 * R * N16);
  for (let r = 0; r < R; r++) {
    for (let n = 0; n < N; n++) {
      const [o, c] = direction === 'forward' ? [n, r] : [r, n];
      const g = [0, 1, 2].map((ky) =>
        [0, 1, 2].map((kx) => (direction === 'forward' ? weight[((o * C + c) * 3 + ky) * 3 + kx] : weight[((o * C + c) * 3 + 2 - ky) * 3 + 2 - kx])),
      );
      const u = sandwich(G, g, G);
      for (let b = 0; b < 16; b++) U[(b * R + r) * N16 + n] = u[b >> 2][b & 3];
    }
  }
  return U;
}

/** conv/v5_winograd_input: V 16×C×P8 (padding tiles zero). */
export function winogradInputRef(input: Arr, C: number, H: number, W: number): Float64Array {
  const { TW, P, P8 } = winogradTilesRef(H, W);
  const V = new Float64Array(16 * C * P8);
  for (let c = 0; c < C; c++) {
    for (let p = 0; p < P; p++) {
      const [y0, x0] = [2 * Math.floor(p / TW) - 1, 2 * (p % TW) - 1];
      const d = [0, 1, 2, 3].map((i) =>
        [0, 1, 2, 3].map((j) => {
          const [y, x] = [y0 + i, x0 + j];
          return y >= 0 && y < H && x >= 0 && x < W ? input[(c * H + y) * W + x] : 0;
        }),
      );
      const v = sandwich(BT, d, BT);
      for (let b = 0; b < 16; b++) V[(b * C + c) * P8 + p] = v[b >> 2][b & 3];
    }
  }
  return V;
}

/** conv/v5_winograd_gemm: M[b, n, p] = Σ_r U[b, r, n]·V[b, r, p]; M 16×N×P8. */
export function winogradGemmRef(U: Arr, V: Arr, R: number, N: number, P8: number): Float64Array {
  const N16 = ceil16(N);
  const M = new Float64Array(16 * N * P8);
  for (let b = 0; b < 16; b++)
    for (let n = 0; n < N; n++)
      for (let p = 0; p < P8; p++) {
        let s = 0;
        for (let r = 0; r < R; r++) s += U[(b * R + r) * N16 + n] * V[(b * R + r) * P8 + p];
        M[(b * N + n) * P8 + p] = s;
      }
  return M;
}

/** conv/v5_winograd_output: out N×H×W from M 16×N×P8, + bias (if given), ReLU if relu. */
export function winogradOutputRef(M: Arr, bias: Arr | null, N: number, H: number, W: number, relu = false): Float64Array {
  const { TW, P, P8 } = winogradTilesRef(H, W);
  const out = new Float64Array(N * H * W);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      const m = [0, 1, 2, 3].map((xi) => [0, 1, 2, 3].map((nu) => M[((xi * 4 + nu) * N + n) * P8 + p]));
      const y = sandwich(AT, m, AT);
      const [ty, tx] = [Math.floor(p / TW), p % TW];
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          const [oy, ox] = [2 * ty + i, 2 * tx + j];
          if (oy >= H || ox >= W) continue;
          const v = y[i][j] + (bias ? bias[n] : 0);
          out[(n * H + oy) * W + ox] = relu ? Math.max(0, v) : v;
        }
    }
  }
  return out;
}

/** The whole forward conv (C×H×W → O×H×W, 3×3, + bias, ReLU) through the four stages. */
export function winogradConvRef(input: Arr, C: number, H: number, W: number, weight: Arr, bias: Arr, O: number, relu = false): Float64Array {
  const { P8 } = winogradTilesRef(H, W);
  const M = winogradGemmRef(winogradFilterRef(weight, O, C, 'forward'), winogradInputRef(input, C, H, W), C, O, P8);
  return winogradOutputRef(M, bias, O, H, W, relu);
}
