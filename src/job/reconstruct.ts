/**
 * Reconstructions as in Gatys et al., Fig. 1: start from white noise and match only
 *  - content: the features of one layer (conv1_2, conv2_2, conv3_2, conv4_2, conv5_2), one image each;
 *  - style: the Gram matrices of growing layer sets (conv1_1; conv1_1+conv2_1; … conv1_1..conv5_1),
 *    which is texture synthesis from the image.
 * Each reconstruction is a StyleTransfer run with only that loss, so it uses the same kernels.
 */
import { buildTuned, type Autotuner } from '../kernels/autotune.js';
import { Pacer, StoppedError } from '../kernels/pacing.js';
import type { KernelLibrary } from '../kernels/library.js';
import type { Picture } from '../io/decode.js';
import { composeGrid, type GridTile } from './grid.js';
import { jobDeepestLayer, minImageSide, resolveOptions } from '../nst/options.js';
import { highFrequencyRatio, ssimLuminance } from './quality.js';
import { reconstructionTargets, type ReconstructionMode, type ReconstructionSettings, type ReconstructionTarget } from './reconstruct_targets.js';
import { chooseTiling, prepareJob, type WeightsSource } from './prepare.js';
import { StyleTransfer } from '../nst/style_transfer.js';
import type { RgbaImage } from '../io/rgba_image.js';
import { deepestOf, networkSpec } from '../model/networks.js';
import type { NetworkWeights } from '../model/weights.js';

export * from './reconstruct_targets.js';

export interface ReconstructionProgress {
  /** Which reconstruction (0-based) of how many, and its label. */
  index: number;
  count: number;
  label: string;
  step: number;
  iterations: number;
  loss: number;
  elapsed: number;
}

export interface ReconstructionCallbacks {
  onProgress?: (p: ReconstructionProgress) => void | Promise<void>;
  /** Each finished reconstruction, as soon as it is done. */
  onTile?: (index: number, tile: GridTile) => void | Promise<void>;
  shouldStop?: () => boolean;
  /** This device's autotuner; none: the planner's fixed table. */
  tuner?: Autotuner;
  /** Things the user should know before a reconstruction starts (e.g. that it runs in tiles). */
  onNotice?: (text: string) => void | Promise<void>;
}

/** One reconstruction's options and how it runs (untiled or in tiles: chooseTiling), before any GPU work. */
export function targetRun(lib: KernelLibrary, weights: NetworkWeights, image: RgbaImage, mode: ReconstructionMode, settings: ReconstructionSettings, t: ReconstructionTarget) {
  // no TV unless asked or recommended by the network (the paper's reconstructions have none: defaults.ts)
  const options = resolveOptions(t.options, { random: !!weights.random, use: mode });
  return { options, choice: chooseTiling(lib, image.width, image.height, [], options, jobDeepestLayer(options), settings) };
}

/** Run every reconstruction of `image` (already at its working size); returns the tiles in order. */
export async function reconstruct(
  lib: KernelLibrary,
  weights: NetworkWeights,
  image: RgbaImage,
  mode: ReconstructionMode,
  settings: ReconstructionSettings,
  cb: ReconstructionCallbacks = {},
): Promise<GridTile[]> {
  const targets = reconstructionTargets(mode, settings);
  const tiles: GridTile[] = [];
  const t0 = performance.now();
  const every = Math.max(1, Math.round(settings.iterations / 20));
  // a job that can be stopped sends its passes paced (pacing.ts): Stop then ends it within a pass
  const submit = cb.shouldStop ? new Pacer(lib, cb.shouldStop) : undefined;
  try {
    for (const [index, t] of targets.entries()) await reconstructOne(index, t);
  } catch (e) {
    if (!(e instanceof StoppedError)) throw e; // stopped: the finished reconstructions are the result
  }
  return tiles;

  async function reconstructOne(index: number, t: (typeof targets)[number]): Promise<void> {
    if (cb.shouldStop?.()) throw new StoppedError('stopped');
    // the estimates plan as the run will: with the tuner's choices so far
    const { options, choice } = targetRun(cb.tuner ? lib.withPlanner(cb.tuner.planner()) : lib, weights, image, mode, settings, t);
    if (choice.reason) await cb.onNotice?.(`${t.label}: ${choice.reason}`);
    const planner = lib.planner.with({ lean: !!choice.lean });
    const st = await buildTuned(cb.tuner, planner, (p) => StyleTransfer.create(lib.withPlanner(p), weights, image, mode === 'style' ? [image] : [], options, { tiling: choice.tiling, submit }));
    try {
      const report = async (loss: number) =>
        cb.onProgress?.({ index, count: targets.length, label: t.label, step: st.step, iterations: settings.iterations, loss, elapsed: (performance.now() - t0) / 1000 });
      await report((await st.evaluate()).total);
      while (st.step < settings.iterations && !cb.shouldStop?.()) {
        const r = await st.run(Math.min(every, settings.iterations - st.step), true);
        await report(r!.total);
      }
      const tile = { label: t.label, image: { width: st.width, height: st.height, data: await st.pixels() } };
      tiles.push(tile);
      await cb.onTile?.(index, tile);
    } finally {
      st.dispose();
    }
  }
}

/** How far each tile is from noise (src/job/quality.ts): SSIM to the original for content tiles, the high-frequency ratio for all. */
export interface TileMetrics {
  label: string;
  ssim: number | null;
  highFrequencyRatio: number;
}

export function tileMetrics(mode: ReconstructionMode, tiles: GridTile[], original: RgbaImage): TileMetrics[] {
  return tiles.map((t) => ({
    label: t.label,
    ssim: mode === 'content' && Math.min(original.width, original.height) >= 11 ? ssimLuminance(t.image, original) : null,
    highFrequencyRatio: highFrequencyRatio(t.image, original),
  }));
}

export interface ReconstructionJob {
  image: Blob | Picture;
  name: string;
  mode: ReconstructionMode;
  /** Longer side of the working size, in pixels. */
  size: number;
  settings: ReconstructionSettings;
}

/**
 * Decode, size, reconstruct, and compose the labelled grid (original first). Frees every GPU
 * buffer it made and trims the pool.
 */
/** Check the job, decode and size its image, load the weights (prepareJob): everything before its first GPU pass. */
export async function prepareReconstruction(lib: KernelLibrary, job: ReconstructionJob, weightsSrc: WeightsSource) {
  const targets = reconstructionTargets(job.mode, job.settings);
  const network = job.settings.network ?? 'vgg19';
  const deepest = deepestOf(networkSpec(network), job.settings.layers);
  const minSide = minImageSide(deepest, network);
  if (!Number.isInteger(job.size) || job.size < minSide) throw new Error(`size must be an integer ≥ ${minSide}, got ${job.size}`);
  // the deepest layer's options stand for the job's checks (size, weights, tiling); each reconstruction resolves its own
  const config = { size: job.size, styleScale: 1, options: { network, contentLayers: [{ name: deepest, weight: 1 }], styleLayers: [], styleWeight: 0 }, reportEvery: 1, saveEvery: 0, maxGpuMemory: job.settings.maxGpuMemory, tile: job.settings.tile };
  const prepared = await prepareJob(lib, { content: job.image, styles: [], contentName: job.name, contentLabel: 'image' }, weightsSrc, config, job.mode);
  return { weights: prepared.weights, image: prepared.scales[0].content, network, deepest, targets };
}

export async function reconstructionGrid(lib: KernelLibrary, job: ReconstructionJob, weightsSrc: WeightsSource, cb: ReconstructionCallbacks = {}) {
  const { weights, image, targets } = await prepareReconstruction(lib, job, weightsSrc);
  const t0 = performance.now();
  try {
    const tiles = await reconstruct(lib, weights, image, job.mode, job.settings, cb);
    const title = `${job.mode} reconstructions of ${job.name} from noise (${weights.source}, ${job.settings.iterations} steps)`;
    const grid = composeGrid(title, [{ label: 'original', image }, ...tiles], { columns: targets.length + 1 });
    return { grid, tiles, metrics: tileMetrics(job.mode, tiles, image), seconds: (performance.now() - t0) / 1000, weightsSource: weights.source };
  } finally {
    lib.memory.trim();
  }
}
