/**
 * A stylize call's options turned into the engine's job configuration (src/job/prepare.ts), with
 * the same meaning as the CLI's flags (docs/cli.md) in camelCase. Values are checked by the
 * engine's own validation (resolveOptions, the schedule); shapes it cannot see are checked here.
 */
import type { JobConfig } from '../job/prepare.js';
import { MAX_SIDE } from '../nst/device_limits.js';
import { JOB_DEFAULTS } from '../nst/defaults.js';
import { parseLayerList, type LayerWeight, type StyleTransferOptions } from '../nst/options.js';
import type { NetworkId } from '../model/networks.js';
import { OptionError } from './errors.js';

/** The output's longer side where `size` is not given: a photo-size painting (coarse to fine above 181 px). */
export const LIBRARY_DEFAULT_SIZE = 512;

/** Layers: "conv4_2", "conv1_1:0.5,conv2_1:1", ["conv4_2"] or [{ name, weight }]. */
export type Layers = string | (string | LayerWeight)[];

/** The loss and control options, as the CLI's flags (docs/cli.md). */
export interface TransferOptions {
  /** Longer side of the output in pixels (16–8192), or 'full' (the content's own). Default 512 (coarse to fine; about a minute on a 2-core CPU, seconds on a GPU). */
  size?: number | 'full';
  /**
   * Steps: one number — with scales 'auto' the coarsest scale's (finer ones get 0.6×, 0.3×, … of
   * it), with a number of scales every scale's — or one number per scale, coarsest first. Default:
   * the network's (SqueezeNet 100, VGG19 200).
   */
  iterations?: number | number[];
  /** Coarse-to-fine scales: 'auto' (default) or a number (1 = one scale). */
  scales?: number | 'auto';
  /** Style images resized to styleScale × size. Default 1. */
  styleScale?: number;
  /** How much finer scales' content targets come from the coarser result (0–1). */
  coarseAnchor?: number;
  contentWeight?: number;
  styleWeight?: number;
  tvWeight?: number;
  contentLayers?: Layers;
  styleLayers?: Layers;
  init?: 'content' | 'noise' | 'style';
  seed?: number;
  pooling?: 'max' | 'avg';
  optimizer?: 'adam' | 'lbfgs';
  /** Adam's learning rate, or the L-BFGS step (default 1 for L-BFGS). */
  lr?: number;
  /** Keep the content's colours: true / 'luminance', or 'histogram'. */
  originalColors?: boolean | 'luminance' | 'histogram';
  adamMoments?: 'auto' | 'float32' | 'bfloat16';
  /** GPU memory budget in bytes (VGG19 then runs in tiles where it would need more). */
  maxGpuMemory?: number;
  /** Force tiles of this many pixels (VGG19). */
  tile?: number;
  /** Read losses back (and call onProgress) every this many steps. Default 1. */
  reportEvery?: number;
}

export const TRANSFER_KEYS = [
  'size', 'iterations', 'scales', 'styleScale', 'coarseAnchor', 'contentWeight', 'styleWeight', 'tvWeight', 'contentLayers', 'styleLayers',
  'init', 'seed', 'pooling', 'optimizer', 'lr', 'originalColors', 'adamMoments', 'maxGpuMemory', 'tile', 'reportEvery',
] as const;

function layers(v: Layers | undefined, option: string, network: NetworkId): LayerWeight[] | undefined {
  if (v === undefined) return undefined;
  try {
    if (typeof v === 'string') return parseLayerList(v, network);
    if (!Array.isArray(v)) throw new Error('must be a string such as "conv4_2" or an array of names or { name, weight }');
    return v.flatMap((l) => (typeof l === 'string' ? parseLayerList(l, network) : parseLayerList(`${l.name}:${l.weight ?? 1}`, network)));
  } catch (e) {
    throw new OptionError(option, (e as Error).message.replace(/^invalid option: /, ''));
  }
}

/** A value as a message shows it: strings quoted (a "64" is not 64), NaN and Infinity as such. */
export const shown = (v: unknown) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v));

function whole(v: unknown, option: string, min: number, max: number): void {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max)) throw new OptionError(option, `must be a whole number in [${min}, ${max}], got ${shown(v)}`);
}

const NUMBERS = ['contentWeight', 'styleWeight', 'tvWeight', 'lr', 'seed', 'styleScale', 'coarseAnchor', 'maxGpuMemory'] as const;

/** The job configuration of a call's options on `network`. */
export function jobConfig(o: TransferOptions, network: NetworkId): JobConfig {
  for (const k of NUMBERS) if (o[k] !== undefined && typeof o[k] !== 'number') throw new OptionError(k, `must be a number, got ${shown(o[k])}`);
  const size = o.size ?? LIBRARY_DEFAULT_SIZE;
  if (size !== 'full') whole(size, 'size', 16, MAX_SIDE);
  const iters = o.iterations === undefined ? undefined : Array.isArray(o.iterations) ? o.iterations : [o.iterations];
  iters?.forEach((n) => whole(n, 'iterations', 0, 100000));
  if (iters && iters.length === 0) throw new OptionError('iterations', 'is an empty array');
  if (o.scales !== undefined && o.scales !== 'auto') whole(o.scales, 'scales', 1, 8);
  if (iters && iters.length > 1 && typeof o.scales === 'number' && iters.length !== o.scales) throw new OptionError('iterations', `has ${iters.length} step counts for ${o.scales} scales: give one number, or one per scale (coarsest first)`);
  if (o.reportEvery !== undefined) whole(o.reportEvery, 'reportEvery', 1, 100000);
  if (o.tile !== undefined) whole(o.tile, 'tile', 1, 8192);
  if (o.maxGpuMemory !== undefined && !(Number.isFinite(o.maxGpuMemory) && o.maxGpuMemory > 0)) throw new OptionError('maxGpuMemory', `must be a number of bytes > 0, got ${o.maxGpuMemory}`);
  if (o.styleScale !== undefined && !(Number.isFinite(o.styleScale) && o.styleScale > 0 && o.styleScale <= 10)) throw new OptionError('styleScale', `must be a number in (0, 10], got ${o.styleScale}`);
  if (o.coarseAnchor !== undefined && !(o.coarseAnchor >= 0 && o.coarseAnchor <= 1)) throw new OptionError('coarseAnchor', `must be a number in [0, 1], got ${o.coarseAnchor}`);
  const options: Partial<StyleTransferOptions> = {
    network,
    contentWeight: o.contentWeight,
    styleWeight: o.styleWeight,
    tvWeight: o.tvWeight,
    contentLayers: layers(o.contentLayers, 'contentLayers', network),
    styleLayers: layers(o.styleLayers, 'styleLayers', network),
    init: o.init,
    seed: o.seed,
    pooling: o.pooling,
    optimizer: o.optimizer,
    lr: o.lr,
    originalColors: o.originalColors,
    adamMoments: o.adamMoments,
    iterations: iters?.length === 1 ? iters[0] : undefined,
  };
  return {
    size,
    styleScale: o.styleScale ?? JOB_DEFAULTS.styleScale,
    options,
    reportEvery: o.reportEvery ?? 1,
    saveEvery: 0,
    scales: o.scales ?? JOB_DEFAULTS.scales,
    scaleIterations: iters,
    coarseAnchor: o.coarseAnchor,
    maxGpuMemory: o.maxGpuMemory,
    tile: o.tile,
  };
}
