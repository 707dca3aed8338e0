/**
 * The library's session: one device, its compiled kernels, its kernel choices (tuned once where
 * the adapter is a GPU) and the weights, kept across calls, so that the second and later runs
 * start at once. `stylize` and `reconstruct` (index.ts) are one-call wrappers around a session.
 */
import { Autotuner, type AutotuneMode } from '../kernels/autotune.js';
import { checkAutotuneMode } from '../kernels/autotune_modes.js';
import { describeContext, DeviceLostError } from '../kernels/context.js';
import { KernelLibrary } from '../kernels/library.js';
import { StoppedError } from '../kernels/pacing.js';
import { runJob, type Progress } from '../job/run.js';
import { reconstructionGrid, defaultReconstructionLayers, DEFAULT_RECONSTRUCTION, type ReconstructionMode, type ReconstructionProgress } from '../job/reconstruct.js';
import { jobDeepestLayer, resolveOptions } from '../nst/options.js';
import { randomNetwork, type NetworkWeights } from '../model/weights.js';
import { NETWORK_IDS, networkSpec, type NetworkId } from '../model/networks.js';
import type { LossTerms } from '../nst/loss_terms.js';
import { StyleTargetCache } from '../nst/target_cache.js';
import { TOOL_SIZES } from '../nst/defaults.js';
import { embeddedSqueezeNet } from './embedded_weights.js';
import { abortError, OptionError } from './errors.js';
import { openGpu, type GpuOptions, type OpenedGpu } from './gpu.js';
import { checkKnown, checkPixels, notPixelsProblem, styleList, toPicture, type Image, type StyleInput } from './inputs.js';
import { jobConfig, TRANSFER_KEYS, type TransferOptions } from './options.js';

/** Weights: loaded ones (loadWeights, weightsFromRaw), 'embedded' (SqueezeNet 1.1) or 'random' (seeded, for tests). */
export type WeightsOption = NetworkWeights | 'embedded' | 'random';

export interface StylizerOptions extends GpuOptions {
  /** Default 'squeezenet' (its ImageNet weights are embedded), or the network of `weights`. */
  network?: NetworkId;
  /** Default: SqueezeNet's embedded weights; VGG19 needs pretrained weights (loadWeights) or 'random'. */
  weights?: WeightsOption;
  /** Kernel autotuning: 'auto' (default: time kernel versions on GPUs, not on CPU adapters), 'on', 'off'. */
  autotune?: AutotuneMode;
}

export interface RgbaResult {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface StylizeProgress {
  /** Steps done over all scales, of `iterations`. */
  step: number;
  /** Steps of the whole run, over all scales (the option `iterations` may be one scale's). */
  iterations: number;
  losses: LossTerms;
  secondsPerStep: number;
  elapsed: number;
  scale: Progress['scale'];
  /** The current image, when the call asked for it (progressImages: a readback per report). */
  image?: RgbaResult;
}

export interface RunControl {
  /** Things to know before the run starts (its scales; that it runs in tiles, and why). */
  onNotice?: (text: string) => void;
  /** Abort: the call rejects with a DOMException named AbortError within about a second, its GPU memory freed. */
  signal?: AbortSignal;
}

export interface SessionStylizeOptions extends TransferOptions, RunControl {
  /** The photo: RGBA pixels { width, height, data } (an ImageData works), or in a browser a File, Blob, <img>, canvas or ImageBitmap. */
  /** After the first evaluation and every reportEvery steps. */
  onProgress?: (p: StylizeProgress) => void | Promise<void>;
  /** Hand the current image to onProgress (costs a readback each report). */
  progressImages?: boolean;
  content: Image;
  /** The painting: one image (as content), { image, blend?, mask? }, or an array of either (blended by blend, default 1 each). */
  style: Image | StyleInput | (Image | StyleInput)[];
  /** Start from this image instead of `init` (a warm start: e.g. the previous frame's result); resized to the first scale's size. */
  initImage?: Image;
  /**
   * A video frame's temporal loss (Ruder et al. 2016): λ·1/D·Σ c·(x − w)² in 0…255 levels, w =
   * `image` (the previous frame's result warped to this frame), c = `mask`'s grey level (white:
   * trusted, black: occluded or newly visible; default everywhere); both resized to each scale.
   */
  temporal?: TemporalInput;
}

export interface TemporalInput {
  image: Image;
  mask?: Image;
  /** λ, ≥ 0. */
  weight: number;
}

export interface StylizeResult extends RgbaResult {
  losses: LossTerms;
  steps: number;
  seconds: number;
  /** Each scale's longer side, coarsest first. */
  sizes: number[];
  weights: string;
}

export interface SessionReconstructOptions extends RunControl {
  onProgress?: (p: ReconstructionProgress) => void | Promise<void>;
  image: Image;
  mode: ReconstructionMode;
  /** Longer side (default 64). */
  size?: number;
  iterations?: number;
  layers?: string[];
  lr?: number;
  seed?: number;
}

export interface ReconstructResult {
  /** The labelled grid: the original, then one reconstruction per layer (set). */
  grid: RgbaResult;
  tiles: { label: string; image: RgbaResult }[];
  seconds: number;
}

const STYLIZE_KEYS = ['content', 'style', 'initImage', 'temporal', 'onProgress', 'progressImages', 'onNotice', 'signal', ...TRANSFER_KEYS] as const;
const RECONSTRUCT_KEYS = ['image', 'mode', 'size', 'iterations', 'layers', 'lr', 'seed', 'onProgress', 'onNotice', 'signal'] as const;
export const STYLIZER_KEYS = ['gpu', 'device', 'adapter', 'network', 'weights', 'autotune'] as const;

const rgba = (img: { width: number; height: number; data: Uint8Array | Uint8ClampedArray }): RgbaResult => ({
  width: img.width,
  height: img.height,
  data: img.data instanceof Uint8ClampedArray ? img.data : new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength),
});

/** The session options checked (before any GPU work); returns the network the session runs. */
export function checkStylizerOptions(o: StylizerOptions): NetworkId {
  if (!o || typeof o !== 'object') throw new OptionError('options', 'must be an object');
  const callOption = Object.keys(o).find((k) => (STYLIZE_KEYS as readonly string[]).includes(k));
  if (callOption) throw new OptionError(callOption, 'is an option of each call (stylizer.stylize({ … })), not of createStylizer');
  checkKnown(o, STYLIZER_KEYS, 'createStylizer');
  const w = o.weights;
  if (w !== undefined && w !== 'embedded' && w !== 'random' && !(typeof w === 'object' && w && w.layers instanceof Map && NETWORK_IDS.includes(w.network))) {
    throw new OptionError('weights', "must be loaded weights (loadWeights, weightsFromRaw), 'embedded' or 'random'");
  }
  if (o.network !== undefined && !NETWORK_IDS.includes(o.network)) throw new OptionError('network', `must be ${NETWORK_IDS.join(' or ')}, got ${JSON.stringify(o.network)}`);
  const network = o.network ?? (typeof w === 'object' ? w.network : 'squeezenet');
  if (typeof w === 'object' && w.network !== network) throw new OptionError('weights', `are ${networkSpec(w.network).label}'s (${w.source}), but network is ${network}`);
  if (w === 'embedded' && network !== 'squeezenet') throw new OptionError('weights', "'embedded' weights are SqueezeNet 1.1's; VGG19 needs pretrained weights (loadWeights) or 'random'");
  if (network === 'vgg19' && w === undefined) throw new OptionError('weights', "VGG19 needs weights: pass pretrained ones (await loadWeights(url or file)), or 'random' for the seeded random network; or use network 'squeezenet' (embedded)");
  checkAutotuneMode(o.autotune ?? 'auto');
  return network;
}

/** A stylize call's options checked before any GPU work (pixels, shapes, values the schedule can see). */
export function checkStylize(o: SessionStylizeOptions, network: NetworkId) {
  if (!o || typeof o !== 'object') throw new OptionError('options', 'must be an object such as { content, style }');
  checkKnown(o, STYLIZE_KEYS, 'stylize');
  const config = jobConfig(o, network);
  try {
    resolveOptions(config.options);
  } catch (e) {
    // "invalid option: lr must be in (0, 1000], got -1" names the option first
    const m = /^invalid option: (\w+) (.*)$/s.exec((e as Error).message);
    throw m ? new OptionError(m[1], m[2]) : e;
  }
  const styles = styleList(o.style);
  const t = o.temporal;
  if (t !== undefined) {
    if (!t || typeof t !== 'object' || t.image === undefined) throw new OptionError('temporal', 'must be { image, mask?, weight }');
    checkKnown(t, ['image', 'mask', 'weight'], 'the temporal option');
    if (typeof t.weight !== 'number' || !(Number.isFinite(t.weight) && t.weight >= 0)) throw new OptionError('temporal.weight', `must be a finite number ≥ 0, got ${String(t.weight)}`);
  }
  const images: [unknown, string][] = [[o.content, 'content'], [o.initImage, 'initImage'], [t?.image, 'temporal.image'], [t?.mask, 'temporal.mask'], ...styles.flatMap((s): [unknown, string][] => [[s.input.image, s.imageOption], [s.input.mask, `${s.option}.mask`]])];
  for (const [v, option] of images) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'object' && 'data' in v) checkPixels(v, option);
    else {
      const problem = notPixelsProblem(v);
      if (problem) throw new OptionError(option, problem);
    }
  }
  if (o.content === undefined || o.content === null) throw new OptionError('content', 'is required');
  return { config, styles };
}

export class Stylizer {
  private weightsByNetwork = new Map<NetworkId, Promise<NetworkWeights>>();
  /** @internal Style Grams of recent (style images, size) pairs: a session's later runs in the same style skip them. */
  readonly styleTargets: StyleTargetCache;
  private busy = false;
  private destroyed = false;

  private constructor(
    private readonly gpu: OpenedGpu,
    /** @internal the session's kernels and GPU memory */
    readonly lib: KernelLibrary,
    private readonly tuner: Autotuner,
    readonly network: NetworkId,
    private readonly weightsOption: WeightsOption | undefined,
  ) {
    this.styleTargets = new StyleTargetCache(lib);
  }

  static async create(o: StylizerOptions = {}): Promise<Stylizer> {
    const network = checkStylizerOptions(o);
    const mode = checkAutotuneMode(o.autotune ?? 'auto');
    const gpu = await openGpu(o);
    const lib = new KernelLibrary(gpu.ctx);
    return new Stylizer(gpu, lib, new Autotuner(lib, { mode }), network, o.weights);
  }

  /** The adapter in words (name, software or not, buffer limits). */
  get adapter(): string {
    return describeContext(this.lib.ctx);
  }

  get device(): GPUDevice {
    return this.lib.ctx.device;
  }

  private weights(): Promise<NetworkWeights> {
    const n = this.network;
    let p = this.weightsByNetwork.get(n);
    if (!p) {
      const w = this.weightsOption;
      p = typeof w === 'object' ? Promise.resolve(w) : w === 'random' ? Promise.resolve(randomNetwork(n, 1)) : embeddedSqueezeNet();
      p.catch(() => this.weightsByNetwork.delete(n));
      this.weightsByNetwork.set(n, p);
    }
    return p;
  }

  /** One call at a time on a session; a destroyed session or a lost device is an error naming itself. */
  private async exclusive<T>(call: string, signal: AbortSignal | undefined, f: () => Promise<T>): Promise<T> {
    if (this.destroyed) throw new Error(`${call}: this stylizer was destroyed; create a new one`);
    if (this.lib.ctx.lostReason) throw new DeviceLostError(`${this.lib.ctx.lostReason}; ${call} needs a new stylizer`);
    if (this.busy) throw new Error(`${call}: this stylizer is running another call; await it first (or create a second stylizer)`);
    if (signal?.aborted) throw abortError(signal);
    this.busy = true;
    try {
      return await f();
    } catch (e) {
      if (e instanceof StoppedError || signal?.aborted) throw abortError(signal);
      throw e;
    } finally {
      this.busy = false;
    }
  }

  /** Stylize `content` after `style`; resolves with the RGBA result (see docs/library.md for every option). */
  stylize(o: SessionStylizeOptions): Promise<StylizeResult> {
    return this.exclusive('stylize', o?.signal, async () => {
      const { config, styles } = checkStylize(o, this.network);
      const content = await toPicture(o.content, 'content');
      const t = o.temporal;
      const images = {
        content,
        contentName: '(option content)',
        styles: await Promise.all(
          styles.map(async ({ input, option, imageOption }) => ({
            blob: await toPicture(input.image, imageOption),
            blend: input.blend ?? 1,
            name: `(option ${option})`,
            ...(input.mask !== undefined ? { mask: await toPicture(input.mask, `${option}.mask`), maskName: `(option ${option}.mask)` } : {}),
          })),
        ),
        ...(t ? { temporal: { image: await toPicture(t.image, 'temporal.image'), ...(t.mask !== undefined ? { mask: await toPicture(t.mask, 'temporal.mask') } : {}), weight: t.weight } } : {}),
      };
      if (o.initImage !== undefined) {
        const init = await toPicture(o.initImage, 'initImage');
        config.initImage = await init.rasterize(init.width, init.height);
      }
      const weights = await this.weights();
      const shouldStop = o.signal ? () => o.signal!.aborted : undefined;
      // with progressImages a report waits for its image (runJob reads it back after each report)
      let pending: StylizeProgress | null = null;
      const report = async (p: Progress) => {
        const q = { step: p.step, iterations: p.iterations, losses: p.losses, secondsPerStep: p.secondsPerStep, elapsed: p.elapsed, scale: p.scale };
        if (o.progressImages && p.step > 0) pending = q;
        else await o.onProgress?.(q);
      };
      const r = await runJob(this.lib, images, { kind: 'loaded', weights }, config, {
        tuner: this.tuner,
        targetCache: this.styleTargets,
        shouldStop,
        onNotice: o.onNotice,
        onProgress: o.onProgress && report,
        onPreview: o.onProgress && o.progressImages ? async (img) => { if (pending) await o.onProgress!({ ...pending, image: rgba(img) }); pending = null; } : undefined,
      });
      if (o.signal?.aborted) throw abortError(o.signal);
      return { ...rgba(r.image), losses: r.losses, steps: r.steps, seconds: r.seconds, sizes: r.sizes, weights: r.weightsSource };
    });
  }

  /** Content or style reconstructions from noise (Gatys et al., Fig. 1) of one image. */
  reconstruct(o: SessionReconstructOptions): Promise<ReconstructResult> {
    return this.exclusive('reconstruct', o?.signal, async () => {
      checkKnown(o, RECONSTRUCT_KEYS, 'reconstruct');
      if (o.mode !== 'content' && o.mode !== 'style') throw new OptionError('mode', `must be 'content' or 'style', got ${JSON.stringify(o.mode)}`);
      const image = await toPicture(o.image, 'image');
      const settings = { ...DEFAULT_RECONSTRUCTION, network: this.network, layers: o.layers ?? defaultReconstructionLayers(o.mode, this.network), ...(o.iterations !== undefined ? { iterations: o.iterations } : {}), ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) };
      jobDeepestLayer({ network: this.network, contentLayers: settings.layers.map((name) => ({ name, weight: 1 })) }); // names checked
      const weights = await this.weights();
      const r = await reconstructionGrid(this.lib, { image, name: '(option image)', mode: o.mode, size: o.size ?? TOOL_SIZES.reconstruct, settings }, { kind: 'loaded', weights }, {
        tuner: this.tuner,
        shouldStop: o.signal ? () => o.signal!.aborted : undefined,
        onNotice: o.onNotice,
        onProgress: o.onProgress,
      });
      if (o.signal?.aborted) throw abortError(o.signal);
      return { grid: rgba(r.grid), tiles: r.tiles.map((t) => ({ label: t.label, image: rgba(t.image) })), seconds: r.seconds };
    });
  }

  /** Free every GPU buffer; the device too where the stylizer made it. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.styleTargets.clear();
    this.lib.destroy();
    if (this.gpu.ownsDevice) this.lib.ctx.device.destroy();
  }
}
