/**
 * The two ops SqueezeNet 1.1 adds, in headless Chromium: the general strided convolution
 * (every registered version: strided_conv/v0_plain_* and the blocked strided_conv/v1_blocks_*, which runs
 * by default) and K×K/S max pooling in floor or ceil mode (pool/max_window_forward,
 * pool/max_window_backward), against the CPU references (src/kernels/strided_conv/cpu.ts,
 * src/kernels/pool/window_cpu.ts), finite differences of the CPU forward, and PyTorch.
 * Tolerances (max error relative to the largest reference magnitude):
 *  - max pool forward: 0 — it selects one of the float32 inputs, no arithmetic;
 *  - max pool backward: 1e-6 — each input adds at most ceil(K/S)² float32 gradients (one per
 *    overlapping window), so only float32 rounding of a few additions differs from float64;
 *  - strided conv forward and backward-input: 1e-5 — float32 sums of C·K·K (≤ 45) or O·K·K
 *    (≤ 80) products against float64; float32 rounding is ~1e-7 relative per term;
 *  - finite differences (float64, central): the conv without ReLU is linear in its input and max
 *    pooling is piecewise linear (inputs here are distinct values ≥ 1e-3 apart, so h = 1e-5 never
 *    crosses a tie), so the differences are exact up to float64 rounding; the bound (1e-5) covers
 *    the GPU's float32 rounding;
 *  - PyTorch (torch 1.13 CPU, float64 via /usr/bin/python3): shapes exactly; the CPU references
 *    to 1e-12 (both float64); the GPU as above.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxPoolWindowBackwardRef, maxPoolWindowForwardRef, poolOutSizeRef } from '../src/kernels/pool/window_cpu.js';
import { convOutSizeRef, stridedConvBackwardInputRef, stridedConvForwardRef } from '../src/kernels/strided_conv/cpu.js';
import { REGISTRY } from '../src/kernels/registry.js';
import { windowPooledShape } from '../src/kernels/pool/pool.js';
import { stridedConvShape } from '../src/kernels/strided_conv/strided_conv.js';
import { openGpuPage, type GpuPage } from './harness/gpu_page.js';
import { python } from './harness/python.js';
import { dotSum, expectClose, finiteDiff, pick, randArray, rng, sampleIndices } from './util.js';

let gpu: GpuPage;
beforeAll(async () => {
  gpu = await openGpuPage();
});
afterAll(async () => {
  await gpu?.close();
});

/** n distinct values in [-1, 1), at least 2/n apart, in random order (no ties, no near-ties). */
function distinct(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const v = Array.from({ length: n }, (_, i) => (2 * i) / n - 1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return Float64Array.from(Float32Array.from(v));
}

describe('output shapes (host rules, no GPU)', () => {
  it('windowPooledShape follows PyTorch\'s pooling rule for every small H, K, stride, floor and ceil', () => {
    for (let K = 1; K <= 4; K++)
      for (let S = 1; S <= 4; S++)
        for (let H = K; H <= 14; H++)
          for (const ceil of [false, true]) {
            const want = poolOutSizeRef(H, K, S, ceil);
            expect(windowPooledShape([2, H, K + 1], { K, stride: S, ceil }), `H=${H} K=${K} S=${S} ceil=${ceil}`).toEqual([2, want, poolOutSizeRef(K + 1, K, S, ceil)]);
          }
    // SqueezeNet 1.1 at 224 px: conv1 → 111, pools → 55, 27, 13
    expect(stridedConvShape(224, 224, 3, 2, 0)).toEqual([111, 111]);
    expect(windowPooledShape([64, 111, 111], { K: 3, stride: 2, ceil: true })).toEqual([64, 55, 55]);
    expect(windowPooledShape([128, 55, 55], { K: 3, stride: 2, ceil: true })).toEqual([128, 27, 27]);
    expect(windowPooledShape([256, 27, 27], { K: 3, stride: 2, ceil: true })).toEqual([256, 13, 13]);
    // ceil mode adds a clipped window where floor mode drops the tail
    expect(windowPooledShape([1, 5, 4], { K: 3, stride: 2, ceil: true })).toEqual([1, 2, 2]);
    expect(windowPooledShape([1, 5, 4], { K: 3, stride: 2, ceil: false })).toEqual([1, 2, 1]);
  });
  it('stridedConvShape is floor((H + 2·pad − K)/stride) + 1', () => {
    for (let K = 1; K <= 5; K++)
      for (let S = 1; S <= 3; S++)
        for (let P = 0; P <= 2; P++)
          for (let H = 1; H <= 12; H++) {
            if (H + 2 * P < K) continue;
            expect(stridedConvShape(H, H + 1, K, S, P), `H=${H} K=${K} S=${S} P=${P}`).toEqual([convOutSizeRef(H, K, S, P), convOutSizeRef(H + 1, K, S, P)]);
          }
  });
  it('refuses maps smaller than the window and invalid geometry, saying why', () => {
    expect(() => windowPooledShape([3, 1, 7], { K: 3, stride: 2, ceil: true })).toThrow(/a 1×7 map is too small for 3×3 pooling with stride 2 in ceil mode/);
    expect(() => windowPooledShape([3, 2, 7], { K: 3, stride: 2, ceil: false })).toThrow(/a 2×7 map is too small for 3×3 pooling$/);
    // PyTorch in ceil mode: a map shorter than the window still gets one (clipped) window
    expect(windowPooledShape([3, 2, 7], { K: 3, stride: 2, ceil: true })).toEqual([3, 1, 3]);
    expect(() => windowPooledShape([3, 7], { K: 3, stride: 2, ceil: true })).toThrow(/expected a C×H×W tensor/);
    expect(() => windowPooledShape([3, 7, 7], { K: 3, stride: 0, ceil: true })).toThrow(/stride must be an integer ≥ 1, got 0/);
    expect(() => stridedConvShape(2, 9, 3, 2, 0)).toThrow(/a 2×9 map is smaller than the 3×3 kernel/);
    expect(() => stridedConvShape(1, 1, 5, 1, 1)).toThrow(/a 1×1 map padded by 1 is smaller than the 5×5 kernel/);
    expect(() => stridedConvShape(9, 9, 3, 1.5, 0)).toThrow(/stride must be an integer ≥ 1, got 1.5/);
    expect(() => stridedConvShape(9, 9, 3, 2, -1)).toThrow(/padding must be an integer ≥ 0, got -1/);
  });
});

describe('strided conv', () => {
  // [C, H, W, O, K, stride, pad, relu]: SqueezeNet's conv1 geometry (3×3/2, no padding) on even
  // and odd sizes (a trailing row/column no window reads), then other strides and paddings so the
  // general path runs: 3×3/2 pad 1, 3×3/1 pad 1, 1×1/2 (a downsample), 2×2/3 pad 1 (gaps between
  // windows: inputs with zero gradient), 5×5/2 pad 2.
  it.each([
    [3, 9, 7, 5, 3, 2, 0, 1],
    [3, 10, 8, 5, 3, 2, 0, 0],
    [3, 45, 37, 5, 3, 2, 0, 1],
    [3, 10, 8, 5, 3, 2, 1, 0],
    [3, 45, 37, 5, 3, 2, 1, 1],
    [3, 9, 7, 5, 3, 1, 1, 0],
    [4, 11, 9, 6, 1, 2, 0, 0],
    [2, 10, 11, 3, 2, 3, 1, 1],
    [5, 13, 12, 4, 5, 2, 2, 0],
    // more channels than one block of v1 (8 out, 4 in), neither a multiple of the block
    [6, 11, 10, 13, 3, 2, 0, 1],
  ].flatMap((s) => REGISTRY.strided_conv_forward.map((v): [number, number, number, number, number, number, number, number, string] => [s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], v.id])))('C=%i %i×%i → O=%i, K=%i stride %i pad %i, relu=%i, version %s', async (C, H, W, O, K, stride, pad, relu, version) => {
    const [Ho, Wo] = stridedConvShape(H, W, K, stride, pad);
    const seed = C * 1000 + H * W + K * 7 + stride * 3 + pad;
    const input = randArray(C * H * W, seed), weight = randArray(O * C * K * K, seed + 1, 0.5), bias = randArray(O, seed + 2);
    const gradOut = randArray(O * Ho * Wo, seed + 3);
    const r = await gpu.run('strided_conv', { input, weight, bias, grad_output: gradOut }, { C, H, W, O, K, stride, pad, relu, version });
    const tag = `strided conv ${version} C${C} ${H}×${W} O${O} K${K} S${stride} P${pad} relu${relu}`;
    expect(r.output.length).toBe(O * Ho * Wo);
    expectClose(`${tag} forward`, r.output, stridedConvForwardRef(input, C, H, W, weight, bias, O, K, stride, pad, !!relu), 1e-5);
    expectClose(`${tag} backward-input`, r.grad_input, stridedConvBackwardInputRef(gradOut, C, H, W, weight, O, K, stride, pad), 1e-5);
    // the gradient of Σ gradOut ⊙ conv(x) (no ReLU: the kernel sees the gradient after it)
    const idx = sampleIndices(C * H * W, 32);
    const fd = finiteDiff((x) => dotSum(gradOut, stridedConvForwardRef(x, C, H, W, weight, bias, O, K, stride, pad)), Float64Array.from(input), idx);
    expectClose(`${tag} backward-input FD`, pick(r.grad_input, idx), fd, 1e-5);
    if (relu) expect(Math.min(...r.output)).toBe(0);
  });

  it('the input positions no window reads get zero gradient (2×2 stride 3: gaps between windows)', async () => {
    const [C, H, W, O, K, stride, pad] = [2, 8, 8, 3, 2, 3, 0];
    const [Ho, Wo] = stridedConvShape(H, W, K, stride, pad); // windows at rows 0–1, 3–4, 6–7
    const r = await gpu.run('strided_conv', { input: randArray(C * H * W, 1), weight: randArray(O * C * K * K, 2), bias: randArray(O, 3), grad_output: randArray(O * Ho * Wo, 4) }, { C, H, W, O, K, stride, pad, relu: 0 });
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const covered = y % 3 !== 2 && x % 3 !== 2;
          const g = r.grad_input[(c * H + y) * W + x];
          if (covered) expect(g, `(${c}, ${y}, ${x})`).not.toBe(0);
          else expect(g, `(${c}, ${y}, ${x})`).toBe(0);
        }
  });
});

describe('max pool K×K stride S', () => {
  // [C, H, W, K, stride, ceil]: SqueezeNet's 3×3/2 ceil mode where it equals floor mode (7×7),
  // where it adds a clipped last window (8×6, 22×18, 5×4), the same in floor mode, windows with
  // gaps (2×2/3), heavy overlap (3×3/1), and many channels (more than one workgroup).
  it.each([
    [2, 7, 7, 3, 2, 1],
    [2, 2, 5, 3, 2, 1],
    [3, 8, 6, 3, 2, 1],
    [4, 22, 18, 3, 2, 1],
    [1, 5, 4, 3, 2, 1],
    [3, 8, 6, 3, 2, 0],
    [4, 22, 18, 3, 2, 0],
    [2, 9, 10, 2, 3, 1],
    [2, 6, 7, 3, 1, 0],
    [70, 11, 13, 3, 2, 1],
  ])('C=%i %i×%i, K=%i stride %i, ceil=%i', async (C, H, W, K, stride, ceil) => {
    const win = { K, stride, ceil: !!ceil };
    const [, Ho, Wo] = windowPooledShape([C, H, W], win);
    const input = distinct(C * H * W, C + H * W + K);
    const gradOut = randArray(C * Ho * Wo, C + H + stride);
    const r = await gpu.run('pool_window', { input, grad_output: gradOut }, { C, H, W, K, stride, ceil });
    const tag = `maxpool ${K}×${K}/${stride} ceil${ceil} C${C} ${H}×${W}`;
    expect(r.output.length).toBe(C * Ho * Wo);
    expectClose(`${tag} forward`, r.output, maxPoolWindowForwardRef(input, C, H, W, K, stride, !!ceil), 0);
    expectClose(`${tag} backward`, r.grad_input, maxPoolWindowBackwardRef(input, C, H, W, K, stride, !!ceil, gradOut), 1e-6);
    const idx = sampleIndices(C * H * W, 40);
    const fd = finiteDiff((x) => dotSum(gradOut, maxPoolWindowForwardRef(x, C, H, W, K, stride, !!ceil)), Float64Array.from(input), idx, 1e-5);
    expectClose(`${tag} backward FD`, pick(r.grad_input, idx), fd, 1e-5);
  });

  it.each([
    [3, 8, 6, 3, 2, 1],
    [2, 22, 18, 3, 2, 1],
    [2, 9, 7, 3, 2, 0],
    [2, 7, 8, 3, 1, 1],
  ])('ties (constant regions) go to the first maximum in row-major order: C=%i %i×%i, K=%i stride %i, ceil=%i', async (C, H, W, K, stride, ceil) => {
    // channel 0 constant; the others quantised to 5 levels (most windows hold a tied maximum)
    const q = randArray(C * H * W, H * W).map((v, i) => (i < H * W ? 0.25 : Math.round(v * 2) / 2));
    const [, Ho, Wo] = windowPooledShape([C, H, W], { K, stride, ceil: !!ceil });
    const gradOut = randArray(C * Ho * Wo, 11);
    const r = await gpu.run('pool_window', { input: q, grad_output: gradOut }, { C, H, W, K, stride, ceil });
    const tag = `maxpool ties ${K}×${K}/${stride} ceil${ceil} C${C} ${H}×${W}`;
    expectClose(`${tag} forward`, r.output, maxPoolWindowForwardRef(q, C, H, W, K, stride, !!ceil), 0);
    expectClose(`${tag} backward`, r.grad_input, maxPoolWindowBackwardRef(q, C, H, W, K, stride, !!ceil, gradOut), 1e-6);
  });

  it('a constant 4×4 map, 3×3/2 ceil: each (clipped) window\'s gradient lands on its top-left input', async () => {
    const r = await gpu.run('pool_window', { input: new Float64Array(16).fill(2), grad_output: [1, 2, 3, 4] }, { C: 1, H: 4, W: 4, K: 3, stride: 2, ceil: 1 });
    expect([...r.output]).toEqual([2, 2, 2, 2]);
    expect([...r.grad_input]).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
  });

  it('refuses a map smaller than the window', async () => {
    await expect(gpu.run('pool_window', { input: randArray(2 * 1 * 5, 1), grad_output: [] }, { C: 2, H: 1, W: 5, K: 3, stride: 2, ceil: 1 })).rejects.toThrow(/a 1×5 map is too small for 3×3 pooling/);
  });
});

const TORCH_SCRIPT = `
import json, sys, torch
import torch.nn.functional as F
req = json.load(sys.stdin)
d = torch.float64
res = {'pool_shapes': [], 'pool': [], 'conv': []}
for n, K, S, ceil in req['pool_shapes']:
    try:
        res['pool_shapes'].append(F.max_pool2d(torch.zeros(1, 1, n, n), K, S, 0, ceil_mode=ceil).shape[2])
    except RuntimeError:  # output would be empty
        res['pool_shapes'].append(0)
for c in req['pool']:
    x = torch.tensor(c['input'], dtype=d).reshape(1, c['C'], c['H'], c['W']).requires_grad_()
    y = F.max_pool2d(x, c['K'], c['stride'], 0, ceil_mode=c['ceil'])
    y.backward(torch.tensor(c['grad_output'], dtype=d).reshape(y.shape))
    res['pool'].append({'shape': list(y.shape[1:]), 'output': y.detach().flatten().tolist(), 'grad_input': x.grad.flatten().tolist()})
for c in req['conv']:
    x = torch.tensor(c['input'], dtype=d).reshape(1, c['C'], c['H'], c['W']).requires_grad_()
    w = torch.tensor(c['weight'], dtype=d).reshape(c['O'], c['C'], c['K'], c['K'])
    y = F.conv2d(x, w, torch.tensor(c['bias'], dtype=d), stride=c['stride'], padding=c['pad'])
    y.backward(torch.tensor(c['grad_output'], dtype=d).reshape(y.shape))
    res['conv'].append({'shape': list(y.shape[1:]), 'output': y.detach().flatten().tolist(), 'grad_input': x.grad.flatten().tolist()})
print(json.dumps(res))
`;

describe('agreement with PyTorch (torch.nn.functional.max_pool2d / conv2d, float64)', () => {
  it('shapes, forward and input gradients match the CPU references and the GPU', async () => {
    const poolShapes: [number, number, number, boolean][] = [];
    for (let K = 1; K <= 4; K++) for (let S = 1; S <= 4; S++) for (let n = 1; n <= 12; n++) for (const ceil of [false, true]) poolShapes.push([n, K, S, ceil]);
    // pooling: distinct values, and values quantised to 3 levels (ties: PyTorch's first maximum)
    const pool = [
      { C: 2, H: 8, W: 6, K: 3, stride: 2, ceil: true, input: distinct(96, 1) },
      { C: 1, H: 5, W: 4, K: 3, stride: 2, ceil: true, input: distinct(20, 2) },
      { C: 2, H: 9, W: 7, K: 3, stride: 2, ceil: false, input: distinct(126, 3) },
      { C: 2, H: 8, W: 7, K: 3, stride: 2, ceil: true, input: randArray(112, 4).map((v) => Math.round(v)) },
    ].map((c) => {
      const [, Ho, Wo] = windowPooledShape([c.C, c.H, c.W], c);
      return { ...c, input: [...c.input], grad_output: [...randArray(c.C * Ho * Wo, c.H * c.W)] };
    });
    const conv = [
      [3, 10, 8, 5, 3, 2, 0],
      [3, 9, 7, 5, 3, 2, 1],
      [2, 10, 11, 3, 2, 3, 1],
    ].map(([C, H, W, O, K, stride, pad]) => {
      const [Ho, Wo] = stridedConvShape(H, W, K, stride, pad);
      const a = (n: number, s: number) => [...randArray(n, H * W + s)];
      return { C, H, W, O, K, stride, pad, input: a(C * H * W, 1), weight: a(O * C * K * K, 2), bias: a(O, 3), grad_output: a(O * Ho * Wo, 4) };
    });
    const torch = JSON.parse(await python(TORCH_SCRIPT, { pool_shapes: poolShapes, pool, conv }));

    // 0: PyTorch refuses the size (an empty output); ours must refuse it too
    const ours = (n: number, K: number, S: number, ceil: boolean) => {
      try {
        return windowPooledShape([1, n, n], { K, stride: S, ceil })[1];
      } catch {
        return 0;
      }
    };
    expect(poolShapes.map(([n, K, S, ceil]) => ours(n, K, S, ceil))).toEqual(torch.pool_shapes);
    for (const [i, c] of pool.entries()) {
      const t = torch.pool[i];
      const tag = `torch maxpool ${c.H}×${c.W} ceil=${c.ceil} #${i}`;
      expect(windowPooledShape([c.C, c.H, c.W], c)).toEqual(t.shape);
      expectClose(`${tag} forward (CPU ref)`, maxPoolWindowForwardRef(c.input, c.C, c.H, c.W, c.K, c.stride, c.ceil), t.output, 1e-12);
      expectClose(`${tag} backward (CPU ref)`, maxPoolWindowBackwardRef(c.input, c.C, c.H, c.W, c.K, c.stride, c.ceil, c.grad_output), t.grad_input, 1e-12);
      const r = await gpu.run('pool_window', { input: c.input, grad_output: c.grad_output }, { C: c.C, H: c.H, W: c.W, K: c.K, stride: c.stride, ceil: c.ceil ? 1 : 0 });
      expectClose(`${tag} forward (GPU)`, r.output, t.output, 0);
      expectClose(`${tag} backward (GPU)`, r.grad_input, t.grad_input, 1e-6);
    }
    for (const [i, c] of conv.entries()) {
      const t = torch.conv[i];
      const tag = `torch conv ${c.H}×${c.W} K${c.K} S${c.stride} P${c.pad}`;
      expect([c.O, ...stridedConvShape(c.H, c.W, c.K, c.stride, c.pad)]).toEqual(t.shape);
      expectClose(`${tag} forward (CPU ref)`, stridedConvForwardRef(c.input, c.C, c.H, c.W, c.weight, c.bias, c.O, c.K, c.stride, c.pad), t.output, 1e-12);
      expectClose(`${tag} backward-input (CPU ref)`, stridedConvBackwardInputRef(c.grad_output, c.C, c.H, c.W, c.weight, c.O, c.K, c.stride, c.pad), t.grad_input, 1e-12);
      const r = await gpu.run('strided_conv', { input: c.input, weight: c.weight, bias: c.bias, grad_output: c.grad_output }, { C: c.C, H: c.H, W: c.W, O: c.O, K: c.K, stride: c.stride, pad: c.pad, relu: 0 });
      expectClose(`${tag} forward (GPU)`, r.output, t.output, 1e-5);
      expectClose(`${tag} backward-input (GPU)`, r.grad_input, t.grad_input, 1e-5);
    }
  });
});
