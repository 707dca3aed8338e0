/**
 * CPU references for the Winograd kernels, stage by stage, in the kernels' layouts, written with
 * the transform matrices spelled out (Lavin & Gray, 2015):
 *   out tile (m×m) = Aᵀ · [ (G·g·Gᵀ) ⊙ (Bᵀ·d·B) ] · A,   d = the tile's (m+2)×(m+2) input patch, g = 3×3 filter,
 * summed over input channels before the output transform. m = 2: F(2×2, 3×3), version 5's
 * shaders/conv/v5_winograd_*.wgsl; m = 4: F(4×4, 3×3), version 6's v6_winograd4_*.wgsl (the
 * interpolation points 0, ±1, ±2, ∞). Double precision throughout.
 */
type Arr = ArrayLike<number>;
export type WinogradTile = 2 | 4;

const MATRICES: Record<WinogradTile, { G: number[][]; BT: number[][]; AT: number[][] }> = {
  2: {
    G: [
      [1, 0, 0],
      [0.5, 0.5, 0.5],
      [0.5, -0.5, 0.5],
      [0, 0, 1],
    ],
    BT: [
      [1, 0, -1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, 1, 0, -1],
    ],
    AT: [
      [1, 1, 1, 0],
      [0, 1, -1, -1],
    ],
  },
  4: {
    G: [
      [1 / 4, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6],
      [1 / 24, -1 / 12, 1 / 6],
      [0, 0, 1],
    ],
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 0],
      [0, 1, 1, 4, 4, 0],
      [0, 1, -1, 8, -8, 1],
    ],
  },
};

const ceil8 = (n: number) => Math.ceil(n / 8) * 8;
const ceil16 = (n: number) => Math.ceil(n / 16) * 16;
/** Products per tile, (m+2)²: 16 or 36. */
const planes = (m: WinogradTile) => (m + 2) ** 2;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** X·M·Yᵀ for small dense matrices (X: a×n, M: n×m, Y: b×m) → a×b. */
function sandwich(X: number[][], M: number[][], Y: number[][]): number[][] {
  return X.map((xr) => Y.map((yr) => xr.reduce((s, xv, i) => s + xv * M[i].reduce((t, mv, j) => t + mv * yr[j], 0), 0)));
}

/** Tiling as in winogradTiles: TW tiles per row, P tiles, P8 = P padded to 8. */
export function winogradTilesRef(H: number, W: number, m: WinogradTile = 2) {
  const TW = Math.ceil(W / m);
  const P = Math.ceil(H / m) * TW;
  return { TW, P, P8: ceil8(P) };
}

/**
 * The filter transform from OIHW weights: U (m+2)²×R×ceil16(N). Forward: R = C, N = O, g = w[o, c].
 * Backward to input: R = O, N = C, g = w[o, c] rotated by 180° (the flipped, transposed filter).
 */
export function winogradFilterRef(weight: Arr, O: number, C: number, direction: 'forward' | 'backward', m: WinogradTile = 2): Float64Array {
  const [R, N] = direction === 'forward' ? [C, O] : [O, C];
  const N16 = ceil16(N), a = m + 2, { G } = MATRICES[m];
  const U = new Float64Array(planes(m) * R * N16);
  for (let r = 0; r < R; r++) {
    for (let n = 0; n < N; n++) {
      const [o, c] = direction === 'forward' ? [n, r] : [r, n];
      const g = [0, 1, 2].map((ky) =>
        [0, 1, 2].map((kx) => (direction === 'forward' ? weight[((o * C + c) * 3 + ky) * 3 + kx] : weight[((o * C + c) * 3 + 2 - ky) * 3 + 2 - kx])),
      );
      const u = sandwich(G, g, G);
      for (let b = 0; b < planes(m); b++) U[(b * R + r) * N16 + n] = u[Math.floor(b / a)][b % a];
    }
  }
  return U;
}

/** The input transform: V (m+2)²×C×P8 (padding tiles zero). */
export function winogradInputRef(input: Arr, C: number, H: number, W: number, m: WinogradTile = 2): Float64Array {
  const { TW, P, P8 } = winogradTilesRef(H, W, m);
  const a = m + 2, { BT } = MATRICES[m];
  const V = new Float64Array(planes(m) * C * P8);
  for (let c = 0; c < C; c++) {
    for (let p = 0; p < P; p++) {
      const [y0, x0] = [m * Math.floor(p / TW) - 1, m * (p % TW) - 1];
      const d = range(a).map((i) =>
        range(a).map((j) => {
          const [y, x] = [y0 + i, x0 + j];
          return y >= 0 && y < H && x >= 0 && x < W ? input[(c * H + y) * W + x] : 0;
        }),
      );
      const v = sandwich(BT, d, BT);
      for (let b = 0; b < planes(m); b++) V[(b * C + c) * P8 + p] = v[Math.floor(b / a)][b % a];
    }
  }
  return V;
}

/** conv/winograd_gemm: M[b, n, p] = Σ_r U[b, r, n]·V[b, r, p] for each of the B = (m+2)² planes; M B×N×P8. */
export function winogradGemmRef(U: Arr, V: Arr, R: number, N: number, P8: number, m: WinogradTile = 2): Float64Array {
  const N16 = ceil16(N), B = planes(m);
  const M = new Float64Array(B * N * P8);
  for (let b = 0; b < B; b++)
    for (let n = 0; n < N; n++)
      for (let p = 0; p < P8; p++) {
        let s = 0;
        for (let r = 0; r < R; r++) s += U[(b * R + r) * N16 + n] * V[(b * R + r) * P8 + p];
        M[(b * N + n) * P8 + p] = s;
      }
  return M;
}

/** The output transform: out N×H×W from M (m+2)²×N×P8, + bias (if given), ReLU if relu. */
export function winogradOutputRef(M: Arr, bias: Arr | null, N: number, H: number, W: number, relu = false, m: WinogradTile = 2): Float64Array {
  const { TW, P, P8 } = winogradTilesRef(H, W, m);
  const a = m + 2, { AT } = MATRICES[m];
  const out = new Float64Array(N * H * W);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      const t = range(a).map((xi) => range(a).map((nu) => M[((xi * a + nu) * N + n) * P8 + p]));
      const y = sandwich(AT, t, AT);
      const [ty, tx] = [Math.floor(p / TW), p % TW];
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) {
          const [oy, ox] = [m * ty + i, m * tx + j];
          if (oy >= H || ox >= W) continue;
          const v = y[i][j] + (bias ? bias[n] : 0);
          out[(n * H + oy) * W + ox] = relu ? Math.max(0, v) : v;
        }
    }
  }
  return out;
}

/** The whole forward conv (C×H×W → O×H×W, 3×3, + bias, ReLU) through the four stages. */
export function winogradConvRef(input: Arr, C: number, H: number, W: number, weight: Arr, bias: Arr, O: number, relu = false, m: WinogradTile = 2): Float64Array {
  const { P8 } = winogradTilesRef(H, W, m);
  const M = winogradGemmRef(winogradFilterRef(weight, O, C, 'forward', m), winogradInputRef(input, C, H, W, m), C, O, P8, m);
  return winogradOutputRef(M, bias, O, H, W, relu, m);
}
