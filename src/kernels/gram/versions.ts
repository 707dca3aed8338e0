/**
 * The Gram op's versions, simplest first: for each, its WGSL file (shaders/gram_forward/ID.wgsl,
 * shaders/gram_backward/ID.wgsl), what it is, which shapes it can run, its split-K rule and its
 * launch (bindings, params, grid). The registry (registry.ts) lists these; the tests, the
 * page's kernel explorer, autotuning and the benchmark iterate the registry, so a new version is a
 * WGSL file and one entry here (docs/kernels.md, "Adding a version").
 *
 * Channel parameters, as in every shader: C channels, M = H·W positions (F is C×M, G is C×C).
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import type { GramShape, OpPlan, VersionInfo } from '../registry.js';
import type { Tensor } from '../tensor.js';

/** One Gram forward: G = scale·F·Fᵀ for F = features (C×M); `scratch` holds split-K partial Grams. */
export interface GramForwardCall {
  features: Tensor;
  gram: Tensor;
  scale: number;
  /** At least plan.scratch.slices floats when the plan has several slices. */
  scratch?: Tensor;
}

/** One Gram backward: grad_features = scale·(dG + dGᵀ)·F. */
export interface GramBackwardCall {
  features: Tensor;
  gradGram: Tensor;
  gradFeatures: Tensor;
  scale: number;
}

/** Upper-triangle 8×8 blocks of a C×C Gram, 64 per workgroup (versions 2 and 3). */
const triangleGrid = (C: number): [number, number] => [Math.ceil((Math.ceil(C / 8) * (Math.ceil(C / 8) + 1)) / 2 / 64), 1];

/**
 * Split-K slices for 4×4-block versions: a wide map's few blocks get parallel work (slices of
 * ≥ 2048 positions) until ~8192 blocks are busy.
 */
function slices4(s: GramShape): number {
  const blocks = (Math.ceil(s.C / 4) * (Math.ceil(s.C / 4) + 1)) / 2;
  if (s.M < 4096 || blocks >= 4096) return 1;
  return Math.min(64, Math.ceil(s.M / 2048), Math.ceil(8192 / blocks));
}

/** Split-K slices for 8×8-block versions: a quarter as many blocks; slices until ~2048 are busy. */
function slices8(s: GramShape): number {
  const blocks8 = (Math.ceil(s.C / 8) * (Math.ceil(s.C / 8) + 1)) / 2;
  if (s.M < 4096 || blocks8 >= 1024) return 1;
  return Math.min(64, Math.ceil(s.M / 2048), Math.ceil(2048 / blocks8));
}

/**
 * A forward version's dispatches: the kernel over `grid` (× slices in z), then the slice sum when
 * split. `align` rounds each slice's start (vec4 reads need multiples of 4).
 */
function forwardLaunch(kernel: string, grid: (C: number) => [number, number], align = 1) {
  return (lib: KernelLibrary, c: GramForwardCall, plan: OpPlan<'gram_forward'>): Dispatch[] => {
    const { C, M } = plan.shape;
    const S = plan.splits;
    const [gx, gy] = grid(C);
    const k = lib.kernel(kernel as never);
    if (S === 1) return [k.bind({ features: c.features.buffer, gram: c.gram.buffer }, { C, M, scale: c.scale, chunk: M }, [gx, gy, 1])];
    const chunk = Math.ceil(M / S / align) * align;
    return [
      k.bind({ features: c.features.buffer, gram: c.scratch!.buffer }, { C, M, scale: c.scale, chunk }, [gx, gy, S]),
      lib.kernel('gram_forward/sum_slices').bind({ partial: c.scratch!.buffer, gram: c.gram.buffer }, { n: C * C, slices: S }, grid1d(C * C, 256)),
    ];
  };
}

export const GRAM_FORWARD_VERSIONS = [
  {
    id: 'v0_blocks', number: 0, kernels: ['gram_forward/v0_blocks', 'gram_forward/sum_slices'], summary: 'one 4×4 block of G per invocation, no barriers',
    unfit: () => null, splits: true, tuned: true, slices: slices4,
    // 8×8 invocations per workgroup, one 4×4 block each
    launch: forwardLaunch('gram_forward/v0_blocks', (C) => [Math.ceil(Math.ceil(C / 4) / 8), Math.ceil(Math.ceil(C / 4) / 8)]),
  },
  {
    id: 'v1_lanes', number: 1, kernels: ['gram_forward/v1_lanes', 'gram_forward/sum_slices'], summary: '64 lanes share a block and split the positions, coalesced reads, one barrier',
    unfit: () => null, splits: true, tuned: true,
    // each block is already a 64-lane workgroup: aim at ~1000 busy workgroups, ≥ 1024 positions per slice
    slices: (s) => Math.max(1, Math.min(64, Math.ceil(1024 / ((Math.ceil(s.C / 4) * (Math.ceil(s.C / 4) + 1)) / 2)), Math.floor(s.M / 1024))),
    launch: forwardLaunch('gram_forward/v1_lanes', (C) => [Math.ceil(C / 4), Math.ceil(C / 4)]),
  },
  {
    id: 'v2_vec4', number: 2, kernels: ['gram_forward/v2_vec4', 'gram_forward/sum_slices'], summary: 'one 8×8 block per invocation, rows read as vec4s (16 loads per 256 multiply-adds), upper triangle only',
    unfit: (s) => (s.M % 4 === 0 ? null : `gram version "v2_vec4" needs H·W to be a multiple of 4, got ${s.M}`), splits: true, tuned: true, slices: slices8,
    launch: forwardLaunch('gram_forward/v2_vec4', triangleGrid, 4),
  },
  {
    id: 'v3_tiles8', number: 3, kernels: ['gram_forward/v3_tiles8', 'gram_forward/sum_slices'], summary: 'version 2 for any H·W: quads of scalar loads, the last one masked',
    unfit: () => null, splits: true, tuned: true, slices: slices8,
    launch: forwardLaunch('gram_forward/v3_tiles8', triangleGrid),
  },
  {
    id: 'v4_shared32', number: 4, kernels: ['gram_forward/v4_shared32', 'gram_forward/sum_slices'], summary: 'a 32×32 tile per workgroup from rows staged in workgroup memory (for GPUs; two barriers per 16 positions)',
    unfit: () => null, splits: true, tuned: true,
    // one workgroup per upper-triangle tile: slices of ≥ 2048 positions until ~512 workgroups are busy
    slices: (s) => {
      const tiles = (Math.ceil(s.C / 32) * (Math.ceil(s.C / 32) + 1)) / 2;
      return s.M < 4096 || tiles >= 512 ? 1 : Math.min(64, Math.ceil(s.M / 2048), Math.ceil(512 / tiles));
    },
    launch: forwardLaunch('gram_forward/v4_shared32', (C) => [(Math.ceil(C / 32) * (Math.ceil(C / 32) + 1)) / 2, 1]),
  },
  {
    id: 'v5_subgroups', number: 5, kernels: ['gram_forward/v5_subgroups', 'gram_forward/sum_slices'],
    summary: '16 shared rows × 4 own rows per invocation, the shared rows loaded once per subgroup and broadcast (8 loads per 64 dot products; needs subgroups, H·W a multiple of 4)',
    unfit: (s) => (s.M % 4 === 0 ? null : `gram version "v5_subgroups" needs H·W to be a multiple of 4, got ${s.M}`), needs: 'subgroups', splits: true, tuned: true, slices: slices8,
    launch: forwardLaunch('gram_forward/v5_subgroups', (C) => [Math.ceil(Math.ceil(C / 4) / 8), Math.ceil(C / 16)], 4),
  },
] as const satisfies readonly VersionInfo<'gram_forward', string>[];

/** A backward version's one dispatch over `grid(C, M)` workgroups; `rowsAsVec4`: grad_gram bound a second time as vec4 rows (version 3). */
function backwardLaunch(kernel: string, grid: (C: number, M: number) => [number, number, number], rowsAsVec4 = false) {
  return (lib: KernelLibrary, c: GramBackwardCall, plan: OpPlan<'gram_backward'>): Dispatch[] => {
    const { C, M } = plan.shape;
    return [
      lib.kernel(kernel as never).bind(
        { features: c.features.buffer, grad_gram: c.gradGram.buffer, grad_features: c.gradFeatures.buffer, ...(rowsAsVec4 ? { grad_gram_rows: c.gradGram.buffer } : {}) },
        { C, M, scale: c.scale },
        grid(C, M),
      ),
    ];
  };
}

/** Versions 0 and 1: a workgroup is 64 column blocks (`cols` wide) of one 4-row block. */
const rowBlockGrid = (cols: number) => (C: number, M: number): [number, number, number] => [Math.ceil(Math.ceil(M / cols) / 64), Math.ceil(C / 4), 1];

/** Version 3: workgroups of 8 column blocks (8 wide) × 32-row blocks. */
const subgroupGrid = (C: number, M: number): [number, number, number] => [Math.ceil(Math.ceil(M / 8) / 8), Math.ceil(C / 32), 1];

/** Version 2: one invocation per 8-row × 16-column block, all blocks in one flat range. */
const flatGrid = (C: number, M: number) => grid1d(Math.ceil(M / 16) * Math.ceil(C / 8), 64);

export const GRAM_BACKWARD_VERSIONS = [
  { id: 'v0_narrow', number: 0, kernels: ['gram_backward/v0_narrow'], summary: '4×4 blocks of the feature gradient', unfit: () => null, splits: false, tuned: true, launch: backwardLaunch('gram_backward/v0_narrow', rowBlockGrid(4)) },
  { id: 'v1_wide', number: 1, kernels: ['gram_backward/v1_wide'], summary: '4×8 blocks, fewer loads per multiply-add', unfit: () => null, splits: false, tuned: true, launch: backwardLaunch('gram_backward/v1_wide', rowBlockGrid(8)) },
  { id: 'v2_flat', number: 2, kernels: ['gram_backward/v2_flat'], summary: '8×16 blocks, (column, row) blocks flattened so small maps fill the lanes (for lavapipe)', unfit: () => null, splits: false, tuned: true, launch: backwardLaunch('gram_backward/v2_flat', flatGrid) },
  {
    id: 'v3_subgroups', number: 3, kernels: ['gram_backward/v3_subgroups'],
    summary: '32 rows × 8 columns per invocation, the rows\' coefficients loaded once per subgroup and broadcast (needs subgroups; C and H·W multiples of 4)',
    unfit: (s) => (s.C % 4 === 0 && s.M % 4 === 0 ? null : `gram_backward version "v3_subgroups" needs channels and positions that are multiples of 4, got C=${s.C}, M=${s.M}`),
    needs: 'subgroups', splits: false, tuned: true, launch: backwardLaunch('gram_backward/v3_subgroups', subgroupGrid, true),
  },
] as const satisfies readonly VersionInfo<'gram_backward', string>[];
