/**
 * The conv op's versions, simplest first, shared by both directions (forward: R = C input channels
 * reduced into N = O outputs; backward to the input: R = O gradient channels into N = C, taps
 * mirrored): each entry's WGSL files (shaders/conv/ID.wgsl, or ID_STAGE.wgsl for versions of
 * several kernels or directions), what it is, which shapes it can run, whether it splits the
 * reduction, and its launch (bindings, params, grid). The registry (registry.ts) lists
 * these; tests, explorer, autotuning and benchmark iterate it (docs/kernels.md, "Adding a version").
 *
 * Channel parameters (docs/kernels.md, "Naming"): every version's shaders take R (channels
 * reduced), N (channels produced), N8 (N padded to 8: the packed weights' row length) and
 * r_chunk (reduced channels per split-K slice), whichever direction runs; C and O always mean
 * the layer's input and output channels (the strided conv and the weight and bias gradients).
 */
import type { Dispatch } from '../kernel.js';
import { grid1d } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { ceil16, ceil8, tilesFitting, winogradPlanes, winogradTiles, type WinogradTile } from './geometry.js';
import type { ConvShape, OpPlan, VersionInfo } from '../registry.js';
import { packedWeights, winogradFilters, type ConvWeights } from './weights.js';
import { binding, numel, type Tensor } from '../tensor.js';

/**
 * Scratch buffers a conv may need, each shared freely between convs that run one after another:
 * split-K partial sums, or Winograd's transformed input (B×R×P8) and products (B×N×P8), B = 16
 * or 36 planes. Sizes come from the conv's plan (plan.ts, makePlan).
 */
export interface ConvScratch {
  slices?: Tensor;
  winogradData?: Tensor;
  winogradProducts?: Tensor;
}

function scratchCheck(what: string, t: Tensor | undefined, need: number): Tensor {
  if (!t || numel(t.shape) < need) throw new Error(`${what}: needs a scratch tensor of ${need} floats`);
  return t;
}

/** Each Winograd tile size's kernels (the matrix products are one kernel for both). */
const WINOGRAD_KERNELS = {
  2: { input: 'conv/v5_winograd_input', output: 'conv/v5_winograd_output' },
  4: { input: 'conv/v6_winograd4_input', output: 'conv/v6_winograd4_output' },
} as const;

/** Chunks of at least this many tiles take the subgroup GEMM with lanes over tiles, smaller ones lanes over channels. */
export const SUBGROUP_GEMM_TILES_MIN = 64;

/**
 * Winograd's matrix products for one chunk of T8 tiles. plain: conv/winograd_gemm (versions 5
 * and 6); subgroups (versions 7 and 8): conv/winograd_gemm_subgroup_tiles for chunks of
 * SUBGROUP_GEMM_TILES_MIN tiles and more (each workgroup shares 32 channels' filters, over 64
 * tiles), else conv/winograd_gemm_subgroup_channels (each shares 16 tiles' data, over 128 channels).
 */
function winogradGemm(lib: KernelLibrary, gemm: WinogradGemm, U: Tensor, data: Tensor, products: Tensor, R: number, N: number, T8: number, B: number): Dispatch {
  const bindings = { U: binding(U), V: binding(data), M: binding(products) };
  const params = { R, N, N16: ceil16(N), P8: T8 };
  if (gemm === 'plain') return lib.kernel('conv/winograd_gemm').bind(bindings, params, [Math.ceil(((T8 / 8) * ceil16(N)) / 16 / 64), 1, B]);
  if (T8 >= SUBGROUP_GEMM_TILES_MIN) return lib.kernel('conv/winograd_gemm_subgroup_tiles').bind(bindings, params, [Math.ceil(T8 / 64), Math.ceil(ceil16(N) / 32), B]);
  return lib.kernel('conv/winograd_gemm_subgroup_channels').bind(bindings, params, [Math.ceil(T8 / 16), Math.ceil(ceil16(N) / 128), B]);
}

export type WinogradGemm = 'plain' | 'subgroups';

/**
 * A conv as Winograd F(m×m, 3×3): input transform (R channels in), (m+2)² matrix products with
 * the transformed filters U, output transform (N channels out, + bias, ReLU) — three dispatches
 * per chunk of tiles, in that order (exported for the per-stage tests). The chunk is as many
 * tiles as the scratch buffers hold (makePlan in plan.ts sizes them; smaller buffers give more chunks).
 */
export function winogradConv(lib: KernelLibrary, input: Tensor, U: Tensor, bias: Tensor | null, output: Tensor, R: number, N: number, H: number, W: number, relu: boolean, scratch: ConvScratch | undefined, m: WinogradTile = 2, gemm: WinogradGemm = 'plain'): Dispatch[] {
  const { TW, P, P8 } = winogradTiles(H, W, m);
  const B = winogradPlanes(m), k = WINOGRAD_KERNELS[m];
  const data = scratchCheck('winograd conv: transformed input', scratch?.winogradData, B * R * 8);
  const products = scratchCheck('winograd conv: products', scratch?.winogradProducts, B * N * 8);
  const chunk = Math.min(P8, tilesFitting(numel(data.shape), R, B), tilesFitting(numel(products.shape), N, B));
  const ds: Dispatch[] = [];
  for (let begin = 0; begin < P; begin += chunk) {
    const tiles = Math.min(chunk, P - begin);
    const T8 = ceil8(tiles);
    ds.push(
      lib.kernel(k.input).bind({ input: binding(input), V: binding(data) }, { R, H, W, TW, P, P8: T8, p_begin: begin }, grid1d(R * T8, 64)),
      winogradGemm(lib, gemm, U, data, products, R, N, T8, B),
      lib.kernel(k.output).bind(
        { M: binding(products), bias: binding(bias ?? products), output: binding(output) },
        { N, H, W, TW, P8: T8, p_begin: begin, tiles, relu: relu ? 1 : 0, has_bias: bias ? 1 : 0 },
        grid1d(N * tiles, 64),
      ),
    );
  }
  return ds;
}

/**
 * One conv direction in the kernels' terms: R channels reduced into N over an H×W map; flip: the
 * gradient to the input (the backward forms of the weights, taps mirrored). Each version asks
 * the weights for the form it reads (weights.ts: made on first use).
 */
export interface ConvCall {
  input: Tensor;
  bias: Tensor | null;
  output: Tensor;
  relu: boolean;
  flip: boolean;
  /** The layer's weights, whose forms the versions read. */
  weights: ConvWeights;
  scratch?: ConvScratch;
}

type ConvPlan = OpPlan<'conv_forward' | 'conv_backward_input'>;

/** The repacked weights of the call's direction. */
const packed = (lib: KernelLibrary, c: ConvCall) => packedWeights(lib, c.weights, c.flip ? 'backward' : 'forward');

/** Version 0: one invocation per output value, any odd K (the readable one). */
function naiveLaunch(lib: KernelLibrary, c: ConvCall, plan: ConvPlan): Dispatch[] {
  const s = plan.shape;
  return [
    lib.kernel('conv/v0_naive').bind(
      { input: binding(c.input), weight: binding(packed(lib, c)), bias: binding(c.bias ?? packed(lib, c)), output: binding(c.output) },
      { R: s.R, H: s.H, W: s.W, N: s.N, K: s.K, N8: ceil8(s.N), relu: c.relu ? 1 : 0, flip: c.flip ? 1 : 0, has_bias: c.bias ? 1 : 0 },
      grid1d(s.N * s.H * s.W, 64),
    ),
  ];
}

/** The slice sum after a split conv: output = Σ slices (+ bias, ReLU). */
function sumSlices(lib: KernelLibrary, partial: Tensor, slices: number, O: number, HW: number, output: Tensor, bias: Tensor | null, relu: boolean): Dispatch {
  return lib.kernel('conv/sum_slices').bind(
    { partial: binding(partial), bias: binding(bias ?? partial), output: binding(output) },
    { O, HW, slices, relu: relu ? 1 : 0, has_bias: bias ? 1 : 0 },
    grid1d(O * HW, 256),
  );
}

/**
 * Versions 1–4: each of S workgroup layers reduces a chunk of R channels into its slice of
 * `scratch.slices` (S > 1), conv/sum_slices adds them. `conv` binds the version's kernel for a
 * chunk of `chunk` channels writing to `out`.
 */
function splitLaunch(conv: (lib: KernelLibrary, c: ConvCall, plan: ConvPlan, out: Tensor, chunk: number) => Dispatch) {
  return (lib: KernelLibrary, c: ConvCall, plan: ConvPlan): Dispatch[] => {
    const s = plan.shape, S = plan.splits;
    const chunk = Math.ceil(s.R / S);
    const slices = S > 1 ? scratchCheck(`${plan.kind} split ${S}`, c.scratch?.slices, plan.scratch.slices!) : null;
    const d = conv(lib, c, plan, slices ?? c.output, chunk);
    return slices ? [d, sumSlices(lib, slices, Math.ceil(s.R / chunk), s.N, s.H * s.W, c.output, c.bias, c.relu)] : [d];
  };
}

/** Version 1: implicit GEMM, one kernel per direction (the backward's reads the mirrored taps itself). */
const directLaunch = splitLaunch((lib, c, plan, out, chunk) => {
  const s = plan.shape, S = plan.splits;
  const grid: [number, number, number] = [Math.ceil(Math.ceil((s.H * s.W) / 8) / 64), ceil8(s.N) / 8, Math.ceil(s.R / chunk)];
  if (!c.flip) {
    return lib.kernel('conv/v1_direct_forward').bind(
      { input: binding(c.input), weight: binding(packed(lib, c)), bias: c.bias!.buffer, output: binding(out) },
      { R: s.R, H: s.H, W: s.W, N: s.N, K: s.K, N8: ceil8(s.N), relu: c.relu ? 1 : 0, r_chunk: chunk, partial: S > 1 ? 1 : 0 },
      grid,
    );
  }
  return lib.kernel('conv/v1_direct_backward_input').bind(
    { grad_output: binding(c.input), weight: binding(packed(lib, c)), grad_input: binding(out) },
    { R: s.R, H: s.H, W: s.W, N: s.N, K: s.K, N8: ceil8(s.N), r_chunk: chunk },
    grid,
  );
});

/**
 * Versions 2–4 (both directions, flip mirrors the taps): `kernel` over pixel groups of 64
 * invocations (`rowsOf8`: 8 pixels of one row each; else 8 flattened pixels) × blocks of
 * `outBlock` output channels × slices.
 */
function blockedLaunch(kernel: 'conv/v2_flat16' | 'conv/v3_rows' | 'conv/v4_rows_vec4', outBlock: number, rowsOf8: boolean) {
  return splitLaunch((lib, c, plan, out, chunk) => {
    const s = plan.shape, S = plan.splits;
    const pixelGroups = rowsOf8 ? Math.ceil((s.H * Math.ceil(s.W / 8)) / 64) : Math.ceil(Math.ceil((s.H * s.W) / 8) / 64);
    const params: Record<string, number> = { R: s.R, H: s.H, W: s.W, N: s.N, N8: ceil8(s.N), relu: c.relu ? 1 : 0, r_chunk: chunk, partial: S > 1 ? 1 : 0, flip: c.flip ? 1 : 0, has_bias: c.bias ? 1 : 0 };
    if (!rowsOf8) params.K = s.K;
    return lib.kernel(kernel).bind(
      { input: binding(c.input), weight: binding(packed(lib, c)), bias: binding(c.bias ?? packed(lib, c)), output: binding(out) },
      params,
      [pixelGroups, ceil8(s.N) / outBlock, Math.ceil(s.R / chunk)],
    );
  });
}

/** Versions 5–8: Winograd F(m×m, 3×3) with the layer's transformed filters of this direction. */
function winogradLaunch(m: WinogradTile, gemm: WinogradGemm = 'plain') {
  return (lib: KernelLibrary, c: ConvCall, plan: ConvPlan): Dispatch[] => {
    const s = plan.shape;
    return winogradConv(lib, c.input, winogradFilters(lib, c.weights, c.flip ? 'backward' : 'forward', m), c.bias, c.output, s.R, s.N, s.H, s.W, c.relu, c.scratch, m, gemm);
  };
}

const needs3x3 = (v: string) => (s: ConvShape) => (s.K === 3 ? null : `conv version "${v}" needs a 3×3 kernel, got K=${s.K}`);
const rowsFit = (v: string) => (s: ConvShape) =>
  s.K === 3 && s.W >= 8 ? null : `conv version "${v}" needs a 3×3 kernel and a map at least 8 wide (got K=${s.K}, W=${s.W})`;

/** The conv versions, with the forward's kernels (convVersions gives the backward's). */
export const CONV_VERSIONS = [
  { id: 'v0_naive', number: 0, kernels: ['conv/v0_naive'], summary: 'one invocation per output value, any odd K: the version to read first', unfit: () => null, splits: false, tuned: false, launch: naiveLaunch },
  {
    id: 'v1_direct', number: 1, kernels: ['conv/v1_direct_forward', 'conv/sum_slices'],
    summary: 'implicit GEMM, 8 channels × 8 flattened pixels per invocation in registers, any odd K', unfit: () => null, splits: true, tuned: true, launch: directLaunch,
  },
  {
    id: 'v2_flat16', number: 2, kernels: ['conv/v2_flat16', 'conv/sum_slices'], summary: 'version 1 with 16 output channels per invocation (fewer input loads per multiply)',
    unfit: (s) => (ceil8(s.N) % 16 === 0 ? null : `conv version "v2_flat16" needs output channels that pad to a multiple of 16, got ${s.N}`), splits: true, tuned: true,
    launch: blockedLaunch('conv/v2_flat16', 16, false),
  },
  {
    id: 'v3_rows', number: 3, kernels: ['conv/v3_rows', 'conv/sum_slices'], summary: '3×3 only: 8 pixels of one row per invocation, inputs reused across the three column taps',
    unfit: rowsFit('v3_rows'), splits: true, tuned: true, launch: blockedLaunch('conv/v3_rows', 8, true),
  },
  {
    id: 'v4_rows_vec4', number: 4, kernels: ['conv/v4_rows_vec4', 'conv/sum_slices'], summary: 'version 3 reading each row as aligned vec4s',
    unfit: (s) => rowsFit('v4_rows_vec4')(s) ?? (s.W % 4 === 0 ? null : `conv version "v4_rows_vec4" needs a width that is a multiple of 4, got ${s.W}`), splits: true, tuned: true,
    launch: blockedLaunch('conv/v4_rows_vec4', 8, true),
  },
  {
    id: 'v5_winograd', number: 5, kernels: ['conv/v5_winograd_filter', 'conv/v5_winograd_input', 'conv/winograd_gemm', 'conv/v5_winograd_output'],
    summary: 'Winograd F(2×2, 3×3): input transform, 16 matrix products, output transform (2.25× fewer multiplies)', unfit: needs3x3('v5_winograd'), splits: false, tuned: true,
    launch: winogradLaunch(2),
  },
  {
    id: 'v6_winograd4', number: 6, kernels: ['conv/v6_winograd4_filter', 'conv/v6_winograd4_input', 'conv/winograd_gemm', 'conv/v6_winograd4_output'],
    summary: 'Winograd F(4×4, 3×3): 36 matrix products per 4×4 tile (4× fewer multiplies, 1.8× fewer loads and stores than version 5 per output)',
    unfit: needs3x3('v6_winograd4'), splits: false, tuned: true, launch: winogradLaunch(4),
  },
  {
    id: 'v7_winograd_subgroups', number: 7,
    kernels: ['conv/winograd_gemm_subgroup_tiles', 'conv/winograd_gemm_subgroup_channels', 'conv/v5_winograd_filter', 'conv/v5_winograd_input', 'conv/v5_winograd_output'],
    summary: 'version 5 with matrix products that share filters (many tiles) or transformed inputs (few tiles) across a subgroup: fewer loads per multiply (needs subgroups)',
    unfit: needs3x3('v7_winograd_subgroups'), needs: 'subgroups', splits: false, tuned: true, launch: winogradLaunch(2, 'subgroups'),
  },
  {
    id: 'v8_winograd4_subgroups', number: 8,
    kernels: ['conv/winograd_gemm_subgroup_tiles', 'conv/winograd_gemm_subgroup_channels', 'conv/v6_winograd4_filter', 'conv/v6_winograd4_input', 'conv/v6_winograd4_output'],
    summary: 'version 6 with version 7\'s subgroup matrix products (needs subgroups)',
    unfit: needs3x3('v8_winograd4_subgroups'), needs: 'subgroups', splits: false, tuned: true, launch: winogradLaunch(4, 'subgroups'),
  },
] as const satisfies readonly VersionInfo<'conv_forward', string>[];

/** The conv versions of one direction: the same ids, shapes and launches; only version 1 has a kernel per direction. */
export function convVersions<K extends 'conv_forward' | 'conv_backward_input'>(direction: 'forward' | 'backward_input'): readonly VersionInfo<K>[] {
  const own = (k: string) => (direction === 'backward_input' && k === 'conv/v1_direct_forward' ? 'conv/v1_direct_backward_input' : k);
  return CONV_VERSIONS.map((v) => ({ ...v, kernels: v.kernels.map(own) })) as unknown as readonly VersionInfo<K>[];
}
