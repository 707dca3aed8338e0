/**
 * Colour control by histogram matching (Gatys et al. 2017, "Controlling Perceptual Factors in
 * Neural Style Transfer", §5): before the transfer, the style image is recoloured so that its
 * colours have the content's mean and covariance, x' = A·(x − μ_s) + μ_c with
 *
 *   A = Σ_c^½ · Σ_s^−½        (symmetric square roots, from the eigen-decompositions)
 *
 * so the painting's strokes and textures are kept and its palette becomes the photo's. Matching
 * mean and covariance (a linear map of the colours) rather than each channel's histogram: it is
 * what the paper uses, it keeps the correlations between channels (per-channel matching shifts
 * hues, e.g. makes a blue-orange painting grey-green), it cannot band or posterise, and it needs
 * nine numbers per image. The symmetric roots rather than Cholesky factors: they treat R, G and B
 * alike (a Cholesky factor depends on the channel order) and rotate colours least.
 *
 * The statistics are taken in RGB on a 0…1 scale (the same whatever the network's input
 * convention), from moments summed on the GPU (image/colour_moments); A and b are then expressed
 * in the network's units so one GPU pass (image/colour_affine) applies them.
 */
import type { InputConvention } from '../kernels/image/image.js';

export type Mat3 = [number, number, number, number, number, number, number, number, number];

/** Mean and covariance of an image's colours, in network channel order. */
export interface ColourStats {
  mean: [number, number, number];
  /** Row-major 3×3, symmetric. */
  cov: Mat3;
}

/** Added to the style covariance's diagonal (RGB 0…1 units): a flat or grey style image stays invertible. */
export const COVARIANCE_EPSILON = 1e-5;

/** Mean and covariance from G×9 partial moment sums (image/colour_moments) of n pixels, summed in double precision. */
export function statsFromMoments(partials: ArrayLike<number>, n: number): ColourStats {
  const q = new Float64Array(9);
  for (let i = 0; i < partials.length; i++) q[i % 9] += partials[i];
  const mean: [number, number, number] = [q[0] / n, q[1] / n, q[2] / n];
  const second = [
    [q[3], q[4], q[5]],
    [q[4], q[6], q[7]],
    [q[5], q[7], q[8]],
  ];
  const cov = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => second[i][j] / n - mean[i] * mean[j])) as Mat3;
  return { mean, cov };
}

/** Eigenvalues and eigenvectors (columns of V, row-major) of a symmetric 3×3 matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(S: Mat3): { values: [number, number, number]; V: Mat3 } {
  const a = [[S[0], S[1], S[2]], [S[3], S[4], S[5]], [S[6], S[7], S[8]]];
  const v = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0][1] ** 2 + a[0][2] ** 2 + a[1][2] ** 2;
    if (off < 1e-30 * (a[0][0] ** 2 + a[1][1] ** 2 + a[2][2] ** 2) || off === 0) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
      if (a[p][q] === 0) continue;
      // the rotation that zeroes a[p][q]
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < 3; k++) {
        const [akp, akq] = [a[k][p], a[k][q]];
        a[k][p] = c * akp - s * akq;
        a[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const [apk, aqk] = [a[p][k], a[q][k]];
        a[p][k] = c * apk - s * aqk;
        a[q][k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const [vkp, vkq] = [v[k][p], v[k][q]];
        v[k][p] = c * vkp - s * vkq;
        v[k][q] = s * vkp + c * vkq;
      }
    }
  }
  return { values: [a[0][0], a[1][1], a[2][2]], V: v.flat() as Mat3 };
}

/** S^power for a symmetric positive definite S (power ½ or −½): V·diag(λ^power)·Vᵀ. */
export function symmetricPower(S: Mat3, power: number): Mat3 {
  const { values, V } = symmetricEigen(S);
  const out = new Array(9).fill(0) as Mat3;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[3 * i + j] += V[3 * i + k] * Math.max(values[k], 0) ** power * V[3 * j + k];
  return out;
}

export function matmul3(A: Mat3, B: Mat3): Mat3 {
  const out = new Array(9).fill(0) as Mat3;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[3 * i + j] += A[3 * i + k] * B[3 * k + j];
  return out;
}

/**
 * The transform x' = A·x + b, in network units, that gives the style image (stats `style`, in
 * network units) the content's colour mean and covariance (`content`), matched in RGB 0…1.
 */
export function colourMatchTransform(content: ColourStats, style: ColourStats, conv: InputConvention): { A: Mat3; b: [number, number, number] } {
  // RGB 0…1 of network channel k: u_k = d_k·x_k + e_k
  const d = conv.std.map((s) => s / conv.range), e = conv.mean.map((m) => m / conv.range);
  const toUnit = (s: ColourStats) => ({
    mean: s.mean.map((m, k) => d[k] * m + e[k]),
    cov: s.cov.map((c, i) => d[Math.floor(i / 3)] * c * d[i % 3]) as Mat3,
  });
  const c = toUnit(content), s = toUnit(style);
  const sReg = s.cov.map((v, i) => (i % 4 === 0 ? v + COVARIANCE_EPSILON : v)) as Mat3;
  const Au = matmul3(symmetricPower(c.cov, 0.5), symmetricPower(sReg, -0.5));
  // u' = Au·(u − μs) + μc; x = (u − e)/d
  const A = Au.map((v, i) => (v * d[i % 3]) / d[Math.floor(i / 3)]) as Mat3;
  const b = [0, 1, 2].map((i) => {
    let ub = c.mean[i];
    for (let j = 0; j < 3; j++) ub += Au[3 * i + j] * (e[j] - s.mean[j]);
    return (ub - e[i]) / d[i];
  }) as [number, number, number];
  return { A, b };
}
