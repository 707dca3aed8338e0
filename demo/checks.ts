/**
 * Kernel explorer checks: run a kernel (through the same host code and test cases the test suite
 * uses) on random data of an awkward shape and compare with its CPU reference.
 */
import type { KernelLibrary } from '../src/kernels/library.js';
import type { KernelName } from '../src/kernels/shaders.js';
import { conv2dBackwardBiasRef, conv2dBackwardInputRef, conv2dBackwardWeightRef, conv2dForwardRef, repackWeightsRef } from '../src/kernels/conv/cpu.js';
import { axpbyRef, reluBackwardRef, reluForwardRef } from '../src/kernels/elementwise/cpu.js';
import { poolBackwardRef, poolForwardRef } from '../src/kernels/pool/cpu.js';
import { squaredErrorRef, temporalLossRef, tvLossRef } from '../src/kernels/loss/cpu.js';
import { sumRef } from '../src/kernels/reduce/cpu.js';
import { colourAffineRef, colourMomentsRef, originalColorsRef, postprocessRef, preprocessRef, resizeBilinearRef } from '../src/kernels/image/cpu.js';
import { adamBf16Ref, adamRef } from '../src/kernels/optim/cpu.js';
import { maskRef, windowAddRef, windowCopyRef } from '../src/kernels/tile/cpu.js';
import { gramBackwardRef, gramForwardRef } from '../src/kernels/gram/cpu.js';
import { maxPoolWindowBackwardRef, maxPoolWindowForwardRef } from '../src/kernels/pool/window_cpu.js';
import { stridedConvBackwardInputRef, stridedConvForwardRef } from '../src/kernels/strided_conv/cpu.js';
import { guidedGramRef, maskDownsampleRef } from '../src/kernels/guide/cpu.js';
import { winogradFilterRef, winogradGemmRef, winogradInputRef, winogradOutputRef, winogradTilesRef } from '../src/kernels/conv/winograd_cpu.js';
import { matmulRef } from '../src/kernels/matmul/matmul.js';
import { ADAM_DEFAULTS } from '../src/kernels/optim/adam.js';
import { TORCHVISION_CONVENTION, pixelBounds } from '../src/kernels/image/image.js';
import { CASES, type Arrays } from '../src/kernels/cases.js';
import { consistencyRef, derivativesRef, grayRef, hsSorRef, upsampleFlowRef, warpMapCubicRef, warpMapRef } from '../src/kernels/flow/cpu.js';
import { grayWeights } from '../src/kernels/flow/options.js';
import { REGISTRY, type OpVersions } from '../src/kernels/registry.js';

type Check = { shape: string; run: (lib: KernelLibrary) => Promise<[ArrayLike<number>, ArrayLike<number>][]> };

function rand(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (Math.random() * 2 - 1) * scale);
}

const [C, H, W, O, K] = [5, 13, 11, 10, 3];
const conv = () => ({ input: rand(C * H * W), weight: rand(O * C * K * K, 0.5), bias: rand(O), grad_output: rand(O * H * W) });

async function pool(lib: KernelLibrary, kind: 'max' | 'avg'): Promise<[ArrayLike<number>, ArrayLike<number>][]> {
  const x: Arrays = { input: rand(3 * 9 * 7), grad_output: rand(3 * 4 * 3) };
  const r = await CASES.pool(lib, x, { kind, C: 3, H: 9, W: 7 });
  return [[r.output, poolForwardRef(kind, x.input, 3, 9, 7)], [r.grad_input, poolBackwardRef(kind, x.input, 3, 9, 7, x.grad_output)]];
}

/** SqueezeNet's conv1 geometry (3×3, stride 2, no padding) on C=3 13×11 → O=11 (6×5 out), forward+ReLU and backward-input, by version. */
async function stridedConv(lib: KernelLibrary, version: OpVersions['strided_conv_forward']): Promise<[ArrayLike<number>, ArrayLike<number>][]> {
  const [c, h, w, o, k, stride, pad] = [3, 13, 11, 11, 3, 2, 0];
  const x = { input: rand(c * h * w), weight: rand(o * c * k * k, 0.5), bias: rand(o), grad_output: rand(o * 6 * 5) };
  const r = await CASES.strided_conv(lib, x, { C: c, H: h, W: w, O: o, K: k, stride, pad, relu: 1, version });
  return [
    [r.output, stridedConvForwardRef(x.input, c, h, w, x.weight, x.bias, o, k, stride, pad, true)],
    [r.grad_input, stridedConvBackwardInputRef(x.grad_output, c, h, w, x.weight, o, k, stride, pad)],
  ];
}

/** SqueezeNet's pooling (3×3, stride 2, ceil mode) on 3×10×8 → 3×5×4: the last row and column of windows are clipped. */
async function poolWindow(lib: KernelLibrary): Promise<[ArrayLike<number>, ArrayLike<number>][]> {
  const x: Arrays = { input: rand(3 * 10 * 8), grad_output: rand(3 * 5 * 4) };
  const r = await CASES.pool_window(lib, x, { C: 3, H: 10, W: 8, K: 3, stride: 2, ceil: true });
  return [[r.output, maxPoolWindowForwardRef(x.input, 3, 10, 8, 3, 2, true)], [r.grad_input, maxPoolWindowBackwardRef(x.input, 3, 10, 8, 3, 2, true, x.grad_output)]];
}

/** A conv kernel version run both ways (forward with ReLU, and backward to the input via flip = 1). */
function convVersion(variant: string, w: number): Check {
  const [c, o] = [16, 16]; // 16 channels both ways, so every version applies in both directions
  return {
    shape: `C=${c} ${H}×${w} → O=${o}, K=3, forward+ReLU and backward-input`,
    run: async (lib) => {
      const x = { input: rand(c * H * w), weight: rand(o * c * 9, 0.5), bias: rand(o), grad_output: rand(o * H * w) };
      const f = await CASES.conv2d_forward(lib, x, { C: c, H, W: w, O: o, K: 3, relu: 1, variant });
      const b = await CASES.conv2d_backward_input(lib, x, { C: c, H, W: w, O: o, K: 3, variant });
      return [
        [f.output, conv2dForwardRef(x.input, c, H, w, x.weight, x.bias, o, 3, true)],
        [b.grad_input, conv2dBackwardInputRef(x.grad_output, c, H, w, x.weight, o, 3)],
      ];
    },
  };
}

/**
 * One Winograd stage (conv version 5: m = 2, version 6: m = 4) on C=5 13×11 → O=10 (or `dims`),
 * against the staged CPU reference; subgroups: the matrix products of versions 7 and 8.
 */
function winogradStage(stage: 'filter' | 'input' | 'gemm' | 'output', m: 2 | 4 = 2, subgroups = false, [C, H, W, O] = [5, 13, 11, 10]): Check {
  return {
    shape: `C=${C} ${H}×${W} → O=${O}, 3×3, F(${m}×${m}, 3×3)${subgroups ? ', subgroup products' : ''}, ${stage === 'filter' ? 'both directions' : 'forward+ReLU'}`,
    run: async (lib) => {
      const x = { input: rand(C * H * W), weight: rand(O * C * 9, 0.5), bias: rand(O) };
      const r = await CASES.winograd_stages(lib, x, { C, H, W, O, relu: 1, m, subgroups: subgroups ? 1 : 0 });
      const U = winogradFilterRef(x.weight, O, C, 'forward', m);
      const V = winogradInputRef(x.input, C, H, W, m);
      if (stage === 'filter') return [[r.U, U], [r.U_backward, winogradFilterRef(x.weight, O, C, 'backward', m)]];
      if (stage === 'input') return [[r.V, V]];
      const M = winogradGemmRef(U, V, C, O, winogradTilesRef(H, W, m).P8, m);
      if (stage === 'gemm') return [[r.M, M]];
      return [[r.output, winogradOutputRef(M, x.bias, O, H, W, true, m)]];
    },
  };
}

/**
 * Two vectors in [0, 1) for the dot-product checks: with random signs a 100k-term sum can cancel
 * to near zero, and float32 rounding relative to that small result then failed the 1e-4 bound
 * now and then (1.8e-4 once); positive terms keep the result's size ~n/4.
 */
function positivePair(n: number): { a: Float32Array; b: Float32Array } {
  return { a: Float32Array.from({ length: n }, Math.random), b: Float32Array.from({ length: n }, Math.random) };
}

async function gram(lib: KernelLibrary, variant = 'v0_blocks', backward = 'v0_narrow', [C, M] = [7, 33]): Promise<[ArrayLike<number>, ArrayLike<number>][]> {
  const x: Arrays = { features: rand(C * M), grad_gram: rand(C * C) };
  const r = await CASES.gram(lib, x, { C, M, scale: 0.5, variant, backward });
  return [[r.gram, gramForwardRef(x.features, C, M, 0.5)], [r.grad_features, gramBackwardRef(x.features, C, M, x.grad_gram, 0.5)]];
}

export const CHECKS: Partial<Record<KernelName, Check>> = {
  'conv/v1_direct_forward': { shape: `C=${C} ${H}×${W} → O=${O}, K=${K}, ReLU`, run: async (lib) => {
    const x = conv();
    const r = await CASES.conv2d_forward(lib, x, { C, H, W, O, K, relu: 1, variant: 'v1_direct' });
    return [[r.output, conv2dForwardRef(x.input, C, H, W, x.weight, x.bias, O, K, true)]];
  } },
  'conv/v0_naive': convVersion('v0_naive', W),
  'conv/v2_flat16': convVersion('v2_flat16', W),
  'conv/v3_rows': convVersion('v3_rows', W),
  'conv/v4_rows_vec4': convVersion('v4_rows_vec4', 12),
  'conv/v5_winograd_filter': winogradStage('filter'),
  'conv/v5_winograd_input': winogradStage('input'),
  'conv/winograd_gemm': winogradStage('gemm'),
  // 9×17 = 153 tiles (≥ 64: lanes over tiles), 37 outputs (not a multiple of the 32-channel block)
  'conv/winograd_gemm_subgroup_tiles': winogradStage('gemm', 2, true, [5, 17, 33, 37]),
  'conv/winograd_gemm_subgroup_channels': winogradStage('gemm', 2, true),
  'conv/v5_winograd_output': winogradStage('output'),
  'conv/v6_winograd4_filter': winogradStage('filter', 4),
  'conv/v6_winograd4_input': winogradStage('input', 4),
  'conv/v6_winograd4_output': winogradStage('output', 4),
  'conv/sum_slices': { shape: `split-K forward in 3 slices, C=${C} → O=${O}`, run: async (lib) => {
    const x = conv();
    const r = await CASES.conv2d_forward(lib, x, { C, H, W, O, K, relu: 1, splits: 3, variant: 'v1_direct' });
    return [[r.output, conv2dForwardRef(x.input, C, H, W, x.weight, x.bias, O, K, true)]];
  } },
  'conv/v1_direct_backward_input': { shape: `O=${O} ${H}×${W} → C=${C}`, run: async (lib) => {
    const x = conv();
    const r = await CASES.conv2d_backward_input(lib, x, { C, H, W, O, K, variant: 'v1_direct' });
    return [[r.grad_input, conv2dBackwardInputRef(x.grad_output, C, H, W, x.weight, O, K)]];
  } },
  'conv/backward_weight': { shape: `${O}×${C}×${K}×${K} from ${H}×${W}`, run: async (lib) => {
    const x = conv();
    const r = await CASES.conv2d_backward_weight(lib, x, { C, H, W, O, K });
    return [[r.grad_weight, conv2dBackwardWeightRef(x.input, C, H, W, x.grad_output, O, K)]];
  } },
  'conv/backward_bias': { shape: `O=${O}, ${H}×${W}`, run: async (lib) => {
    const x = conv();
    const r = await CASES.conv2d_backward_weight(lib, x, { C, H, W, O, K });
    return [[r.grad_bias, conv2dBackwardBiasRef(x.grad_output, O, H * W)]];
  } },
  'conv/repack_weights': { shape: `${O}×${C}×${K}×${K}`, run: async (lib) => {
    const x = conv();
    const r = await CASES.conv2d_repack_weights(lib, x, { C, O, K });
    return [[r.forward, repackWeightsRef(x.weight, O, C, K, false)], [r.backward, repackWeightsRef(x.weight, O, C, K, true)]];
  } },
  'elementwise/relu_forward': { shape: 'n=1000', run: async (lib) => {
    const x = { input: rand(1000), grad_output: rand(1000) };
    const r = await CASES.relu(lib, x, { n: 1000 });
    return [[r.output, reluForwardRef(x.input)]];
  } },
  'elementwise/relu_backward': { shape: 'n=1000', run: async (lib) => {
    const x = { input: rand(1000), grad_output: rand(1000) };
    const r = await CASES.relu(lib, x, { n: 1000 });
    return [[r.grad_input, reluBackwardRef(x.input, x.grad_output)]];
  } },
  'elementwise/relu_backward_inplace': { shape: 'n=1000', run: async (lib) => {
    const x = { input: rand(1000), grad_output: rand(1000) };
    const r = await CASES.relu_inplace(lib, x, { n: 1000 });
    return [[r.grad, reluBackwardRef(x.input, x.grad_output)]];
  } },
  'image/original_colors': { shape: '9×7 pixels', run: async (lib) => {
    const bytes = () => Float32Array.from({ length: 63 * 4 }, () => Math.floor(Math.random() * 256));
    const x = { stylized: bytes(), content: bytes() };
    const r = await CASES.original_colors(lib, x, { HW: 63 });
    const want = originalColorsRef(x.stylized, x.content, 63);
    // bytes may round differently at .5 (float32 vs float64): within one byte counts as equal
    return [[r.rgba.map((v, i) => (Math.abs(v - want[i]) <= 1 ? want[i] : v)), want]];
  } },
  'image/colour_moments': { shape: '3×37×29 (4 workgroups)', run: async (lib) => {
    const x = { image: rand(3 * 37 * 29) };
    const r = await CASES.colour_moments(lib, x, { H: 37, W: 29 });
    const sums = new Float64Array(9);
    r.partials.forEach((v, i) => (sums[i % 9] += v));
    return [[sums, colourMomentsRef(x.image, 37 * 29)]];
  } },
  'image/colour_affine': { shape: '3×9×7', run: async (lib) => {
    const x = { x: rand(3 * 63) }, A = [0.9, 0.1, -0.2, 0.05, 1.1, 0, -0.3, 0.2, 0.8], b = [0.1, -0.2, 0.3];
    const r = await CASES.colour_affine(lib, x, { H: 9, W: 7, A, b });
    return [[r.out, colourAffineRef(x.x, 63, A, b)]];
  } },
  'image/resize_bilinear': { shape: '3×7×5 → 3×16×11 (up), → 3×3×2 (down)', run: async (lib) => {
    const x = { input: rand(3 * 35) };
    const up = await CASES.resize_bilinear(lib, x, { C: 3, h: 7, w: 5, H: 16, W: 11 });
    const down = await CASES.resize_bilinear(lib, x, { C: 3, h: 7, w: 5, H: 3, W: 2 });
    return [[up.out, resizeBilinearRef(x.input, 3, 7, 5, 16, 11)], [down.out, resizeBilinearRef(x.input, 3, 7, 5, 3, 2)]];
  } },
  'flow/gray': { shape: '3×9×7 → 9×7', run: async (lib) => {
    const x = { input: rand(3 * 63) };
    return [[(await CASES.flow_gray(lib, x, { H: 9, W: 7 })).out, grayRef(x.input, 63, grayWeights())]];
  } },
  'flow/warp_map': { shape: '3×13×11, flow within ±4 px (some points outside)', run: async (lib) => {
    const x = { input: rand(3 * 143), flow: rand(2 * 143, 4) };
    return [[(await CASES.flow_warp_map(lib, x, { C: 3, H: 13, W: 11 })).out, warpMapRef(x.input, x.flow, 3, 13, 11)]];
  } },
  'flow/warp_map_cubic': { shape: '3×13×11, flow within ±4 px (some points outside)', run: async (lib) => {
    const x = { input: rand(3 * 143), flow: rand(2 * 143, 4) };
    return [[(await CASES.flow_warp_map_cubic(lib, x, { C: 3, H: 13, W: 11 })).out, warpMapCubicRef(x.input, x.flow, 3, 13, 11)]];
  } },
  'flow/consistency': { shape: '13×11, wb ±3 px, wf = −wb ± 0.8 px', run: async (lib) => {
    const wb = rand(2 * 143, 3), d = rand(2 * 143, 0.8);
    const x = { wb, wf: wb.map((v, i) => -v + d[i]) };
    return [[(await CASES.flow_consistency(lib, x, { H: 13, W: 11 })).out, consistencyRef(x.wb, x.wf, 13, 11)]];
  } },
  'flow/derivatives': { shape: '13×11, a 0/1 inside mask', run: async (lib) => {
    const warped = rand(2 * 143).map((v, i) => (i < 143 ? v : v > -0.5 ? 1 : 0));
    const x = { a: rand(143), warped };
    return [[(await CASES.flow_derivatives(lib, x, { H: 13, W: 11 })).out, derivativesRef(x.a, x.warped, 13, 11)]];
  } },
  'flow/hs_sor': { shape: '13×11, α = 0.2, ω = 1.8, both colours', run: async (lib) => {
    const x = { deriv: rand(3 * 143, 0.2), flow0: rand(2 * 143), flow: rand(2 * 143) };
    const p = { H: 13, W: 11, alpha: 0.2, omega: 1.8 };
    const red = await CASES.flow_hs_sor(lib, x, { ...p, parity: 0 }), black = await CASES.flow_hs_sor(lib, x, { ...p, parity: 1 });
    return [[red.flow, hsSorRef(x.deriv, x.flow0, x.flow, 13, 11, 0.04, 1.8, 0)], [black.flow, hsSorRef(x.deriv, x.flow0, x.flow, 13, 11, 0.04, 1.8, 1)]];
  } },
  'flow/upsample_flow': { shape: '2×7×5 → 2×13×10', run: async (lib) => {
    const x = { input: rand(2 * 35) };
    return [[(await CASES.flow_upsample(lib, x, { h: 7, w: 5, H: 13, W: 10 })).out, upsampleFlowRef(x.input, 7, 5, 13, 10)]];
  } },
  'guide/mask_downsample': { shape: '13×10 map, 3×3 stride 2 ceil mode', run: async (lib) => {
    const x = { m: positivePair(130).a };
    const w = { K: 3, stride: 2, pad: 0, ceil: true };
    const r = await CASES.mask_downsample(lib, x, { H: 13, W: 10, ...w });
    return [[r.out, maskDownsampleRef(x.m, 13, 10, w)]];
  } },
  'guide/mask_features': { shape: '5×7×9 features, 7×9 map', run: async (lib) => {
    const x = { features: rand(5 * 63), mask: positivePair(63).a, grad_gram: rand(25) };
    const r = await CASES.guided_gram(lib, x, { C: 5, H: 7, W: 9, scale: 1 / 63 });
    return [[r.gram, guidedGramRef(x.features, x.mask, 5, 63, 1 / 63)]];
  } },
  'pool/max_forward': { shape: '3×9×7', run: (lib) => pool(lib, 'max') },
  'pool/max_backward': { shape: '3×9×7', run: (lib) => pool(lib, 'max') },
  'pool/avg_forward': { shape: '3×9×7', run: (lib) => pool(lib, 'avg') },
  'pool/avg_backward': { shape: '3×9×7', run: (lib) => pool(lib, 'avg') },
  'pool/max_window_forward': { shape: '3×10×8, 3×3 stride 2, ceil mode', run: poolWindow },
  'pool/max_window_backward': { shape: '3×10×8, 3×3 stride 2, ceil mode', run: poolWindow },
  'gram_forward/sum_slices': { shape: '6×9000 (split-K)', run: async (lib) => {
    const x: Arrays = { features: rand(6 * 9000), grad_gram: rand(36) };
    const r = await CASES.gram(lib, x, { C: 6, M: 9000, scale: 1 / 9000, variant: 'v0_blocks' });
    return [[r.gram, gramForwardRef(x.features, 6, 9000, 1 / 9000)]];
  } },
  'loss/squared_error': { shape: 'n=1001', run: async (lib) => {
    const x = { input: rand(1001), target: rand(1001) };
    const r = await CASES.squared_error(lib, x, { n: 1001, scale: 0.5 });
    const e = squaredErrorRef(x.input, x.target, 0.5);
    return [[[r.loss[1]], [e.loss]], [r.grad, e.grad]];
  } },
  'loss/temporal': { shape: '3×13×7', run: async (lib) => {
    const c = rand(13 * 7).map((v) => (v > 0 ? 1 : 0.25));
    const x = { input: rand(3 * 13 * 7), warped: rand(3 * 13 * 7), weights: c, grad: rand(3 * 13 * 7) };
    const r = await CASES.temporal_loss(lib, x, { C: 3, H: 13, W: 7, scale: 0.7, factors: [1, 0.5, 2] });
    const e = temporalLossRef(x.input, x.warped, c, [1, 0.5, 2], 0.7);
    return [[[r.loss[0]], [e.loss]], [r.grad, e.grad]];
  } },
  'loss/tv': { shape: '3×17×9', run: async (lib) => {
    const x = { image: rand(3 * 17 * 9) };
    const r = await CASES.tv_loss(lib, x, { C: 3, H: 17, W: 9, scale: 1 });
    const e = tvLossRef(x.image, 3, 17, 9, 1);
    return [[[r.loss[0]], [e.loss]], [r.grad, e.grad]];
  } },
  'elementwise/axpby': { shape: 'n=999', run: async (lib) => {
    const x = { x: rand(999), y: rand(999) };
    const r = await CASES.axpby(lib, x, { n: 999, a: 2, b: -0.5 });
    return [[r.y, axpbyRef(2, x.x, -0.5, x.y)]];
  } },
  'elementwise/fill': { shape: 'n=999', run: async (lib) => {
    const r = await CASES.fill(lib, {}, { n: 999, value: 0.25 });
    return [[r.y, new Float64Array(999).fill(0.25)]];
  } },
  'tile/window': { shape: '3×13×11 map, 5×4 window at (6, 7)', run: async (lib) => {
    const x = { full: rand(3 * 13 * 11), add: rand(3 * 5 * 4) };
    const r = await CASES.window(lib, x, { C: 3, H: 13, W: 11, h: 5, w: 4, y0: 6, x0: 7 });
    return [[r.window, windowCopyRef(x.full, 3, 13, 11, 5, 4, 6, 7)], [r.full, windowAddRef(x.full, x.add, 3, 13, 11, 5, 4, 6, 7)]];
  } },
  'tile/mask': { shape: '3×13×11, rows 2–9 × columns 4–11', run: async (lib) => {
    const x = { input: rand(3 * 13 * 11) };
    const rect = { y0: 2, y1: 9, x0: 4, x1: 11 };
    const r = await CASES.mask(lib, x, { C: 3, H: 13, W: 11, rect });
    return [[r.output, maskRef(x.input, 3, 13, 11, rect)]];
  } },
  'matmul/matmul': { shape: '64×72×33', run: async (lib) => {
    const x = { at: rand(33 * 64), b: rand(33 * 72) };
    const r = await CASES.matmul(lib, x, { M: 64, N: 72, K: 33 });
    return [[r.c, matmulRef(x.at, x.b, 64, 72, 33)]];
  } },
  'optim/adam': { shape: 'n=777, t=1', run: async (lib) => {
    const x = { param: rand(777), grad: rand(777), m: new Float32Array(777), v: new Float32Array(777) };
    const r = await CASES.adam(lib, x, { n: 777, hyper: ADAM_DEFAULTS, t: 1 });
    return [[r.param, adamRef(x.param, x.grad, x.m, x.v, ADAM_DEFAULTS, 1).param]];
  } },
  'optim/adam_bf16': { shape: 'n=777, t=2', run: async (lib) => {
    // a step from a state of step 1 (its moments rounded to bfloat16); the state's words travel as float32 bits
    const n = 777, x = { param: rand(n), grad: rand(n) };
    const start = adamBf16Ref(x.param, rand(n), new Uint32Array(n), ADAM_DEFAULTS, 1).state;
    const r = await CASES.adam_bf16(lib, { ...x, state: new Float32Array(start.buffer) }, { n, hyper: ADAM_DEFAULTS, t: 2 });
    // the update reads the unpacked moments; the new words are rounded stochastically, where one
    // float32 ulp of difference can flip a word to its neighbour (test/kernels_misc.test.ts checks those)
    return [[r.param, adamBf16Ref(x.param, x.grad, start, ADAM_DEFAULTS, 2).param]];
  } },
};

// Every registered version of the Gram, the strided conv and the reduction, on the first awkward shape it can run
// (registry: src/kernels/registry.ts): a new version is checked here without an entry of its own.
const GRAM_SHAPES = [{ C: 13, M: 37 }, { C: 13, M: 36 }];
for (const v of REGISTRY.gram_forward) {
  const s = GRAM_SHAPES.find((x) => v.unfit(x) === null)!;
  CHECKS[v.kernels[0]] = { shape: `${s.C}×${s.M}`, run: (lib) => gram(lib, v.id, 'v0_narrow', [s.C, s.M]) };
}
// (backward version 3 needs C and M multiples of 4: 36 rows, a block of 32 and one of 4; 76 positions)
const GRAM_BACKWARD_SHAPES = [{ C: 7, M: 33 }, { C: 36, M: 76 }];
for (const v of REGISTRY.gram_backward) {
  const s = GRAM_BACKWARD_SHAPES.find((x) => v.unfit(x) === null)!;
  CHECKS[v.kernels[0]] = { shape: `${s.C}×${s.M}`, run: (lib) => gram(lib, 'v0_blocks', v.id, [s.C, s.M]) };
}
for (const v of REGISTRY.strided_conv_forward) CHECKS[v.kernels[0]] = { shape: 'C=3 13×11 → O=11, 3×3 stride 2, ReLU', run: (lib) => stridedConv(lib, v.id) };
for (const v of REGISTRY.strided_conv_backward_input) CHECKS[v.kernels[0]] = { shape: 'O=11 6×5 → C=3 13×11, 3×3 stride 2', run: (lib) => stridedConv(lib, v.id) };
for (const v of REGISTRY.reduce) {
  CHECKS[v.kernels[0]] = { shape: 'n=100003, dot', run: async (lib) => {
    const x = positivePair(100003);
    const r = await CASES.reduce(lib, x, { n: 100003, dot: true, scale: 1, variant: v.id });
    return [[[r.out[2]], [sumRef(x.a, x.b)]]];
  } };
}

for (const k of ['image/preprocess', 'image/postprocess', 'image/clamp'] as const) {
  CHECKS[k] = { shape: '3×9×7 (torchvision convention)', run: async (lib) => {
    const rgba = Float32Array.from({ length: 9 * 7 * 4 }, () => Math.floor(Math.random() * 256));
    const wild = rand(3 * 63, 5);
    const r = await CASES.image(lib, { rgba, wild }, { H: 9, W: 7, convention: TORCHVISION_CONVENTION });
    const { lo, hi } = pixelBounds(TORCHVISION_CONVENTION);
    if (k === 'image/preprocess') return [[r.net, preprocessRef(rgba, 9, 7, TORCHVISION_CONVENTION)]];
    if (k === 'image/postprocess') return [[r.rgba, postprocessRef(preprocessRef(rgba, 9, 7, TORCHVISION_CONVENTION), 9, 7, TORCHVISION_CONVENTION)]];
    return [[r.clamped, wild.map((v, i) => Math.min(hi[Math.floor(i / 63)], Math.max(lo[Math.floor(i / 63)], v)))]];
  } };
}

/** Max error relative to the reference's largest magnitude, over all outputs of a check. */
export function maxRelError(pairs: [ArrayLike<number>, ArrayLike<number>][]): number {
  let worst = 0;
  for (const [got, want] of pairs) {
    let m = 1e-12, d = 0;
    for (let i = 0; i < want.length; i++) {
      m = Math.max(m, Math.abs(want[i]));
      d = Math.max(d, Math.abs(got[i] - want[i]));
    }
    worst = Math.max(worst, d / m);
  }
  return worst;
}
