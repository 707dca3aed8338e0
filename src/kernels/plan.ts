/**
 * The planner: for each op of a graph (its kind and shape) the kernel version that runs it, the
 * split count and the scratch it needs. Everything that runs, tests, times or lists a kernel
 * version reads the registry below (REGISTRY); `fixedChoice` is the one place that picks a version
 * without measuring, and a tuned table (see autotune.ts) overrides it per shape on the user's GPU.
 *
 * Op kinds and their shapes:
 *   conv_forward         R input channels reduced into N outputs, K×K kernel, H×W map
 *   conv_backward_input  the same with R = O (gradient channels) and N = C (input channels)
 *   gram_forward         C channels × M positions → C×C
 *   gram_backward        the same shape, gradient back to the C×M features
 *   reduce               n floats (or a dot product of two) → one float
 *   strided_conv_forward         C → O channels, K×K kernel at a stride with zero padding, H×W input
 *   strided_conv_backward_input  the same layer, gradient back to its C×H×W input
 */
import type { AdapterSummary } from './context.js';
import type { Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';
import type { KernelName } from './shaders.js';
import { GRAM_BACKWARD_VERSIONS, GRAM_FORWARD_VERSIONS, type GramBackwardCall, type GramForwardCall } from './gram/versions.js';
import { REDUCE_VERSIONS, type ReduceCall } from './reduce/versions.js';
import { CONV_VERSIONS, convVersions, type ConvCall } from './conv/versions.js';
import { STRIDED_CONV_BACKWARD_VERSIONS, STRIDED_CONV_FORWARD_VERSIONS, type StridedConvBackwardCall, type StridedConvForwardCall } from './strided_conv/versions.js';
import { ceil8, winogradPlanes, winogradTileOf, winogradTiles, WINOGRAD_CHUNK_FLOATS, tilesFitting } from './conv/geometry.js';

export interface ConvShape {
  /** channels reduced (forward: input channels C; backward to input: output channels O) */
  R: number;
  /** channels produced (forward: O; backward to input: C) */
  N: number;
  K: number;
  H: number;
  W: number;
}

export interface GramShape {
  C: number;
  M: number;
}

export interface ReduceShape {
  n: number;
}

/** A strided conv layer on an H×W input: C input channels, O outputs (the same in both directions). */
export interface StridedConvShape {
  C: number;
  O: number;
  K: number;
  stride: number;
  pad: number;
  H: number;
  W: number;
}

export interface OpShapes {
  conv_forward: ConvShape;
  conv_backward_input: ConvShape;
  gram_forward: GramShape;
  gram_backward: GramShape;
  reduce: ReduceShape;
  strided_conv_forward: StridedConvShape;
  strided_conv_backward_input: StridedConvShape;
}

export type OpKind = keyof OpShapes;

export const OP_KINDS: OpKind[] = ['conv_forward', 'conv_backward_input', 'gram_forward', 'gram_backward', 'reduce', 'strided_conv_forward', 'strided_conv_backward_input'];

/** A conv version's id (both directions have the same ids). */
export type ConvVersion = (typeof CONV_VERSIONS)[number]['id'];

export interface OpVersions {
  conv_forward: ConvVersion;
  conv_backward_input: ConvVersion;
  gram_forward: (typeof GRAM_FORWARD_VERSIONS)[number]['id'];
  gram_backward: (typeof GRAM_BACKWARD_VERSIONS)[number]['id'];
  reduce: (typeof REDUCE_VERSIONS)[number]['id'];
  strided_conv_forward: (typeof STRIDED_CONV_FORWARD_VERSIONS)[number]['id'];
  strided_conv_backward_input: (typeof STRIDED_CONV_BACKWARD_VERSIONS)[number]['id'];
}

/** What one run of an op is given (its tensors and scalars; the shape is the plan's). */
export interface OpCalls {
  conv_forward: ConvCall;
  conv_backward_input: ConvCall;
  gram_forward: GramForwardCall;
  gram_backward: GramBackwardCall;
  reduce: ReduceCall;
  strided_conv_forward: StridedConvForwardCall;
  strided_conv_backward_input: StridedConvBackwardCall;
}

export interface VersionInfo<K extends OpKind = OpKind, Id extends string = OpVersions[K]> {
  /** The shader file stem (OpVersions[K], the union of an op's ids, is read off its list). */
  id: Id;
  /** Numbered simplest first, as the shader files are (shaders/conv/v3_rows.wgsl is version 3). */
  number: number;
  /** The kernels one run of this version dispatches (split-K sums and weight transforms included). */
  kernels: readonly KernelName[];
  summary: string;
  /** Why this version cannot run a shape, or null if it can. */
  unfit: (s: OpShapes[K]) => string | null;
  /** A device feature the version's shaders need (AdapterSummary.subgroups); devices without it never run the version. */
  needs?: 'subgroups';
  /** Whether the reduction can be split across workgroups (split-K, summed by a second kernel). */
  splits: boolean;
  /** Whether autotuning times it (version 0 is for reading, never the fastest). */
  tuned: boolean;
  /** The split count this version uses for a shape, when it decides it itself (the Gram's). */
  slices?: (s: OpShapes[K]) => number;
  /** The dispatches of one run as `plan` says: bindings, params and grid. */
  launch: (lib: KernelLibrary, call: OpCalls[K], plan: OpPlan<K>) => Dispatch[];
}

/** Every version of every op, simplest first. Tests, the benchmark and the explorer iterate this. */
export const REGISTRY: { [K in OpKind]: readonly VersionInfo<K>[] } = {
  conv_forward: convVersions('forward'),
  conv_backward_input: convVersions('backward_input'),
  gram_forward: GRAM_FORWARD_VERSIONS,
  gram_backward: GRAM_BACKWARD_VERSIONS,
  reduce: REDUCE_VERSIONS,
  strided_conv_forward: STRIDED_CONV_FORWARD_VERSIONS,
  strided_conv_backward_input: STRIDED_CONV_BACKWARD_VERSIONS,
};

export function versionInfo<K extends OpKind>(kind: K, version: OpVersions[K]): VersionInfo<K> {
  const v = (REGISTRY[kind] as readonly VersionInfo<K>[]).find((x) => x.id === version);
  if (!v) throw new Error(`unknown ${kind} version "${version}" (known: ${REGISTRY[kind].map((x) => x.id).join(', ')})`);
  return v;
}

/** Whether a device can run a version at all (its `needs`); unknown devices (no summary) can. */
export function deviceRuns(v: Pick<VersionInfo, 'needs'>, device?: Pick<AdapterSummary, 'subgroups'>): boolean {
  return !v.needs || !device || device.subgroups === true;
}

/**
 * The versions that can run a shape (all of them, or only those autotuning times); with a
 * device summary, only those its features allow.
 */
export function eligibleVersions<K extends OpKind>(kind: K, shape: OpShapes[K], tunedOnly = false, device?: Pick<AdapterSummary, 'subgroups'>): VersionInfo<K>[] {
  return (REGISTRY[kind] as readonly VersionInfo<K>[]).filter((v) => v.unfit(shape) === null && (!tunedOnly || v.tuned) && deviceRuns(v, device));
}

/** A readable, stable name for an op and shape (tuning tables are keyed by it). */
export function opKey<K extends OpKind>(kind: K, shape: OpShapes[K]): string {
  return `${kind} ${Object.entries(shape).map(([k, v]) => `${k}${v}`).join(' ')}`;
}

/** How one op will run. Scratch sizes are in floats; the caller provides buffers at least that large. */
export interface OpPlan<K extends OpKind = OpKind> {
  kind: K;
  shape: OpShapes[K];
  version: OpVersions[K];
  splits: number;
  scratch: { slices?: number; winogradData?: number; winogradProducts?: number };
}

/** A version and split count for an op, before scratch is sized. */
export interface Choice<K extends OpKind = OpKind> {
  version: OpVersions[K];
  splits: number;
}

// ----- the fixed table: what runs when nothing was measured on this adapter -----

/**
 * Invocations a GPU conv should have before splitting stops (measured on an H100 with 32k).
 * Untested idea: each invocation holds ~100 registers, so 64k invocations keep only ~16 warps per
 * SM of an H100 busy; a larger target might speed up blocks 3–4 at the cost of sum passes.
 */
export const CONV_TARGET_INVOCATIONS = 32768;

/**
 * Split-K slices for a direct conv on a GPU: enough slices of the reduction to reach
 * CONV_TARGET_INVOCATIONS when the layer has few pixels or channels, each keeping ≥ 32 channels.
 */
export function convSplits(s: ConvShape, target = CONV_TARGET_INVOCATIONS): number {
  const invocations = Math.ceil((s.H * s.W) / 8) * (ceil8(s.N) / 8);
  if (invocations >= target) return 1;
  return Math.max(1, Math.min(32, Math.ceil(target / invocations), Math.floor(s.R / 32)));
}

/**
 * Fewest 2×2 output tiles for which software adapters use Winograd: its GEMM works on 8 tiles at
 * a time, so below 4 more than half of that work is padding (SwiftShader, 512→512 convs: at 4×4
 * maps, 4 tiles, Winograd 19 ms vs flat16 33 ms).
 */
export const WINOGRAD_MIN_TILES = 4;

/** Software adapters run F(4×4, 3×3) (version 6) on maps with at least this many 4×4 tiles. */
export const WINOGRAD4_MIN_TILES = 16;

/** lavapipe's backward pass takes F(4×4) from 4 tiles (an 8×8 map: block 4 at a 64² input). */
export const LAVAPIPE_BACKWARD_WINOGRAD4_MIN_TILES = 4;

/**
 * lavapipe runs conv versions 7 and 8 (subgroup matrix products) where both the reduced and the
 * produced channels number at least this many: with fewer, the 64 accumulators and 256 stores of
 * their blocks outweigh the loads saved (SqueezeNet's fire modules, 16–48 squeeze channels: whole
 * 256² steps 412 ms with them everywhere, 360 without, 370 from 64 reduced channels).
 */
export const SUBGROUP_GEMM_MIN_CHANNELS = 64;

/** What the planner tells apart: Mesa's lavapipe, other software adapters (SwiftShader), GPUs. */
export type AdapterClass = 'gpu' | 'swiftshader' | 'lavapipe';

export type PlannerAdapter = Pick<AdapterSummary, 'isSoftware'> & Partial<Pick<AdapterSummary, 'device' | 'description' | 'subgroups'>>;

export function adapterClass(a: PlannerAdapter): AdapterClass {
  if (!a.isSoftware) return 'gpu';
  return /llvmpipe|lavapipe/i.test(`${a.device ?? ''} ${a.description ?? ''}`) ? 'lavapipe' : 'swiftshader';
}

/**
 * The version each op gets without measurements, by adapter class — measured on SwiftShader and
 * lavapipe (2 CPU cores) and one H100; see bench/results/HISTORY.md.
 * - conv, software: for 3×3, Winograd F(4×4) (version 6) where the map has ≥ WINOGRAD4_MIN_TILES
 *   4×4 tiles (16×16 and up), else F(2×2) (version 5) where it has ≥ WINOGRAD_MIN_TILES 2×2 tiles;
 *   else flat16 where the channels pad to 16, else version 1; never split (the cores are busy anyway).
 *   (SwiftShader: v1 3.8–4.1, flat16 4.2–4.9, rows 3.5–3.7 GFLOP/s; Winograd faster on blocks 1–4.
 *   F(4×4) against F(2×2), effective GFLOP/s at VGG19's 64² shapes — lavapipe: 64² maps 32 vs 22
 *   forward, 21 vs 17 backward; 32²: 46 vs 12, 22 vs 9; 16²: 26 vs 15, 44 vs 30; 8²: 19 vs 21,
 *   13 vs 20; SwiftShader: 5.6 vs 3.8, 6.3 vs 4.0; 8.6 vs 4.6, 7.7 vs 5.7; 8.2 vs 5.8, 9.3 vs 5.9;
 *   8²: 5.3 vs 5.7, 5.9 vs 6.7. A VGG19 step at 128² on lavapipe, alternating in one process: best
 *   809 ms against 1131 with F(2×2) alone.)
 * - conv, GPU: rows_vec4 for 3×3 maps ≥ 8 wide with W % 4 = 0, rows for other 3×3 maps ≥ 8 wide,
 *   else version 1; split-K for few-pixel layers (H100: v1 8–12, rows 17–20, rows_vec4 19–23
 *   TFLOP/s; Winograd not measured on a GPU yet — autotuning does that on the user's GPU).
 * - conv backward on lavapipe: F(4×4) from 4 tiles (8×8 maps and up), else flat16 for maps of
 *   ≤ 8×8 (conv5_1 at 4²: flat16 4.6 vs Winograd 3.3 GFLOP/s). Whole VGG19 steps at 64² on
 *   lavapipe, variants alternating in one process, best of 6, three runs: 333/300/343/349 ms with
 *   flat16 at 8² against 258/260/269/253 with F(4×4) there; at 128² level (817 vs 776).
 * - conv on lavapipe with subgroups: versions 7 and 8 in place of 5 and 6 where both channel
 *   counts are ≥ SUBGROUP_GEMM_MIN_CHANNELS (kernel-only, 36 planes 512→512 × 64 tiles: 47–52 ms
 *   against 77–84; 36 × 256→256 × 16 tiles: 2.3–3.5 against 4.9–5.1. Whole VGG19 steps,
 *   alternating in one process: 64² 249 → 213 ms, 128² 752 → 591). Also the backward at maps
 *   below 8×8, flat16 otherwise (conv5_1 at a 64² input, 4×4: whole steps 239/227/224 → 206/174/187 ms;
 *   version 7 at 8×8 too was level at 64² and slower at 128², 609 → 656).
 * - Gram forward on software adapters: vec4 where H·W % 4 = 0 (conv1_2 at 64²: 2.5 vs 1.0 GFLOP/s
 *   on SwiftShader, 3.8 vs 1.9 on lavapipe; autotuning on lavapipe picked it for every VGG19 shape
 *   at 128² and 256²); for odd H·W, tiles8 from 8192 positions and blocks below (autotuning on
 *   lavapipe chose tiles8 for SqueezeNet's Grams at a 256² input, blocks or lanes at 128²; single
 *   kernel timings there were level or favoured blocks, e.g. 128×961: 4.3 vs 2.5 GFLOP/s); lanes
 *   on GPUs (barriers are expensive on CPUs); on lavapipe with subgroups version 5 where
 *   H·W % 4 = 0 (whole VGG19 steps alternating in one process: 64² 202 → 200 ms, 128² 560 → 534
 *   and 529 → 514, 256² 2003 → 1902).
 * - Gram backward: flat on lavapipe (whole VGG19 steps alternating in one process, best of 6/4:
 *   64² 236 → 228 ms, 128² 710 → 655; its loads are per-lane scalar loads, so 8×16 blocks and
 *   full lanes at 4×4 maps pay), wide on SwiftShader, narrow on GPUs; on lavapipe with subgroups
 *   version 3 where C and H·W are multiples of 4 (whole VGG19 steps alternating in one process:
 *   64² 202 → 193 ms, 128² 560 → 523; only from 64 positions: 199 and 539).
 * - reduce: chunks on software (a 512×512 Gram's loss took 80 ms with the tree), tree on GPUs.
 * - strided conv: blocks everywhere (SwiftShader: 2.8× the plain forward, 1.7× its backward).
 */
export function fixedChoice<K extends OpKind>(kind: K, shape: OpShapes[K], adapter: PlannerAdapter, lean = false): Choice<K> {
  const cls = adapterClass(adapter);
  const soft = cls !== 'gpu';
  // lavapipe where the device has subgroups: the subgroup versions (measurements above)
  const lavapipeSubgroups = cls === 'lavapipe' && adapter.subgroups === true;
  const c = (version: string, splits = 1) => ({ version, splits }) as Choice<K>;
  switch (kind) {
    case 'conv_forward':
    case 'conv_backward_input': {
      const s = shape as ConvShape;
      if (soft) {
        const lavapipeBackward = cls === 'lavapipe' && kind === 'conv_backward_input';
        const smallMap = lavapipeBackward && s.H * s.W <= 64;
        const minTiles4 = lavapipeBackward ? LAVAPIPE_BACKWARD_WINOGRAD4_MIN_TILES : WINOGRAD4_MIN_TILES;
        // lavapipe with subgroups: the same tile sizes with subgroup matrix products, where both
        // channel counts are large enough for their 32 × 8 and 16 × 16 blocks
        const sg = lavapipeSubgroups && Math.min(s.R, s.N) >= SUBGROUP_GEMM_MIN_CHANNELS;
        if (s.K === 3 && winogradTiles(s.H, s.W, 4).P >= minTiles4 && !lean) return c(sg ? 'v8_winograd4_subgroups' : 'v6_winograd4');
        // (the small maps' backward, flat16 otherwise, takes version 7 where it can)
        if (s.K === 3 && winogradTiles(s.H, s.W).P >= WINOGRAD_MIN_TILES && (!smallMap || sg)) return c(sg ? 'v7_winograd_subgroups' : 'v5_winograd');
        return c(ceil8(s.N) % 16 === 0 ? 'v2_flat16' : 'v1_direct');
      }
      const v = s.K === 3 && s.W >= 8 ? (s.W % 4 === 0 ? 'v4_rows_vec4' : 'v3_rows') : 'v1_direct';
      return c(v, convSplits(s));
    }
    case 'gram_forward':
      if (soft) {
        const { M } = shape as GramShape;
        if (lavapipeSubgroups && M % 4 === 0) return c('v5_subgroups');
        return c(M % 4 === 0 ? 'v2_vec4' : M >= 8192 ? 'v3_tiles8' : 'v0_blocks');
      }
      return c('v1_lanes');
    case 'gram_backward': {
      const { C, M } = shape as GramShape;
      if (lavapipeSubgroups && C % 4 === 0 && M % 4 === 0) return c('v3_subgroups');
      return c(cls === 'lavapipe' ? 'v2_flat' : soft ? 'v1_wide' : 'v0_narrow');
    }
    case 'strided_conv_forward':
    case 'strided_conv_backward_input':
      return c('v1_blocks');
    default:
      return c(soft ? 'v1_chunks' : 'v0_tree');
  }
}

/**
 * The (version, splits) pairs autotuning times for a shape: every tuned version that fits, direct
 * convs whole and with the GPU rule's split count.
 */
export function tuningCandidates<K extends OpKind>(kind: K, shape: OpShapes[K], device?: Pick<AdapterSummary, 'subgroups'>): Choice<K>[] {
  const out: Choice<K>[] = [];
  for (const v of eligibleVersions(kind, shape, true, device)) {
    out.push({ version: v.id, splits: 1 });
    if (v.splits && (kind === 'conv_forward' || kind === 'conv_backward_input')) {
      const s = convSplits(shape as ConvShape);
      if (s > 1) out.push({ version: v.id, splits: s });
    }
  }
  return out;
}

// ----- plans: a choice with its scratch sized -----

/** Check a choice against a shape and size its scratch. Throws (naming the op) if the version cannot run it. */
export function makePlan<K extends OpKind>(kind: K, shape: OpShapes[K], choice: Choice<K>): OpPlan<K> {
  const info = versionInfo(kind, choice.version);
  const why = info.unfit(shape);
  if (why) throw new Error(`${opKey(kind, shape)}: ${why}`);
  const { splits } = choice;
  if (!Number.isInteger(splits) || splits < 1) throw new Error(`${opKey(kind, shape)}: invalid split count ${splits}`);
  if (splits > 1 && !info.splits) throw new Error(`${opKey(kind, shape)}: version "${choice.version}" does not split (use splits = 1)`);
  const plan: OpPlan<K> = { kind, shape, version: choice.version, splits, scratch: {} };
  if (kind === 'conv_forward' || kind === 'conv_backward_input') {
    const s = shape as ConvShape;
    const m = winogradTileOf(choice.version);
    if (m) {
      const B = winogradPlanes(m);
      const tiles = Math.max(8, Math.min(winogradTiles(s.H, s.W, m).P8, tilesFitting(WINOGRAD_CHUNK_FLOATS, Math.max(s.R, s.N), B)));
      plan.scratch = { winogradData: B * s.R * tiles, winogradProducts: B * s.N * tiles };
    } else {
      const S = Math.min(splits, s.R);
      plan.splits = S;
      if (S > 1) plan.scratch = { slices: S * s.N * s.H * s.W };
    }
  } else if (kind === 'gram_forward') {
    const s = shape as GramShape;
    // the Gram's split count follows from its version (a choice's splits is ignored)
    plan.splits = info.slices!(shape);
    if (plan.splits > 1) plan.scratch = { slices: plan.splits * s.C * s.C };
  }
  return plan;
}

/**
 * Plans ops for one device: a tuned choice for the shape if there is one, else a forced version
 * (`force`, e.g. `npm run bench -- --conv winograd`), else the fixed table. While `collecting`,
 * shapes answered without a tuned choice are remembered in `misses` (autotune times them) and
 * those answered with one in `hits`.
 */
export class Planner {
  readonly tuned = new Map<string, Choice>();
  readonly force: Partial<{ [K in OpKind]: OpVersions[K] }> = {};
  collecting = false;
  readonly misses = new Map<string, { kind: OpKind; shape: OpShapes[OpKind] }>();
  /** While collecting: shapes answered from a tuned choice. */
  readonly hits = new Set<string>();

  /**
   * Lean weights: no version whose weight forms take more memory than the fixed table's lean
   * choice (F(4×4) Winograd's filters are 2.25× F(2×2)'s) — for runs a memory budget or tiles
   * limit (withLeanWeights). A forced version (--conv) still runs as asked.
   */
  lean = false;

  constructor(readonly adapter: PlannerAdapter) {}

  plan<K extends OpKind>(kind: K, shape: OpShapes[K]): OpPlan<K> {
    const key = opKey(kind, shape);
    let tuned = this.tuned.get(key) as Choice<K> | undefined;
    if (tuned && this.lean && LARGE_FORMS.has(tuned.version)) tuned = fixedChoice(kind, shape, this.adapter, true);
    if (tuned) {
      if (this.collecting) this.hits.add(key);
      return makePlan(kind, shape, tuned);
    }
    if (this.collecting) this.misses.set(key, { kind, shape });
    const forced = this.force[kind] as OpVersions[K] | undefined;
    if (forced) {
      // a forced version that can split keeps the fixed table's split count
      const splits = versionInfo(kind, forced).splits ? fixedChoice(kind, shape, this.adapter).splits : 1;
      return makePlan(kind, shape, { version: forced, splits } as Choice<K>);
    }
    return makePlan(kind, shape, fixedChoice(kind, shape, this.adapter, this.lean));
  }
}

/** The versions lean planning leaves out: their weight forms are larger than the others'. */
const LARGE_FORMS = new Set<string>(['v6_winograd4', 'v8_winograd4_subgroups']);

/** Run `f` (plans made now, or a graph built) with the planner's lean setting as given, restoring it afterwards (also when `f` throws or its promise rejects). */
export function withLeanWeights<T>(planner: Planner, lean: boolean, f: () => T): T {
  const saved = planner.lean;
  planner.lean = lean;
  let r: T;
  try {
    r = f();
  } catch (e) {
    planner.lean = saved;
    throw e;
  }
  if (r instanceof Promise) return r.finally(() => (planner.lean = saved)) as T;
  planner.lean = saved;
  return r;
}
