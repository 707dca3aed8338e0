/**
 * A job's plan without running it (`--plan`): each scale's size, how it runs (untiled or in
 * tiles, and why), its memory estimate (an upper bound: tile_budget.ts) and a time estimate from
 * the FLOPs of its steps at a throughput measured here, on this adapter, with one small conv of
 * the planned version (a fraction of a second). Everything before the first GPU pass of the job
 * runs as for the real job (prepareJob), so a plan that says it fits is the run's own choice.
 */
import type { KernelLibrary } from '../kernels/library.js';
import { opBench } from '../kernels/op_bench.js';
import type { Choice, OpShapes } from '../kernels/registry.js';
import { submittedWorkTimer } from '../kernels/op_timers.js';
import { flopsUpTo, gramStepFlops, networkSpec } from '../model/networks.js';
import { planTiles } from '../nst/tiles.js';
import type { MemoryEstimate } from '../nst/tile_budget.js';
import { describeSchedule } from './schedule.js';
import { prepareJob, type JobConfig, type JobImages, type TilingChoice, type WeightsSource } from './prepare.js';
import { prepareReconstruction, targetRun, type ReconstructionJob } from './reconstruct.js';
import { jobDeepestLayer, type StyleTransferOptions } from '../nst/options.js';

export interface ScalePlan {
  /** What this part of the job is, when not a scale of a stylize job (a reconstruction's layers). */
  label?: string;
  width: number;
  height: number;
  steps: number;
  /** Why it runs as it does, in words (null: untiled, as usual). */
  reason: string | null;
  tiles: { tile: number; count: number; windowW: number; windowH: number } | null;
  /** VGG19 runs (SqueezeNet's are not estimated: it runs untiled, in tens of MiB). */
  memory: MemoryEstimate | null;
  /** Multiply-adds ×2 of one step: the convs forward and back to the image, and the Grams. */
  flopsPerStep: number;
  /** The Grams' share of flopsPerStep. */
  gramFlopsPerStep: number;
}

export interface JobPlan {
  network: string;
  /** The scales in one line (stylize jobs of more than one scale: schedule.ts). */
  schedule?: string;
  deepest: string;
  weights: string;
  scales: ScalePlan[];
  /** Throughput measured here with the planned versions at small shapes (GFLOP/s): a conv, a Gram. */
  gflops: { conv: number; gram: number };
  /** About this many seconds for all the steps (setup not included). */
  seconds: number;
}

/** One step's FLOPs at h×w: the convs forward and back (twice the forward), and the Grams forward and back. */
function stepFlops(network: string, deepest: string, styleLayers: string[], h: number, w: number): { all: number; gram: number } {
  const spec = networkSpec(network);
  const gram = gramStepFlops(spec, styleLayers, h, w);
  return { all: 2 * flopsUpTo(spec, deepest, h, w) + gram, gram };
}

/** One run's plan: its size, steps, how it runs (tiling) and its FLOPs per step (tiled: over all windows). */
function runPlan(network: string, deepest: string, width: number, height: number, options: StyleTransferOptions, tiling: TilingChoice): ScalePlan {
  const names = options.styleLayers.map((l) => l.name);
  const t = tiling.tiling;
  if (!t) {
    const f = stepFlops(network, deepest, names, height, width);
    return { width, height, steps: options.iterations, reason: tiling.reason, tiles: null, memory: tiling.estimate ?? null, flopsPerStep: f.all, gramFlopsPerStep: f.gram };
  }
  const layout = planTiles(height, width, t.tile, deepest);
  const f = stepFlops(network, deepest, names, layout.windowH, layout.windowW);
  return {
    width, height, steps: options.iterations, reason: tiling.reason,
    tiles: { tile: t.tile, count: layout.tiles.length, windowW: layout.windowW, windowH: layout.windowH },
    memory: tiling.estimate ?? null, flopsPerStep: layout.tiles.length * f.all, gramFlopsPerStep: layout.tiles.length * f.gram,
  };
}

/** The job's plan (see the file comment). Runs one small timed conv; nothing of the job itself. */
export async function planJob(lib: KernelLibrary, images: JobImages, weightsSrc: WeightsSource, config: JobConfig): Promise<JobPlan> {
  const job = await prepareJob(lib, images, weightsSrc, config);
  const scales = job.scales.map((s) => runPlan(job.network, job.deepest, s.content.width, s.content.height, s.options, s.tiling));
  const plan = await withTimes(lib, networkSpec(job.network).label, job.deepest, job.weights.source, scales);
  return job.sizes.length > 1 ? { ...plan, schedule: describeSchedule(job.schedule, job.network) } : plan;
}

/**
 * A reconstruction job's plan (`reconstruct --plan`): one entry per reconstruction (each matches
 * other layers, so each has its own depth, tiling and FLOPs), as reconstructionGrid would run them.
 */
export async function planReconstruction(lib: KernelLibrary, job: ReconstructionJob, weightsSrc: WeightsSource): Promise<JobPlan> {
  const r = await prepareReconstruction(lib, job, weightsSrc);
  const runs = r.targets.map((t) => {
    const { options, choice } = targetRun(lib, r.weights, r.image, job.mode, job.settings, t);
    return { ...runPlan(r.network, jobDeepestLayer(options), r.image.width, r.image.height, options, choice), label: t.label };
  });
  return withTimes(lib, networkSpec(r.network).label, r.deepest, r.weights.source, runs);
}

/** The plan with a time estimate: the runs' FLOPs at throughputs measured now. */
async function withTimes(lib: KernelLibrary, network: string, deepest: string, weights: string, scales: ScalePlan[]): Promise<JobPlan> {
  const gflops = { conv: await throughput(lib, 'conv_forward', { R: 64, N: 64, K: 3, H: 32, W: 32 }, 2 * 64 * 64 * 9 * 32 * 32), gram: await throughput(lib, 'gram_forward', { C: 128, M: 31 * 31 }, 128 * 128 * 31 * 31) };
  const seconds = scales.reduce((sum, s) => sum + s.steps * ((s.flopsPerStep - s.gramFlopsPerStep) / (gflops.conv * 1e9) + s.gramFlopsPerStep / (gflops.gram * 1e9)), 0);
  return { network, deepest, weights, scales, gflops, seconds };
}

/**
 * GFLOP/s of the planned version of an op at a small shape (a 3×3 conv 64→64 on 32×32; a Gram of
 * 128 maps of 31×31, SqueezeNet's fire3 at 128 px), three repetitions: a fraction of a second anywhere.
 */
async function throughput<K extends 'conv_forward' | 'gram_forward'>(lib: KernelLibrary, kind: K, shape: OpShapes[K], flops: number): Promise<number> {
  const plan = lib.planner.plan(kind, shape);
  const run = opBench(lib, kind, shape, { version: plan.version, splits: plan.splits } as Choice<K>);
  try {
    return flops / ((await submittedWorkTimer(lib, run.dispatches, 3)) * 1e6);
  } finally {
    run.release();
  }
}
