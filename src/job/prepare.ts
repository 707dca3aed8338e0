/**
 * Everything a job does before its first GPU pass, shared by stylize (runJob), the gradient tool
 * and reconstructions: the configuration checked, the options resolved once (defaults.ts's
 * jobDefaults, then checked) and handed down, the images decoded and sized per scale, the weights
 * loaded, and each scale's tiling chosen (or the run refused, naming why). Browser-side decoding
 * (createImageBitmap) unless the images come decoded.
 */
import { type AutotuneMode } from '../kernels/autotune.js';
import type { KernelLibrary } from '../kernels/library.js';
import { bitmapPicture, decodeImage, fitSize, type Picture } from '../io/decode.js';
import { bf16Moments, jobDeepestLayer, minImageSide, type StyleTransferOptions, resolveOptions, withIterations } from '../nst/options.js';
import { MAX_SIDE, maxImageSide, tiledBufferProblem } from '../nst/device_limits.js';
import { type RgbaImage } from '../io/rgba_image.js';
import { type Tiling } from '../nst/style_transfer.js';
import { minimumBudget, estimateRunBytes, formatBytes, tileForBudget, type MemoryEstimate } from '../nst/tile_budget.js';

import { planTiles } from '../nst/tiles.js';
import { randomNetwork, type NetworkWeights } from '../model/weights.js';
import { networkSpec, type NetworkId } from '../model/networks.js';
import { parseRawWeights } from '../io/raw_weights.js';
import type { NetworkDefaults } from '../nst/defaults.js';
import { resolveSchedule, type Schedule } from './schedule.js';
import type { StyleImage } from '../nst/style_transfer.js';
import { checkMasks, maskValues } from '../nst/guidance.js';
import { checkTemporalWeight, type TemporalTarget } from '../nst/temporal.js';

const tileCount = (n: number) => `${n} tile${n === 1 ? '' : 's'}`;

export type WeightsSource = { kind: 'random'; seed: number; network?: NetworkId } | { kind: 'raw'; name: string; manifest: string; bin: ArrayBuffer } | { kind: 'loaded'; weights: NetworkWeights };

/** A job's images: encoded files (decoded here, in a browser) or pictures decoded already. */
export interface JobImages {
  content: Blob | Picture;
  /** With `mask`: where that style applies (spatial control; one per style or none), resized to the content. */
  styles: { blob: Blob | Picture; blend: number; name: string; mask?: Blob | Picture; maskName?: string }[];
  contentName: string;
  /** How errors name the content image (default "content image"; reconstructions: "image"). */
  contentLabel?: string;
  /** A video frame's temporal term (src/nst/temporal.ts): the previous result warped to this frame, where to trust it (grey, white = fully; default everywhere), λ; resized to each scale. */
  temporal?: { image: Blob | Picture; mask?: Blob | Picture; weight: number };
}

export interface JobConfig {
  /**
   * Longer side of the output, in pixels; 'full': the content image's own longer side (up to the
   * largest this network and device run: FULL_SIZE_LIMIT, refused past it).
   */
  size: number | 'full';
  /** Style images are resized to size·styleScale (longer side). */
  styleScale: number;
  options: Partial<StyleTransferOptions>;
  /** Read losses (and report progress) every this many steps. */
  reportEvery: number;
  /** Also hand out intermediate images every this many steps (0 = never). */
  saveEvery: number;
  /**
   * Coarse-to-fine: optimise at size/2^(scales−1), upsample the result, refine at twice the size,
   * … up to `size`. 'auto' (the default for stylize jobs): chosen from the size and the network
   * (schedule.ts); 1 is a single-scale run.
   */
  scales?: number | 'auto';
  /**
   * The user's steps: one number (with 'auto' scales the coarsest scale's, the finer ones get
   * the schedule's share of it; with a number of scales, every scale's) or one per scale,
   * coarsest first. Default: options.iterations if set, else the network's default steps.
   */
  scaleIterations?: number[];
  /**
   * At finer scales, how much the content targets come from the upsampled result of the scale
   * before rather than the photo: 0–1, default defaultCoarseAnchor (schedule.ts).
   */
  coarseAnchor?: number;
  /** Kernel autotuning for this job (see kernels/autotune.ts; needs a tuner in the callbacks). */
  autotune?: AutotuneMode;
  /**
   * GPU memory budget in bytes: a scale whose untiled run would need more is run in tiles (see
   * src/nst/tiled.ts) of the largest size that fits. Without it, tiling turns on only where the
   * untiled run would not fit the device's buffers.
   */
  maxGpuMemory?: number;
  /** Force tiles of this many pixels (a multiple of the deepest layer's downsampling). */
  tile?: number;
  /**
   * Start from this image instead of options.init (resized to the first scale's size), e.g. a
   * fast SqueezeNet preview's result rendered again with VGG19.
   */
  initImage?: RgbaImage;
}

/** The weights a source names; they must be `network`'s (a clear error says which they are). */
export function loadWeights(src: WeightsSource, deepest: string, network: NetworkId = 'vgg19'): NetworkWeights {
  if (src.kind === 'random' && (src.network ?? network) !== network) throw new Error(`random weights for ${src.network} given to a ${network} job`);
  const w = src.kind === 'random' ? randomNetwork(network, src.seed, deepest) : src.kind === 'loaded' ? src.weights : parseRawWeights(src.manifest, src.bin, src.name);
  if (w.network !== network) {
    throw new Error(`${w.source} holds ${networkSpec(w.network).label} weights, but the job uses ${networkSpec(network).label}; choose ${w.network} as the network or give ${network} weights`);
  }
  return w;
}

export { jobDeepestLayer };

/** Whether a source gives seeded random weights (they run with their own defaults: defaults.ts), known before loading. */
export const isRandomSource = (src: WeightsSource): boolean => src.kind === 'random' || (src.kind === 'loaded' && !!src.weights.random);

/** Throws if the coarsest scale of `sizes` (longer sides) is below what the layers need. */
export function checkCoarsest(sizes: number[], minSide: number): void {
  if (sizes[0] >= minSide) return;
  const size = sizes[sizes.length - 1];
  if (sizes.length === 1) throw new Error(`size ${size} is below the ${minSide} px the chosen layers need; use a larger size`);
  throw new Error(`${sizes.length} scales from size ${size} start at ${sizes[0]} px, below the ${minSide} px the chosen layers need; use fewer scales or a larger size`);
}

/** The largest --size full runs at: the engine's MAX_SIDE, or the device's untiled limit for networks that do not tile. */
export function fullSizeLimit(lib: KernelLibrary, network: NetworkId): number {
  return network === 'vgg19' ? MAX_SIDE : Math.min(MAX_SIDE, maxImageSide(lib, networkSpec(network)));
}

/** The output's longer side: the configured size, or the content's own (size 'full', refused past `limit`). */
function resolveSize(config: JobConfig, d: DecodedImages, limit: number, network: NetworkId): number {
  if (config.size !== 'full') return config.size;
  const side = Math.max(d.content.width, d.content.height);
  if (side > limit) {
    throw new Error(`size full: ${d.contentLabel} ${d.contentName} is ${d.content.width}×${d.content.height}, larger than the ${limit} px ${networkSpec(network).label} runs at here${network === 'vgg19' ? '' : ' (it runs untiled; VGG19 runs larger sizes in tiles)'}; give a size of at most ${limit}`);
  }
  return side;
}

/**
 * The schedule of a job whose images are decoded: the user's or the automatic one (schedule.ts);
 * the automatic one drops coarse scales where the coarsest's shorter side would be below `minSide`.
 */
function jobSchedule(config: JobConfig, size: number, o: StyleTransferOptions, d: DecodedImages, minSide: number, use: keyof NetworkDefaults): Schedule {
  // the user's steps per scale win; else the resolved options' (the user's one number, or the network's default)
  const scales = config.scales ?? (use === 'stylize' ? 'auto' : 1);
  let s = resolveSchedule(size, o.network, scales, config.scaleIterations, o.iterations);
  const shorter = (side: number) => {
    const f = fitSize(d.content.width, d.content.height, side);
    return Math.min(f.width, f.height);
  };
  while (s.auto && s.sizes.length > 1 && shorter(s.sizes[0]) < minSide) s = { ...s, sizes: s.sizes.slice(1), iterations: s.iterations.slice(0, -1) };
  if (s.auto && s.sizes.length === 1) s = { ...s, auto: false };
  checkCoarsest(s.sizes, minSide);
  return s;
}

interface DecodedImages {
  content: Picture;
  contentName: string;
  contentLabel: string;
  styles: { bitmap: Picture; blend: number; name: string; mask?: Picture; maskName?: string }[];
  temporal?: { image: Picture; mask?: Picture; weight: number };
}

/** Decode an image (unless it is a picture already) and check it has at least `minSide` pixels per side (names it in errors). */
export async function decodeChecked(what: string, image: Blob | Picture, minSide: number): Promise<Picture> {
  const b = image instanceof Blob ? bitmapPicture(await decodeImage(what, image)) : image;
  if (b.width < minSide || b.height < minSide) {
    throw new Error(`${what} is ${b.width}×${b.height} pixels; images need at least ${minSide}×${minSide} for the chosen layers`);
  }
  return b;
}

async function decodeAll(images: JobImages, minSide: number): Promise<DecodedImages> {
  const content = await decodeChecked(`${images.contentLabel ?? 'content image'} ${images.contentName}`, images.content, minSide);
  const styles = [];
  const masked = images.styles.filter((s) => s.mask).length;
  if (masked && masked !== images.styles.length) throw new Error(`style masks: give one per style image (${masked} for ${images.styles.length} styles)`);
  for (const s of images.styles) {
    const maskName = s.maskName ?? `for ${s.name}`;
    const mask = s.mask ? await decodeChecked(`style mask ${maskName}`, s.mask, 1) : undefined;
    styles.push({ bitmap: await decodeChecked(`style image ${s.name}`, s.blob, minSide), blend: s.blend, name: s.name, mask, maskName });
  }
  const t = images.temporal;
  if (t) checkTemporalWeight(t.weight);
  const temporal = t && { image: await decodeChecked('temporal image', t.image, 1), mask: t.mask && (await decodeChecked('temporal mask', t.mask, 1)), weight: t.weight };
  return { content, contentName: images.contentName, contentLabel: images.contentLabel ?? 'content image', styles, temporal };
}

/** The temporal term at the content's size: both images resized to it, the mask's grey levels as the weights c. */
async function temporalAt(t: NonNullable<DecodedImages['temporal']>, width: number, height: number): Promise<TemporalTarget> {
  const mask = t.mask && (await t.mask.rasterize(width, height));
  const weights = mask ? maskValues(mask) : new Float32Array(width * height).fill(1);
  return { image: await t.image.rasterize(width, height), weights, weight: t.weight, ...(mask ? { mask } : {}) };
}

/** Fit a decoded image to `side` (longer side), with clear errors for extreme aspect ratios and device limits. */
export async function fitChecked(what: string, b: Picture, side: number, minSide: number, maxSide: number): Promise<RgbaImage> {
  const s = fitSize(b.width, b.height, side);
  if (Math.min(s.width, s.height) < minSide) {
    // the size whose shorter side reaches minSide (what "use a larger size" means here)
    const need = Math.ceil((minSide * Math.max(b.width, b.height)) / Math.min(b.width, b.height));
    const extreme = need > 4 * minSide;
    throw new Error(
      `${what}: at size ${side} it would be ${s.width}×${s.height}, and the chosen layers need at least ${minSide} px on each side; ` +
        (need <= maxSide ? `use a size of at least ${need}${extreme ? ` or crop it (its aspect ratio, ${b.width}×${b.height}, is extreme)` : ''}` : `crop it (its aspect ratio, ${b.width}×${b.height}, is too extreme)`),
    );
  }
  if (Math.max(s.width, s.height) > maxSide) throw new Error(`${what}: ${s.width}×${s.height} is larger than this GPU allows (max side ${maxSide}); choose a smaller size`);
  return b.rasterize(s.width, s.height);
}

async function rasterizeAt(d: DecodedImages, size: number, styleScale: number, minSide: number, maxSide: number) {
  const content = await fitChecked(`${d.contentLabel} ${d.contentName}`, d.content, size, minSide, maxSide);
  const styles = [];
  for (const s of d.styles) {
    const style: StyleImage = { ...(await fitChecked(`style image ${s.name}`, s.bitmap, Math.round(size * styleScale), minSide, maxSide)), blend: s.blend };
    if (s.mask) {
      style.mask = await s.mask.rasterize(content.width, content.height);
      if (!maskValues(style.mask).some((v) => v > 0)) throw new Error(`style mask ${s.maskName} is black everywhere at ${content.width}×${content.height}: its style would apply nowhere (white = where it applies)`);
    }
    styles.push(style);
  }
  return { content, styles, temporal: d.temporal && (await temporalAt(d.temporal, content.width, content.height)) };
}

function checkConfig(config: JobConfig): void {
  if (config.size !== 'full' && (!Number.isInteger(config.size) || config.size < 1)) throw new Error(`invalid size ${config.size} (a number of pixels, or full)`);
  if (!(config.styleScale > 0) || config.styleScale > 10) throw new Error(`invalid style scale ${config.styleScale} (must be in (0, 10])`);
  if (config.maxGpuMemory !== undefined && !(Number.isFinite(config.maxGpuMemory) && config.maxGpuMemory > 0)) throw new Error(`the GPU memory budget must be a positive number of bytes, got ${config.maxGpuMemory}`);
  if (config.coarseAnchor !== undefined && !(config.coarseAnchor >= 0 && config.coarseAnchor <= 1)) throw new Error(`invalid coarse anchor ${config.coarseAnchor} (must be in [0, 1])`);
  if (config.tile !== undefined && !(Number.isInteger(config.tile) && config.tile > 0)) throw new Error(`the tile size must be a positive integer, got ${config.tile}`);
}

/** How a run at one size goes: untiled, or in tiles; its memory estimate; and why, in words (null: untiled as usual). */
export interface TilingChoice {
  tiling?: Tiling;
  /** Plan with lean weights (Planner.lean): set where a budget or the device's buffers limit the run. */
  lean?: boolean;
  /** VGG19 runs: the memory estimate (tile_budget.ts); SqueezeNet runs have none (never tiled). */
  estimate?: MemoryEstimate;
  reason: string | null;
}

/**
 * Untiled when it fits the device's buffers and the budget (if any); else tiles of the largest
 * size that fits both; `config.tile` forces a size. Throws before any GPU work when nothing fits.
 */
export function chooseTiling(lib: KernelLibrary, width: number, height: number, styleSides: number[], o: StyleTransferOptions, deepest: string, config: Pick<JobConfig, 'maxGpuMemory' | 'tile'>): TilingChoice {
  const maxBinding = lib.ctx.limits.maxStorageBufferBindingSize;
  if (o.network !== 'vgg19') return untiledOnly(lib, width, height, styleSides, o, config);
  const fitsUntiled = Math.max(width, height, ...styleSides) <= maxImageSide(lib);
  // the library handle's planner (the fixed table's unless the caller hands one down), fast and lean
  const fast = lib.planner.with({ lean: false });
  const untiled = estimateRunBytes(height, width, o, deepest, fast);
  const budget = config.maxGpuMemory;
  // where memory limits the run, the weights' forms are kept lean (no F(4×4) Winograd), and tiled
  const leanPlanner = lib.planner.with({ lean: true });
  const tiledProblem = () => {
    const p = tiledBufferProblem(lib, width, height);
    if (p) throw new Error(p);
  };
  if (config.tile !== undefined) {
    tiledProblem();
    const layout = planTiles(height, width, config.tile, deepest);
    if (layout.tiles.length === 1 && fitsUntiled && (budget === undefined || untiled.total <= budget)) {
      return { estimate: untiled, reason: `tiles of ${config.tile} px: one window covers ${width}×${height} (the layers reach ${layout.halo} px around each tile), so it runs untiled` };
    }
    if (64 * 4 * layout.windowH * layout.windowW > maxBinding) throw new Error(`--tile ${config.tile} needs ${layout.windowW}×${layout.windowH} windows, larger than this GPU's buffers allow; use a smaller tile`);
    const estimate = estimateRunBytes(height, width, o, deepest, leanPlanner, config.tile);
    if (budget !== undefined && estimate.total > budget) {
      let advice: string;
      try {
        advice = `the budget allows tiles of up to ${tileForBudget(height, width, o, deepest, leanPlanner, budget, maxBinding).tile} px (leave out --tile to get them)`;
      } catch {
        const floor = estimateRunBytes(height, width, o, deepest, leanPlanner, layout.align).total;
        advice = `even the smallest tiles (${layout.align} px) need about ${formatBytes(floor)}: raise the budget to at least ${minimumBudget(floor)}`;
      }
      throw new Error(`--tile ${config.tile} needs about ${formatBytes(estimate.total)} at ${width}×${height}, more than the ${formatBytes(budget)} budget; ${advice}`);
    }
    return { tiling: { tile: config.tile }, lean: true, estimate, reason: `${width}×${height} runs in ${tileCount(layout.tiles.length)} of ${config.tile} px (windows ${layout.windowW}×${layout.windowH}, as asked)` };
  }
  if (fitsUntiled && (budget === undefined || untiled.total <= budget)) return { estimate: untiled, reason: null };
  if (fitsUntiled) {
    const leaner = estimateRunBytes(height, width, o, deepest, leanPlanner);
    if (leaner.total <= budget!) {
      return { lean: true, estimate: leaner, reason: `${width}×${height} would need about ${formatBytes(untiled.total)} with the fastest kernels, more than the ${formatBytes(budget!)} budget: it runs untiled with leaner memory (Winograd F(2×2, 3×3) where F(4×4) would run${bf16Moments(o, true) ? ", Adam's moments in bfloat16" : ''}; about ${formatBytes(leaner.total)})` };
    }
  }
  tiledProblem();
  const { tile, estimate } = tileForBudget(height, width, o, deepest, leanPlanner, budget ?? Infinity, maxBinding);
  const layout = planTiles(height, width, tile, deepest);
  const why = !fitsUntiled
    ? `is larger than this GPU's buffers allow untiled (max side ${maxImageSide(lib)})`
    : `would need about ${formatBytes(untiled.total)} untiled, more than the ${formatBytes(budget!)} budget`;
  return { tiling: { tile }, lean: true, estimate, reason: `${width}×${height} ${why}: it runs in ${tileCount(layout.tiles.length)} of ${tile} px (windows ${layout.windowW}×${layout.windowH}, about ${formatBytes(estimate.total)}${bf16Moments(o, true) ? "; Adam's moments in bfloat16" : ''}); the gradient is the same as untiled` };
}

/** Networks other than VGG19 run untiled: refuse tiling settings, and sizes past the device's buffers, clearly. */
function untiledOnly(lib: KernelLibrary, width: number, height: number, styleSides: number[], o: StyleTransferOptions, config: Pick<JobConfig, 'maxGpuMemory' | 'tile'>): TilingChoice {
  const spec = networkSpec(o.network);
  if (config.tile !== undefined) throw new Error(`tiles are implemented for VGG19 only; ${spec.label} runs untiled (leave out the tile size)`);
  if (config.maxGpuMemory !== undefined) throw new Error(`a GPU memory budget tiles VGG19 runs only; ${spec.label} runs untiled and needs far less memory (leave out the budget)`);
  const maxSide = maxImageSide(lib, spec);
  const side = Math.max(width, height, ...styleSides);
  if (side > maxSide) throw new Error(`${side} px is larger than this GPU allows for ${spec.label}, which runs untiled (max side ${maxSide}); choose a smaller size, or VGG19, which runs larger sizes in tiles`);
  return { reason: null };
}

/** One scale of a prepared job (coarsest first). */
export interface PreparedScale {
  content: RgbaImage;
  styles: StyleImage[];
  /** Resolved, with the network's defaults for the job's use and this scale's steps. */
  options: StyleTransferOptions;
  tiling: TilingChoice;
  /** A video frame's temporal term at this scale's size. */
  temporal?: TemporalTarget;
}

/** A job ready for its first GPU pass. */
export interface PreparedJob {
  network: NetworkId;
  /** The deepest layer the loss reads. */
  deepest: string;
  weights: NetworkWeights;
  /** Output sizes (longer side) of each scale, coarsest first. */
  sizes: number[];
  /** The sizes and steps per scale, and whether they were chosen automatically. */
  schedule: Schedule;
  scales: PreparedScale[];
  /** Steps over all scales. */
  iterations: number;
}

/**
 * Check the configuration, resolve the options (once, here at the job's boundary, with the
 * network's defaults for `use` and the weights: what the user set wins; the engine does not check
 * resolved options again), decode the images and size them for every scale, load the weights, and
 * choose each scale's tiling — all before any GPU work, so that every problem is named before time is spent.
 * `checkStop` runs between the stages (it throws to stop the job).
 */
export async function prepareJob(lib: KernelLibrary, images: JobImages, weightsSrc: WeightsSource, config: JobConfig, use: keyof NetworkDefaults = 'stylize', checkStop = () => {}): Promise<PreparedJob> {
  checkConfig(config);
  // resolved once, here, for the whole job (the scales' options are copies with their steps)
  const opts = resolveOptions(config.options, { random: isRandomSource(weightsSrc), use });
  const deepest = jobDeepestLayer(opts);
  const network = opts.network;
  const minSide = minImageSide(deepest, network);
  if (config.size !== 'full') resolveSchedule(config.size, network, config.scales ?? 'auto', config.scaleIterations, 1); // bad settings named before decoding
  const limit = fullSizeLimit(lib, network);
  if (config.size !== 'full' && config.size > limit && network !== 'vgg19') {
    throw new Error(`size ${config.size} is larger than the ${limit} px ${networkSpec(network).label} runs at here (it runs untiled; VGG19 runs larger sizes in tiles); give a size of at most ${limit}`);
  }
  const decoded = await decodeAll(images, minSide);
  const schedule = jobSchedule(config, resolveSize(config, decoded, limit, network), opts, decoded, minSide, use);
  const { sizes, iterations: iters } = schedule;
  checkStop();
  // large sizes run in tiles: what limits them is memory (chooseTiling), not one buffer
  const rasters = [];
  for (const size of sizes) {
    rasters.push(await rasterizeAt(decoded, size, config.styleScale, minSide, MAX_SIDE));
    checkStop();
  }
  const weights = loadWeights(weightsSrc, deepest, network);
  // the defaults were chosen from the source's kind (raw weights are never the seeded random ones)
  if (!!weights.random !== isRandomSource(weightsSrc)) throw new Error(`internal: ${weights.source} ${weights.random ? 'are' : 'are not'} seeded random weights, unlike what their source said`);
  const scales = rasters.map(({ content, styles, temporal }, k): PreparedScale => {
    const options = withIterations(opts, iters[k]);
    const tiling = chooseTiling(lib, content.width, content.height, styles.flatMap((s) => [s.width, s.height]), options, deepest, config);
    checkMasks(styles, content, options, !!tiling.tiling);
    return { content, styles, options, tiling, temporal };
  });
  return { network, deepest, weights, sizes, schedule, scales, iterations: iters.reduce((a, b) => a + b, 0) };
}
