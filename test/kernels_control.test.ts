/**
 * The kernels of Gatys et al. 2017's controls, in headless Chromium against the CPU references
 * (src/kernels/guide/cpu.ts, src/kernels/image/cpu.ts), finite differences and PyTorch:
 * a guidance map's pyramid (guide/mask_downsample), weighted features (guide/mask_features), the
 * guided Gram and its backward, and colour matching's moments and transform (image/colour_*),
 * with the host's 3×3 matrix functions (src/nst/colour_match.ts).
 * Tolerances (max error relative to the largest reference magnitude):
 *  - pyramid: 1e-6 — a mean of ≤ K² float32 values against float64;
 *  - weighted features: 1e-6 — one or two float32 multiplies;
 *  - guided Gram: 1e-5 forward and backward — float32 sums of M (≤ 600) products, as the plain
 *    Gram's tests; finite differences (float64, central, h = 1e-3) of the CPU forward: the loss
 *    Σ dG ⊙ G(F) is quadratic in F, so central differences are exact up to rounding; 1e-5;
 *  - moments: 1e-5 — float32 sums of ~1000 terms, added in float64 on the host;
 *  - colour transform: 1e-6 — three multiply-adds;
 *  - matrix functions (float64 throughout): 1e-9;
 *  - PyTorch (torch 1.13 CPU, float64): the pyramid's sizes exactly, its values 1e-12.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guidedGramRef, maskDownsampleRef, maskFeaturesRef } from '../src/kernels/guide/cpu.js';
import { windowLength } from '../src/kernels/guide/guide.js';
import { colourAffineRef, colourMomentsRef, resizeBilinearRef } from '../src/kernels/image/cpu.js';
import { resizeBilinear } from '../src/io/rgba_image.js';
import { TORCHVISION_CONVENTION, CAFFE_CONVENTION } from '../src/kernels/image/image.js';
import { eligibleVersions } from '../src/kernels/registry.js';
import { colourMatchTransform, COVARIANCE_EPSILON, matmul3, statsFromMoments, symmetricEigen, symmetricPower, type Mat3 } from '../src/nst/colour_match.js';
import { openGpuPage, type GpuPage } from './harness/gpu_page.js';
import { python } from './harness/python.js';
import { expectClose, finiteDiff, pick, randArray, sampleIndices } from './util.js';

let gpu: GpuPage;
beforeAll(async () => {
  gpu = await openGpuPage();
});
afterAll(async () => {
  await gpu?.close();
});

const unit = (n: number, seed: number) => Float64Array.from(randArray(n, seed), (v) => (v + 1) / 2);

// [H, W, K, stride, pad, ceil]: VGG's 2×2/2 pools on even and odd maps, SqueezeNet's conv1 (3×3/2)
// and its 3×3/2 ceil-mode pools (a clipped last window), a padded window, a 1×1/2 step, a 1×N map
const WINDOWS: [number, number, number, number, number, boolean][] = [
  [8, 6, 2, 2, 0, false],
  [9, 7, 2, 2, 0, false],
  [13, 11, 3, 2, 0, false],
  [13, 10, 3, 2, 0, true],
  [12, 12, 3, 2, 0, true],
  [10, 9, 3, 2, 1, false],
  [11, 9, 1, 2, 0, false],
  [1, 17, 1, 1, 0, false],
  [7, 7, 3, 3, 1, true],
];

describe('guidance map pyramid', () => {
  it.each(WINDOWS)('H=%i W=%i, %i×%i windows stride %i pad %i ceil %s', async (H, W, K, stride, pad, ceil) => {
    const m = unit(H * W, H * 100 + W + K);
    const w = { K, stride, pad, ceil };
    const r = await gpu.run('mask_downsample', { m }, { H, W, ...w, ceil: ceil ? 1 : 0 });
    expect(r.out.length).toBe(windowLength(H, w) * windowLength(W, w));
    expectClose(`pyramid ${H}×${W} K${K} S${stride} P${pad} ceil=${ceil}`, r.out, maskDownsampleRef(m, H, W, w), 1e-6);
  });

  it('a map of ones stays ones, and a half-black map keeps its area at every level', async () => {
    const [H, W] = [16, 12];
    const half = Float64Array.from({ length: H * W }, (_, i) => (i % W < W / 2 ? 1 : 0));
    const w = { K: 2, stride: 2, pad: 0, ceil: false };
    const ones = await gpu.run('mask_downsample', { m: new Float64Array(H * W).fill(1) }, { H, W, ...w, ceil: 0 });
    expect([...ones.out].every((v) => v === 1)).toBe(true);
    const r = await gpu.run('mask_downsample', { m: half }, { H, W, ...w, ceil: 0 });
    expect(r.out.reduce((a, b) => a + b, 0) / r.out.length).toBeCloseTo(0.5, 6);
  });

  it('sizes and values agree with PyTorch\'s avg_pool2d (count_include_pad=False), floor and ceil mode', async () => {
    const cases = WINDOWS.map(([H, W, K, stride, pad, ceil]) => ({ H, W, K, stride, pad, ceil, m: [...unit(H * W, H + W)] }));
    const torch = JSON.parse(await python(`
import json, sys, torch
import torch.nn.functional as F
out = []
for c in json.load(sys.stdin):
    m = torch.tensor(c['m'], dtype=torch.float64).reshape(1, 1, c['H'], c['W'])
    y = F.avg_pool2d(m, c['K'], c['stride'], c['pad'], ceil_mode=c['ceil'], count_include_pad=False)
    out.append({'shape': list(y.shape[2:]), 'values': y.flatten().tolist()})
print(json.dumps(out))
`, cases));
    for (const [i, c] of cases.entries()) {
      const tag = `torch avg_pool2d ${c.H}×${c.W} K${c.K} S${c.stride} P${c.pad} ceil=${c.ceil}`;
      expect([windowLength(c.H, c), windowLength(c.W, c)], tag).toEqual(torch[i].shape);
      expectClose(tag, maskDownsampleRef(c.m, c.H, c.W, c), torch[i].values, 1e-12);
    }
  });
});

describe('guided Gram', () => {
  it.each([1, 2] as const)('weighted features, power %i', async (power) => {
    const [C, H, W] = [5, 7, 9];
    const x = randArray(C * H * W, 3), m = unit(H * W, 4);
    const r = await gpu.run('mask_features', { x, m }, { C, H, W, power });
    expectClose(`mask_features power ${power}`, r.out, maskFeaturesRef(x, m, C, H * W, power), 1e-6);
  });

  // [C, H, W]: tiny, odd, C past one 8-block, a wide map (split-K in the planned versions), and
  // C and H·W multiples of 4 (the subgroup versions)
  const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [13, 6, 6], [9, 20, 30], [12, 4, 8]];
  // every version that can run the shape, forward and backward paired in turn
  const cases = SHAPES.flatMap(([C, H, W]) => {
    const forwards = eligibleVersions('gram_forward', { C, M: H * W }).map((v) => v.id), backwards = eligibleVersions('gram_backward', { C, M: H * W }).map((v) => v.id);
    return Array.from({ length: Math.max(forwards.length, backwards.length) }, (_, i) => [C, H, W, forwards[i % forwards.length], backwards[i % backwards.length]] as [number, number, number, string, string]);
  });
  it.each(cases)(
    'C=%i %i×%i, Gram %s, backward %s',
    async (C, H, W, variant, backward) => {
      const M = H * W;
      const features = randArray(C * M, C + M), mask = unit(M, M), gradGram = randArray(C * C, C);
      // a soft mask with a black part: positions with m = 0 get no gradient
      for (let p = 0; p < M; p += 3) mask[p] = 0;
      const scale = 1 / M;
      const r = await gpu.run('guided_gram', { features, mask, grad_gram: gradGram }, { C, H, W, scale, variant, backward });
      const tag = `guided gram C${C} ${H}×${W} ${variant}/${backward}`;
      expectClose(`${tag} forward`, r.gram, guidedGramRef(features, mask, C, M, scale), 1e-5);
      const idx = sampleIndices(C * M, 24);
      const fd = finiteDiff((f) => guidedGramRef(f, mask, C, M, scale).reduce((s, g, i) => s + g * gradGram[i], 0), Float64Array.from(features), idx);
      expectClose(`${tag} backward FD`, pick(r.grad_features, idx), fd, 1e-5);
      for (let p = 0; p < M; p += 3) for (let c = 0; c < C; c++) expect(Math.abs(r.grad_features[c * M + p])).toBe(0);
    },
  );
});

describe('bilinear resize (coarse to fine carries its image with it)', () => {
  // [C, h, w, H, W]: one pixel spread, a scale's ×2 (odd rows), up by 2.3×/2.2×, down, 1×N, unchanged
  it.each([
    [3, 1, 1, 5, 3],
    [3, 85, 128, 170, 256],
    [3, 7, 5, 16, 11],
    [2, 37, 29, 5, 4],
    [1, 1, 17, 3, 40],
    [3, 9, 7, 9, 7],
  ] as const)('C=%i %i×%i → %i×%i', async (C, h, w, H, W) => {
    const input = randArray(C * h * w, h * 31 + w, 3);
    const r = await gpu.run('resize_bilinear', { input }, { C, h, w, H, W });
    expectClose(`resize ${h}×${w} → ${H}×${W}`, r.out, resizeBilinearRef(input, C, h, w, H, W), 1e-5);
  });

  it("is resizeBilinear's convention on pixels, unrounded (within ½ of its bytes)", async () => {
    const [h, w, H, W] = [13, 10, 27, 19];
    const bytes = Uint8Array.from(randArray(h * w * 4, 7), (v) => Math.floor((v + 1) * 127.9));
    const want = resizeBilinear({ width: w, height: h, data: bytes }, W, H).data;
    // RGBA interleaved → 4 planes
    const planes = Float64Array.from({ length: 4 * h * w }, (_, i) => bytes[(i % (h * w)) * 4 + Math.floor(i / (h * w))]);
    const r = await gpu.run('resize_bilinear', { input: planes }, { C: 4, h, w, H, W });
    let worst = 0;
    for (let i = 0; i < 4 * H * W; i++) worst = Math.max(worst, Math.abs(r.out[i] - want[(i % (H * W)) * 4 + Math.floor(i / (H * W))]));
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-3);
  });
});

describe('colour matching', () => {
  it.each([[1, 1], [5, 7], [37, 29], [256, 300]])('moments of a 3×%i×%i image', async (H, W) => {
    const n = H * W;
    const image = randArray(3 * n, n);
    const r = await gpu.run('colour_moments', { image }, { H, W });
    const sums = new Float64Array(9);
    r.partials.forEach((v, i) => (sums[i % 9] += v));
    expectClose(`moments ${H}×${W}`, sums, colourMomentsRef(image, n), 1e-5);
  });

  it('the transform of every pixel', async () => {
    const [H, W] = [9, 11];
    const x = randArray(3 * H * W, 5);
    const A = [0.9, 0.1, -0.2, 0.05, 1.1, 0, -0.3, 0.2, 0.8], b = [0.1, -0.2, 0.3];
    const r = await gpu.run('colour_affine', { x }, { H, W, A, b });
    expectClose('colour affine', r.out, colourAffineRef(x, H * W, A, b), 1e-6);
  });

  const spd = (seed: number): Mat3 => {
    const g = randArray(9, seed);
    const B = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => g[3 * i + j])) as Mat3;
    const Bt = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => B[3 * j + i])) as Mat3;
    return matmul3(B, Bt).map((v, i) => (i % 4 === 0 ? v + 0.01 : v)) as Mat3;
  };

  it('eigen-decomposition and square roots of symmetric 3×3 matrices', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const S = spd(seed);
      const { values, V } = symmetricEigen(S);
      const back = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => values.reduce((s, l, k) => s + V[3 * i + k] * l * V[3 * j + k], 0)));
      expectClose(`eigen ${seed}`, back, S, 1e-9);
      const R = symmetricPower(S, 0.5);
      expectClose(`sqrt² ${seed}`, matmul3(R, R), S, 1e-9);
      expectClose(`sqrt·invsqrt ${seed}`, matmul3(R, symmetricPower(S, -0.5)), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-9);
    }
    // already diagonal, and a repeated eigenvalue
    expectClose('diagonal', symmetricPower([4, 0, 0, 0, 9, 0, 0, 0, 16], 0.5), [2, 0, 0, 0, 3, 0, 0, 0, 4], 1e-12);
    expectClose('repeated', symmetricPower([2, 1, 0, 1, 2, 0, 0, 0, 3], 0.5), symmetricPower(symmetricPower([2, 1, 0, 1, 2, 0, 0, 0, 3], 0.25), 2), 1e-9);
  });

  it.each([['torchvision', TORCHVISION_CONVENTION], ['Caffe (BGR, 0…255)', CAFFE_CONVENTION]] as const)(
    'the recoloured style has the content\'s mean and covariance, in RGB 0…1 (%s units)',
    (_name, conv) => {
      // two synthetic images: RGB in 0…1 with correlated channels, then in the network's units
      const d = conv.std.map((v) => v / conv.range), e = conv.mean.map((v) => v / conv.range);
      const image = (seed: number) => {
        const n = 500;
        const u = unit(3 * n, seed);
        for (let p = 0; p < n; p++) u[n + p] = 0.6 * u[p] + 0.4 * u[n + p]; // correlated channels
        const x = u.map((v, i) => (v - e[Math.floor(i / n)]) / d[Math.floor(i / n)]);
        return { x, n, s: statsFromMoments(colourMomentsRef(x, n), n) };
      };
      const c = image(1), s = image(2);
      const { A, b } = colourMatchTransform(c.s, s.s, conv);
      const y = colourAffineRef(s.x, s.n, A, b);
      const got = statsFromMoments(colourMomentsRef(y, s.n), s.n);
      expectClose('mean', got.mean, c.s.mean, 1e-9);
      // in RGB 0…1 the transform is Au = D·A·D⁻¹, and it maps the style's covariance regularised by
      // ε·I to the content's: Au·Σs·Auᵀ + ε·Au·Auᵀ = Σc
      const rgb = (M: number[]) => M.map((v, i) => d[Math.floor(i / 3)] * v * d[i % 3]);
      const Au = A.map((v, i) => (d[Math.floor(i / 3)] * v) / d[i % 3]) as Mat3;
      const AuT = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => Au[3 * j + i])) as Mat3;
      const AAt = matmul3(Au, AuT);
      expectClose('covariance', rgb(got.cov).map((v, i) => v + COVARIANCE_EPSILON * AAt[i]), rgb(c.s.cov), 1e-9);
    },
  );
});
