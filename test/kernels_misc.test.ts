/**
 * ReLU, pooling, Gram, losses, reduction, elementwise helpers, image conversion and Adam vs CPU
 * references (and finite differences for every backward pass), in headless Chromium.
 * Tolerances (relative to the largest reference magnitude):
 *  - exact ops (ReLU, max pool, fill, repack, pixel bytes): 0 or 1 byte;
 *  - float32 sums of up to ~10⁴ terms (Gram, reductions, losses): 1e-4 (observed ≤ 1e-6);
 *  - finite differences in double precision: the functions are linear or quadratic (or piecewise
 *    linear away from kinks), so central differences are exact up to rounding: 1e-4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAM_DEFAULTS } from '../src/kernels/optim/adam.js';
import { axpbyRef, reluBackwardRef, reluForwardRef } from '../src/kernels/elementwise/cpu.js';
import { poolBackwardRef, poolForwardRef } from '../src/kernels/pool/cpu.js';
import { squaredErrorRef, temporalLossRef, tvLossRef } from '../src/kernels/loss/cpu.js';
import { sumRef } from '../src/kernels/reduce/cpu.js';
import { originalColorsRef, postprocessRef, preprocessRef } from '../src/kernels/image/cpu.js';
import { adamBf16Ref, adamRef, bf16Bits, unpackMoments } from '../src/kernels/optim/cpu.js';
import { maskRef, windowAddRef, windowCopyRef } from '../src/kernels/tile/cpu.js';
import { gramBackwardRef, gramForwardRef } from '../src/kernels/gram/cpu.js';
import { GRAM_TEST_SHAPES } from '../src/kernels/gram/cases.js';
import { matmulRef } from '../src/kernels/matmul/matmul.js';
import { eligibleVersions, REGISTRY } from '../src/kernels/registry.js';
import { makePlan } from '../src/kernels/plan.js';
import { CAFFE_CONVENTION, TORCHVISION_CONVENTION, pixelBounds } from '../src/kernels/image/image.js';
import { openGpuPage, type GpuPage } from './harness/gpu_page.js';
import { dotSum, expectClose, finiteDiff, pick, randArray, rng, sampleIndices } from './util.js';

let gpu: GpuPage;
beforeAll(async () => {
  gpu = await openGpuPage();
});
afterAll(async () => {
  await gpu?.close();
});

describe('relu', () => {
  it.each([1, 7, 256, 257, 1000])('forward and backward, n=%i', async (n) => {
    // keep values away from 0 so finite differences do not straddle the kink
    const input = Float64Array.from(Float32Array.from(randArray(n, n).map((v) => (Math.abs(v) < 0.01 ? v + 0.05 : v))));
    const gradOut = randArray(n, n + 1);
    const r = await gpu.run('relu', { input, grad_output: gradOut }, { n });
    expectClose(`relu_forward n=${n}`, r.output, reluForwardRef(input), 0);
    expectClose(`relu_backward n=${n}`, r.grad_input, reluBackwardRef(input, gradOut), 0);
    const idx = sampleIndices(n, 16);
    const fd = finiteDiff((x) => dotSum(gradOut, reluForwardRef(x)), Float64Array.from(input), idx, 1e-4);
    expectClose(`relu_backward FD n=${n}`, pick(r.grad_input, idx), fd, 1e-4);
    const inPlace = await gpu.run('relu_inplace', { input, grad_output: gradOut }, { n });
    expectClose(`relu_backward_inplace n=${n}`, inPlace.grad, reluBackwardRef(input, gradOut), 0);
    expectClose(`relu_backward_inplace FD n=${n}`, pick(inPlace.grad, idx), fd, 1e-4);
  });
});

describe.each(['max', 'avg'] as const)('%s pool 2×2', (kind) => {
  // odd H and W (trailing row/column dropped), 1 channel, many channels
  it.each([
    [1, 2, 2],
    [1, 5, 7],
    [3, 9, 4],
    [70, 6, 3],
    [2, 33, 35],
  ])('C=%i H=%i W=%i', async (C, H, W) => {
    const input = randArray(C * H * W, C + H * W);
    const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2);
    const gradOut = randArray(C * Ho * Wo, C + H);
    const r = await gpu.run('pool', { input, grad_output: gradOut }, { kind, C, H, W });
    const tag = `${kind}pool C${C} H${H} W${W}`;
    expectClose(`${tag} forward`, r.output, poolForwardRef(kind, input, C, H, W), 1e-6);
    expectClose(`${tag} backward`, r.grad_input, poolBackwardRef(kind, input, C, H, W, gradOut), 1e-6);
    const idx = sampleIndices(C * H * W, 32);
    const fd = finiteDiff((x) => dotSum(gradOut, poolForwardRef(kind, x, C, H, W)), Float64Array.from(input), idx, 1e-5);
    expectClose(`${tag} backward FD`, pick(r.grad_input, idx), fd, 1e-4);
  });
});

describe('gram', () => {
  it.each(GRAM_TEST_SHAPES)('C=%i M=%i scale=%f', async (C, M, scale) => {
    const features = randArray(C * M, C * 31 + M);
    const gradGram = randArray(C * C, C + M); // deliberately not symmetric
    // every registered forward and backward version (registry.ts), the split-K path where the plan has slices
    // the wide maps run split-K in every version that can take them
    if (M >= 9000) for (const v of eligibleVersions('gram_forward', { C, M })) expect(makePlan('gram_forward', { C, M }, { version: v.id, splits: 1 }).splits, v.id).toBeGreaterThan(1);
    const idx = sampleIndices(C * M, 24);
    const fd = finiteDiff((f) => dotSum(gradGram, gramForwardRef(f, C, M, scale)), Float64Array.from(features), idx);
    // every version that can run the shape (vec4 needs M % 4 = 0; the cases above have both kinds)
    const forwards = eligibleVersions('gram_forward', { C, M }).map((v) => v.id), backwards = eligibleVersions('gram_backward', { C, M }).map((v) => v.id);
    for (let i = 0; i < Math.max(forwards.length, backwards.length); i++) {
      const [variant, backward] = [forwards[i % forwards.length], backwards[i % backwards.length]];
      const r = await gpu.run('gram', { features, grad_gram: gradGram }, { C, M, scale, variant, backward });
      expectClose(`gram forward ${variant} C${C} M${M}`, r.gram, gramForwardRef(features, C, M, scale), 1e-4);
      expectClose(`gram backward ${backward} C${C} M${M}`, r.grad_features, gramBackwardRef(features, C, M, gradGram, scale), 1e-4);
      expectClose(`gram backward ${backward} FD C${C} M${M}`, pick(r.grad_features, idx), fd, 1e-4);
    }
  });
});

// Tiling kernels: windows at the map's corners and inside it, 1-pixel windows and whole-map
// windows, odd sizes, more than one 256-wide workgroup; masks that are empty, whole, or a strip.
// Exact copies and single additions: bound 1e-6 of the largest value (float32 rounding of a + b).
describe('tiling', () => {
  it.each([
    [1, 1, 1, 1, 1, 0, 0],
    [3, 13, 11, 5, 4, 8, 7],
    [2, 9, 17, 9, 17, 0, 0],
    [4, 40, 33, 16, 1, 24, 32],
    [3, 50, 41, 23, 19, 0, 22],
  ])('window C=%i %i×%i, %i×%i at (%i, %i): copy out and add in', async (C, H, W, h, w, y0, x0) => {
    const full = randArray(C * H * W, H * W + h), add = randArray(C * h * w, w + 3);
    const r = await gpu.run('window', { full, add }, { C, H, W, h, w, y0, x0 });
    expectClose(`window copy ${H}×${W}`, r.window, windowCopyRef(full, C, H, W, h, w, y0, x0), 1e-6);
    expectClose(`window add ${H}×${W}`, r.full, windowAddRef(full, add, C, H, W, h, w, y0, x0), 1e-6);
  });
  it.each([
    [3, 13, 11, { y0: 2, y1: 9, x0: 4, x1: 11 }],
    [2, 7, 5, { y0: 0, y1: 7, x0: 0, x1: 5 }],
    [2, 7, 5, { y0: 3, y1: 3, x0: 0, x1: 5 }],
    [5, 30, 19, { y0: 16, y1: 30, x0: 0, x1: 1 }],
  ])('mask C=%i %i×%i %o', async (C, H, W, rect) => {
    const input = randArray(C * H * W, H + W);
    const r = await gpu.run('mask', { input }, { C, H, W, rect });
    expectClose(`mask ${H}×${W}`, r.output, maskRef(input, C, H, W, rect), 0);
  });
  // Backward, as the tiled evaluation uses them: copying a window out is undone by adding the
  // window's gradient into a zero map; a mask's gradient is the gradient masked. Both maps are
  // linear, so central differences in double precision are exact up to rounding (bound 1e-6).
  it('backward: the gradients of copy-out and mask match finite differences', async () => {
    const [C, H, W, h, w, y0, x0] = [3, 13, 11, 5, 4, 8, 7];
    const full = randArray(C * H * W, 5), g = randArray(C * h * w, 6);
    const back = await gpu.run('window', { full: new Float32Array(C * H * W), add: g }, { C, H, W, h, w, y0, x0 });
    const idx = sampleIndices(C * H * W, 40);
    const fd = finiteDiff((f) => dotSum(g, windowCopyRef(f, C, H, W, h, w, y0, x0)), Float64Array.from(full), idx);
    expectClose('window backward FD', pick(back.full, idx), fd, 1e-6);
    const rect = { y0: 2, y1: 9, x0: 4, x1: 11 };
    const gm = randArray(C * H * W, 7);
    const mb = await gpu.run('mask', { input: gm }, { C, H, W, rect });
    const fdm = finiteDiff((x) => dotSum(gm, maskRef(x, C, H, W, rect)), Float64Array.from(full), idx);
    expectClose('mask backward FD', pick(mb.output, idx), fdm, 1e-6);
  });
  it('refuses a window or rectangle outside the map', async () => {
    await expect(gpu.run('window', { full: randArray(2 * 8 * 8, 1), add: randArray(2 * 4 * 4, 2) }, { C: 2, H: 8, W: 8, h: 4, w: 4, y0: 5, x0: 0 })).rejects.toThrow(
      /a 4×4 window at \(5, 0\) does not fit a 8×8 map/,
    );
    await expect(gpu.run('mask', { input: randArray(8, 1) }, { C: 2, H: 2, W: 2, rect: { y0: 0, y1: 3, x0: 0, x1: 1 } })).rejects.toThrow(/not a rectangle of a 2×2 map/);
  });
});

describe('losses and reduction', () => {
  it.each([1, 255, 256, 257, 70000])('squared error n=%i', async (n) => {
    const input = randArray(n, n), target = randArray(n, n + 5);
    const scale = 0.5;
    const r = await gpu.run('squared_error', { input, target }, { n, scale });
    const ref = squaredErrorRef(input, target, scale);
    expectClose(`squared_error loss n=${n}`, [r.loss[1]], [ref.loss], 1e-4);
    expectClose(`squared_error grad n=${n}`, r.grad, ref.grad, 1e-6);
    const idx = sampleIndices(n, 16);
    const fd = finiteDiff((x) => squaredErrorRef(x, target, scale).loss, Float64Array.from(input), idx);
    expectClose(`squared_error FD n=${n}`, pick(r.grad, idx), fd, 1e-4);
  });

  it.each([
    [1, 1, 1, false],
    [3, 1, 40, true],
    [3, 29, 1, false],
    [3, 37, 23, true],
    [4, 13, 11, false],
    [3, 150, 161, true],
  ])('temporal loss C=%i H=%i W=%i accumulate=%s', async (C, H, W, accumulate) => {
    const n = C * H * W;
    const input = randArray(n, n + 11), warped = randArray(n, n + 12), grad = randArray(n, n + 13);
    // Ruder's weights are 0 or 1; fractions too, to see each pixel's own weight is used
    const weights = randArray(H * W, n + 14).map((v) => (v < -0.3 ? 0 : v > 0.3 ? 1 : v + 0.5));
    const factors = [1, 0.25, 4, 2].slice(0, C), scale = 0.3;
    const r = await gpu.run('temporal_loss', { input, warped, weights, grad }, { C, H, W, scale, factors, accumulate });
    const ref = temporalLossRef(input, warped, weights, factors, scale);
    const expected = accumulate ? ref.grad.map((g, i) => g + grad[i]) : ref.grad;
    expectClose(`temporal loss C${C} H${H} W${W}`, [r.loss[0]], [ref.loss], 1e-4);
    expectClose(`temporal grad C${C} H${H} W${W}`, r.grad, expected, 1e-5);
    const idx = sampleIndices(n, 24);
    const fd = finiteDiff((x) => temporalLossRef(x, warped, weights, factors, scale).loss, Float64Array.from(input), idx);
    const own = accumulate ? Float64Array.from(r.grad, (g, i) => g - grad[i]) : r.grad; // the kernel's own gradient
    expectClose(`temporal grad FD C${C} H${H} W${W}`, pick(own, idx), fd, 1e-4);
  });

  it.each([
    [1, 1, 1],
    [1, 5, 7],
    [3, 16, 9],
    [3, 33, 64],
    [3, 150, 161], // more pixels than TV_TERMS_MAX: each invocation sums 1–2 strided pixels
  ])('total variation C=%i H=%i W=%i', async (C, H, W) => {
    const image = randArray(C * H * W, H * W + C);
    const scale = 0.3;
    const r = await gpu.run('tv_loss', { image }, { C, H, W, scale });
    const ref = tvLossRef(image, C, H, W, scale);
    expectClose(`tv loss C${C} H${H} W${W}`, [r.loss[0]], [ref.loss], 1e-4);
    expectClose(`tv grad C${C} H${H} W${W}`, r.grad, ref.grad, 1e-5);
    const idx = sampleIndices(C * H * W, 24);
    const fd = finiteDiff((x) => tvLossRef(x, C, H, W, scale).loss, Float64Array.from(image), idx);
    expectClose(`tv grad FD C${C} H${H} W${W}`, pick(r.grad, idx), fd, 1e-4);
  });

  it.each([
    [1, false],
    [300, false],
    [65537, true],
    [1_000_003, false],
  ])('reduce n=%i dot=%s (every registered version)', async (n, dot) => {
    const a = randArray(n, n), b = randArray(n, n + 1);
    for (const variant of REGISTRY.reduce.map((v) => v.id)) {
      const r = await gpu.run('reduce', { a, b }, { n, dot, scale: 2, variant });
      expectClose(`reduce ${variant} n=${n} dot=${dot}`, [r.out[2]], [2 * sumRef(a, dot ? b : undefined)], 1e-4 * Math.max(1, Math.sqrt(n) / 100));
    }
  });
});

describe('elementwise helpers', () => {
  it.each([
    [1, 2, 0],
    [513, -0.5, 1],
    [1000, 3, 0.25],
  ])('axpby n=%i a=%f b=%f', async (n, a, b) => {
    const x = randArray(n, n), y = randArray(n, n + 2);
    const r = await gpu.run('axpby', { x, y }, { n, a, b });
    expectClose(`axpby n=${n}`, r.y, axpbyRef(a, x, b, y), 1e-6);
  });

  it.each([
    [8, 8, 1],
    [16, 72, 13],
    [136, 64, 70],
  ])('matmul (benchmark ceiling kernel) M=%i N=%i K=%i', async (M, N, K) => {
    const at = randArray(K * M, M + K), b = randArray(K * N, N + K);
    const r = await gpu.run('matmul', { at, b }, { M, N, K });
    expectClose(`matmul ${M}x${N}x${K}`, r.c, matmulRef(at, b, M, N, K), 1e-5);
  });

  it('fill', async () => {
    const r = await gpu.run('fill', {}, { n: 777, value: -1.25 });
    expect([...r.y].every((v) => v === -1.25)).toBe(true);
  });

  it('adam matches the reference over several steps', async () => {
    const n = 1001;
    let param = randArray(n, 1), m = new Float64Array(n), v = new Float64Array(n);
    for (let t = 1; t <= 3; t++) {
      const grad = randArray(n, 10 + t);
      const r = await gpu.run('adam', { param, grad, m, v }, { n, hyper: ADAM_DEFAULTS, t });
      const ref = adamRef(param, grad, m, v, ADAM_DEFAULTS, t);
      // 1 − β2 = 0.001 is not exact in float32 (relative rounding ~1e-5), hence 1e-4
      expectClose(`adam param t=${t}`, r.param, ref.param, 1e-4);
      expectClose(`adam m t=${t}`, r.m, ref.m, 1e-4);
      expectClose(`adam v t=${t}`, r.v, ref.v, 1e-4);
      param = Float64Array.from(r.param); m = Float64Array.from(r.m); v = Float64Array.from(r.v);
    }
  });
});

describe('Adam with bfloat16 moments (optim/adam_bf16)', () => {
  const asBits = (f: ArrayLike<number>) => new Uint32Array(Float32Array.from(f).buffer);
  const asFloats = (u: Uint32Array) => new Float32Array(u.buffer.slice(0));
  const moments = (state: Uint32Array) => {
    const m = new Float64Array(state.length), v = new Float64Array(state.length);
    state.forEach((s, i) => ({ m: m[i], v: v[i] } = unpackMoments(s)));
    return { m, v };
  };

  it('matches its float32 CPU reference step by step (the same hash, the same rounding)', async () => {
    const n = 1001;
    let param = randArray(n, 1), state = new Uint32Array(n);
    for (let t = 1; t <= 4; t++) {
      const grad = randArray(n, 20 + t);
      const r = await gpu.run('adam_bf16', { param, grad, state: asFloats(state) }, { n, hyper: ADAM_DEFAULTS, t });
      const ref = adamBf16Ref(param, grad, state, ADAM_DEFAULTS, t);
      const got = asBits(r.state);
      // the GPU may fuse a multiply-add where the reference rounds twice: a moment's float32 value
      // can differ in its last bits and so, rarely, round to the neighbouring bf16 (0.8% apart)
      const a = moments(got), b = moments(ref.state);
      expectClose(`adam_bf16 m t=${t}`, a.m, b.m, 1e-2);
      expectClose(`adam_bf16 v t=${t}`, a.v, b.v, 1e-2);
      expect(got.filter((w, i) => w !== ref.state[i]).length).toBeLessThan(n / 100);
      expectClose(`adam_bf16 param t=${t}`, r.param, ref.param, 1e-4);
      param = Float64Array.from(r.param);
      state = got;
    }
  });

  it('stays close to float32 Adam: moments within bf16 spacing, the update within 1%', async () => {
    const n = 513;
    const param = randArray(n, 3), grad = randArray(n, 4);
    const m = Float64Array.from(randArray(n, 5), (x) => 0.1 * x), v = Float64Array.from(randArray(n, 6), (x) => 0.01 * x * x);
    const state = new Uint32Array(n).map((_, i) => ((bf16Bits(m[i], 0x8000) << 16) | bf16Bits(v[i], 0x8000)) >>> 0);
    const start = moments(state);
    const r = await gpu.run('adam_bf16', { param, grad, state: asFloats(state) }, { n, hyper: ADAM_DEFAULTS, t: 7 });
    const exact = adamRef(param, grad, start.m, start.v, ADAM_DEFAULTS, 7);
    const got = moments(asBits(r.state));
    expectClose('bf16 m vs float32', got.m, exact.m, 2 ** -7);
    expectClose('bf16 v vs float32', got.v, exact.v, 2 ** -7);
    const step = (p: ArrayLike<number>) => Float64Array.from(p, (x, i) => x - param[i]);
    expectClose('bf16 update vs float32', step(r.param), step(exact.param), 1e-2);
  });

  it('its stochastic rounding lets v keep moving where rounding to nearest would stall it', async () => {
    // a steady gradient for 1200 steps: v/bc2 → g² exactly in float32. Rounded to nearest in bf16,
    // v stops growing once a step's 0.1% change is under half its 0.4% spacing (at about g²/3)
    const n = 2048, steps = 1200;
    const grad = Float64Array.from(randArray(n, 9), (x) => 0.5 + Math.abs(x));
    const r = await gpu.run('adam_bf16', { param: new Float64Array(n), grad, state: new Float32Array(n) }, { n, hyper: ADAM_DEFAULTS, t: 1, steps });
    const bc2 = 1 - ADAM_DEFAULTS.beta2 ** steps, bc1 = 1 - ADAM_DEFAULTS.beta1 ** steps;
    const { m, v } = moments(asBits(r.state));
    const ratio = (a: Float64Array, f: (i: number) => number) => a.reduce((s, x, i) => s + x / f(i), 0) / n;
    expect(ratio(v, (i) => bc2 * grad[i] ** 2)).toBeCloseTo(1, 1); // mean within 5%
    expect(ratio(m, (i) => bc1 * grad[i])).toBeCloseTo(1, 1);
  });
});

describe('image conversion', () => {
  it.each([
    ['torchvision', 1, 1],
    ['caffe', 7, 5],
    ['torchvision', 33, 17],
  ] as const)('%s convention H=%i W=%i: preprocess, postprocess, clamp', async (_name, H, W) => {
    const convention = _name === 'caffe' ? CAFFE_CONVENTION : TORCHVISION_CONVENTION;
    const r0 = rng(H * W);
    const rgba = Float64Array.from({ length: H * W * 4 }, () => Math.floor(r0() * 256));
    const wild = randArray(3 * H * W, 3, 5); // values far outside the pixel range
    const r = await gpu.run('image', { rgba, wild }, { H, W, convention });
    expectClose(`preprocess ${_name} ${H}x${W}`, r.net, preprocessRef(rgba, H, W, convention), 1e-6);
    // round trip returns the same bytes (±1 for float rounding at .5), alpha forced to 255
    const expected = postprocessRef(preprocessRef(rgba, H, W, convention), H, W, convention);
    const diff = Math.max(...r.rgba.map((v, i) => Math.abs(v - expected[i])));
    expect(diff).toBeLessThanOrEqual(1);
    for (let p = 0; p < H * W; p++) for (let k = 0; k < 3; k++) expect(Math.abs(r.rgba[p * 4 + k] - rgba[p * 4 + k])).toBeLessThanOrEqual(1);
    const { lo, hi } = pixelBounds(convention);
    const clampRef = wild.map((v, i) => Math.min(hi[Math.floor(i / (H * W))], Math.max(lo[Math.floor(i / (H * W))], v)));
    expectClose(`clamp_image ${_name} ${H}x${W}`, r.clamped, clampRef, 1e-6);
  });
});

describe('original colors (YIQ luminance transfer)', () => {
  it.each([1, 7 * 5, 33 * 17])('HW=%i matches the reference within one byte, keeps the luminance, takes the content hue', async (HW) => {
    const r0 = rng(HW + 3);
    const stylized = Float64Array.from({ length: HW * 4 }, () => Math.floor(r0() * 256));
    const content = Float64Array.from({ length: HW * 4 }, () => Math.floor(r0() * 256));
    const r = await gpu.run('original_colors', { stylized, content }, { HW });
    const ref = originalColorsRef(stylized, content, HW);
    // float32 vs float64 may round a .5 differently: one byte
    expect(Math.max(...r.rgba.map((v, i) => Math.abs(v - ref[i])))).toBeLessThanOrEqual(1);
    // a grey content pixel has I = Q = 0, so the output is the stylized luminance in grey
    const grey = await gpu.run('original_colors', { stylized: [200, 40, 90, 255], content: [128, 128, 128, 7] }, { HW: 1 });
    const y = Math.round((0.299 * 200 + 0.587 * 40 + 0.114 * 90));
    for (let k = 0; k < 3; k++) expect(Math.abs(grey.rgba[k] - y)).toBeLessThanOrEqual(1);
    expect(grey.rgba[3]).toBe(255);
  });
});

describe('errors', () => {
  it('squared error with mismatched sizes names both shapes', async () => {
    await expect(gpu.run('squared_error', { input: randArray(5, 1), target: randArray(4, 2) }, { n: 5, scale: 1 })).rejects.toThrow(/4 values for shape \[5\]/);
  });
  it('gram backward with a wrong grad_gram shape is rejected with the shapes', async () => {
    // features 3×4 (C=3) but grad_gram sized for C=2
    await expect(gpu.run('gram', { features: randArray(12, 1), grad_gram: randArray(4, 2) }, { C: 3, M: 4, scale: 1 })).rejects.toThrow(/shape \[3×3\]/);
  });
  it('pooling a map smaller than 2×2 is an error', async () => {
    await expect(gpu.run('pool', { input: randArray(3, 1), grad_output: [] }, { kind: 'max', C: 3, H: 1, W: 1 })).rejects.toThrow(/too small for 2×2 pooling/);
  });
});
