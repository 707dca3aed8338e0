/**
 * The fixed table: the kernel version (and split count) each op gets when nothing was measured on
 * this adapter, by adapter class; and the candidates autotuning times instead (autotune.ts), whose
 * tuned table overrides this one per shape on the user's GPU.
 */
import { adapterClass, type PlannerAdapter } from './adapter_class.js';
import { ceil8, winogradTiles } from './conv/geometry.js';
import { eligibleVersions, type Choice, type ConvShape, type GramShape, type OpKind, type OpShapes } from './registry.js';
import type { AdapterSummary } from './context.js';

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
