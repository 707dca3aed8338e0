/**
 * Convolution kernels vs CPU references and finite differences, in headless Chromium.
 * Tolerances: GPU results are float32 sums of up to C·K·K ≈ 600 products; a bound of 1e-4 of the
 * output's largest magnitude leaves ~10× headroom over the observed ~1e-6 while catching any
 * indexing mistake (which gives O(1) errors). Finite differences are taken in double precision on
 * the CPU (conv is linear, so central differences are exact up to rounding), same 1e-4 bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackwardBiasRef, conv2dBackwardInputRef, conv2dBackwardWeightRef, conv2dForwardRef, repackWeightsRef } from '../src/kernels/conv/cpu.js';
import { winogradConvRef, winogradFilterRef, winogradGemmRef, winogradInputRef, winogradOutputRef, winogradTilesRef } from '../src/kernels/conv/winograd_cpu.js';
import { eligibleVersions, versionInfo, type ConvVersion } from '../src/kernels/registry.js';
import { openGpuPage, type GpuPage } from './harness/gpu_page.js';
import { dotSum, expectClose, finiteDiff, pick, randArray, sampleIndices } from './util.js';

import { CONV_TEST_SHAPES as SHAPES } from './harness/conv_shapes.js';

let gpu: GpuPage;
beforeAll(async () => {
  gpu = await openGpuPage();
});
afterAll(async () => {
  await gpu?.close();
});

describe.each(SHAPES)('conv2d C=%i H=%i W=%i O=%i K=%i', (C, H, W, O, K) => {
  const seed = C * 1000 + H * 100 + W * 10 + O + K;
  const input = randArray(C * H * W, seed);
  const weight = randArray(O * C * K * K, seed + 1, 0.5);
  const bias = randArray(O, seed + 2);
  const gradOut = randArray(O * H * W, seed + 3);
  const label = `C${C} H${H} W${W} O${O} K${K}`;

  // every registered version that can run the shape (registry.ts REGISTRY), so a new one cannot be left out
  const forwardShape = { R: C, N: O, K, H, W }, backwardShape = { R: O, N: C, K, H, W };
  const forwardVersions = eligibleVersions('conv_forward', forwardShape).map((v) => v.id);
  const backwardVersions = eligibleVersions('conv_backward_input', backwardShape).map((v) => v.id);
  // versions without split-K (naive, Winograd) run whole
  const splitsOf = (variant: ConvVersion, splits: number) => (versionInfo('conv_forward', variant).splits ? splits : 1);

  it.each(forwardVersions)('forward, %s version (with and without fused ReLU, whole and split-K) matches the CPU reference', async (variant) => {
    for (const [relu, s] of [[0, 1], [1, 1], [1, 3]]) {
      const splits = splitsOf(variant, s);
      const r = await gpu.run('conv2d_forward', { input, weight, bias }, { C, H, W, O, K, relu, splits, variant });
      expectClose(`conv2d_forward ${variant} relu=${relu} splits=${splits} ${label}`, r.output, conv2dForwardRef(input, C, H, W, weight, bias, O, K, !!relu), 1e-4);
    }
  });

  it.each(backwardVersions)('backward to input, %s version (whole and split-K) matches the reference and finite differences', async (variant) => {
    const split = await gpu.run('conv2d_backward_input', { grad_output: gradOut, weight }, { C, H, W, O, K, splits: splitsOf(variant, 4), variant });
    expectClose(`conv2d_backward_input ${variant} splits=${splitsOf(variant, 4)} ${label}`, split.grad_input, conv2dBackwardInputRef(gradOut, C, H, W, weight, O, K), 1e-4);
    const r = await gpu.run('conv2d_backward_input', { grad_output: gradOut, weight }, { C, H, W, O, K, variant });
    expectClose(`conv2d_backward_input ${variant} ${label}`, r.grad_input, conv2dBackwardInputRef(gradOut, C, H, W, weight, O, K), 1e-4);
    const idx = sampleIndices(C * H * W, 24);
    const fd = finiteDiff((x) => dotSum(gradOut, conv2dForwardRef(x, C, H, W, weight, bias, O, K)), Float64Array.from(input), idx);
    expectClose(`conv2d_backward_input ${variant} FD ${label}`, pick(r.grad_input, idx), fd, 1e-4);
  });

  // Winograd in chunks of 8 tiles (scratch buffers too small for the whole map): several chunks
  // where the map has more than 8 tiles, the last one partial where the count is not a multiple of 8
  if (K === 3) it.each(['v5_winograd', 'v6_winograd4', 'v7_winograd_subgroups', 'v8_winograd4_subgroups'])('winograd %s in chunks of 8 tiles matches the reference both ways', async (variant) => {
    const f = await gpu.run('conv2d_forward', { input, weight, bias }, { C, H, W, O, K, relu: 1, variant, chunk: 8 });
    expectClose(`conv2d_forward ${variant} chunk=8 ${label}`, f.output, conv2dForwardRef(input, C, H, W, weight, bias, O, K, true), 1e-4);
    const b = await gpu.run('conv2d_backward_input', { grad_output: gradOut, weight }, { C, H, W, O, K, variant, chunk: 8 });
    expectClose(`conv2d_backward_input ${variant} chunk=8 ${label}`, b.grad_input, conv2dBackwardInputRef(gradOut, C, H, W, weight, O, K), 1e-4);
  });

  it('backward to weights and bias match the reference and finite differences', async () => {
    const r = await gpu.run('conv2d_backward_weight', { input, grad_output: gradOut }, { C, H, W, O, K });
    expectClose(`conv2d_backward_weight ${label}`, r.grad_weight, conv2dBackwardWeightRef(input, C, H, W, gradOut, O, K), 1e-4);
    expectClose(`conv2d_backward_bias ${label}`, r.grad_bias, conv2dBackwardBiasRef(gradOut, O, H * W), 1e-4);
    const idx = sampleIndices(O * C * K * K, 24);
    const fdW = finiteDiff((w) => dotSum(gradOut, conv2dForwardRef(input, C, H, W, w, bias, O, K)), Float64Array.from(weight), idx);
    expectClose(`conv2d_backward_weight FD ${label}`, pick(r.grad_weight, idx), fdW, 1e-4);
    const fdB = finiteDiff((b) => dotSum(gradOut, conv2dForwardRef(input, C, H, W, weight, b, O, K)), Float64Array.from(bias), sampleIndices(O, 8));
    expectClose(`conv2d_backward_bias FD ${label}`, pick(r.grad_bias, sampleIndices(O, 8)), fdB, 1e-4);
  });
});

// Winograd F(2×2, 3×3) and F(4×4, 3×3), stage by stage (conv versions 5 and 6's kernels), against
// the staged CPU reference: 1×1 and 1-channel maps (one tile, mostly padding), odd H and W (tiles
// cut by the border: for m = 4 also sides of 5, 6 and 7 = 1, 2 and 3 past a whole tile), tile
// counts that are not multiples of the GEMM's 8-tile block, channel counts that are not multiples
// of its 16-channel block (both directions), and maps with 32 tiles (m = 2) and 9–12 (m = 4).
// With subgroups = 1 the same stages run the subgroup matrix products of versions 7 and 8: lanes
// over channels below 64 tiles, over tiles from 64 (17×33: 153 tiles for m = 2; 16×16: exactly 64;
// 40×36: 90 for m = 4), with output counts that are not multiples of their 32- and 16-channel blocks.
// Tolerances: the filter and input transforms add at most 36 terms with coefficients up to 25
// (1e-6 of the largest value: float32 rounding is ~1e-7 of it); products and outputs sum C·36
// float32 products, same 1e-4 bound as the direct convs.
describe.each([
  [1, 1, 1, 1],
  [3, 5, 7, 10],
  [17, 6, 5, 33],
  [16, 8, 16, 16],
  [5, 3, 17, 9],
  [4, 13, 11, 5],
  [5, 17, 33, 37],
  [20, 16, 16, 24],
  [3, 40, 36, 20],
])('winograd stages C=%i H=%i W=%i O=%i', (C, H, W, O) => {
  it.each([[2, 0], [4, 0], [2, 1], [4, 1]] as const)('F(m×m, 3×3) with m = %i, subgroup products %i: filter transform (both directions), input transform, products and output transform match the staged reference', async (m, subgroups) => {
    const seed = 7000 + C * 100 + H * 10 + W + O;
    const x = { input: randArray(C * H * W, seed), weight: randArray(O * C * 9, seed + 1, 0.5), bias: randArray(O, seed + 2) };
    const r = await gpu.run('winograd_stages', x, { C, H, W, O, relu: 1, m, subgroups });
    const { P8 } = winogradTilesRef(H, W, m);
    const U = winogradFilterRef(x.weight, O, C, 'forward', m);
    const V = winogradInputRef(x.input, C, H, W, m);
    const M = winogradGemmRef(U, V, C, O, P8, m);
    const label = `m${m}${subgroups ? ' subgroups' : ''} C${C} H${H} W${W} O${O}`;
    expectClose(`winograd_filter_transform forward ${label}`, r.U, U, 1e-6);
    expectClose(`winograd_filter_transform backward ${label}`, r.U_backward, winogradFilterRef(x.weight, O, C, 'backward', m), 1e-6);
    expectClose(`winograd_input_transform ${label}`, r.V, V, 1e-6);
    expectClose(`winograd_gemm ${label}`, r.M, M, 1e-4);
    expectClose(`winograd_output_transform ${label}`, r.output, winogradOutputRef(M, x.bias, O, H, W, true, m), 1e-4);
  });
});

describe('winograd CPU reference', () => {
  it('equals the direct convolution (double precision) on odd and even sizes, both tile sizes', () => {
    for (const [C, H, W, O] of [[2, 5, 7, 3], [3, 4, 6, 2], [1, 1, 1, 1], [2, 9, 13, 3]]) {
      const input = randArray(C * H * W, 11), weight = randArray(O * C * 9, 12), bias = randArray(O, 13);
      for (const m of [2, 4] as const)
        expectClose(`winogradConvRef m${m} C${C} H${H} W${W} O${O}`, winogradConvRef(input, C, H, W, weight, bias, O, true, m), conv2dForwardRef(input, C, H, W, weight, bias, O, 3, true), 1e-12);
    }
  });
});

describe('conv2d weight repacking', () => {
  it('produces the padded HWIO and HWOI layouts exactly', async () => {
    const [O, C, K] = [10, 3, 3];
    const weight = randArray(O * C * K * K, 99);
    const r = await gpu.run('conv2d_repack_weights', { weight }, { O, C, K });
    expectClose('repack HWIO', r.forward, repackWeightsRef(weight, O, C, K, false), 0);
    expectClose('repack HWOI', r.backward, repackWeightsRef(weight, O, C, K, true), 0);
  });
});

describe('conv weights: a form is made when a version first reads it, and only then', () => {
  it('Winograd forward keeps only its filters; a direct version adds its repacked form; backward its own; all freed', async () => {
    const [C, O, H, W] = [5, 12, 8, 8];
    const r = await gpu.run('conv_weight_forms', { weight: randArray(O * C * 9, 3) }, { C, O, H, W, runs: [['v5_winograd', 'f'], ['v5_winograd', 'f'], ['v1_direct', 'f'], ['v1_direct', 'b'], ['v5_winograd', 'b']] });
    // [forward, backward, winograd_forward, winograd_backward] after each run
    expect([...r.flags]).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
    const U = (R: number, N: number) => 16 * R * Math.ceil(N / 16) * 16 * 4, P = (R: number, N: number) => 9 * R * Math.ceil(N / 8) * 8 * 4;
    expect([...r.bytes]).toEqual([U(C, O), U(C, O), U(C, O) + P(C, O), U(C, O) + P(C, O) + P(O, C), U(C, O) + P(C, O) + P(O, C) + U(O, C)]);
    // the one-off uploads and the passed-through repacked copy are not left in use
    expect(r.inUse[1]).toBe(r.inUse[0]);
  });
});

describe('conv2d errors', () => {
  it('rejects an input whose channel count does not match the weights, naming the shapes', async () => {
    const [C, H, W, O, K] = [3, 4, 4, 2, 3];
    await expect(
      gpu.run('conv2d_forward', { input: randArray(4 * H * W, 1), weight: randArray(O * C * K * K, 2), bias: randArray(O, 3) }, { C: 4, H, W, O, K, relu: 0, weightC: C }),
    ).rejects.toThrow(/input has 4 channels but the weights expect 3/);
  });
  it('rejects a buffer too small for its shape', async () => {
    await expect(gpu.run('conv2d_backward_weight', { input: randArray(10, 1), grad_output: randArray(16, 2) }, { C: 3, H: 4, W: 4, O: 1, K: 3 })).rejects.toThrow(
      /10 values for shape \[3×4×4\]/,
    );
  });
});
