/**
 * Gatys et al. style transfer on the GPU. The image being optimised, every activation, the
 * targets, gradients and optimizer state live in GPU buffers allocated once at setup; a step is
 * one command buffer (forward, losses, backward, update) and reads nothing back unless asked.
 *
 *   total = alpha·Σ_l c_l·½Σ(F_l − P_l)²  +  beta·Σ_l w_l·1/(4N_l²)·Σ(G_l − A_l)²  +  tv·TV
 *           (+ a video frame's temporal term: temporal.ts)
 * with G_l = F_l·F_lᵀ / M_l (Gram normalised by the map size M_l, so 1/(4N²)·Σ(G−A)² equals the
 * paper's 1/(4N²M²)·Σ(FFᵀ − AAᵀ)² when style and output sizes match, and stays meaningful when
 * they do not).
 */
import { adamBf16Params, adamParams, adamStep, adamStepBf16, type AdamHyper } from '../kernels/optim/adam.js';
import { axpby, fill } from '../kernels/elementwise/elementwise.js';
import type { Dispatch } from '../kernels/kernel.js';
import { clampImage, originalColors, postprocess } from '../kernels/image/image.js';
import { resizeBilinearMap } from '../kernels/image/resize.js';
import type { KernelLibrary } from '../kernels/library.js';
import { runOnce } from '../kernels/run_once.js';
import { unpaced, type Submitter } from '../kernels/pacing.js';
import { expectShape, type Tensor } from '../kernels/tensor.js';
import { Tape, type Node } from '../graph/tape.js';
import { LbfgsOptimizer } from './lbfgs.js';
import { bf16Moments, resolveOptions, type StyleTransferOptions } from './options.js';
import { featuresOnGpu, type FeaturesOnGpu } from './feature_network.js';
import { deepestOf, networkSpec } from '../model/networks.js';
import { TiledGatys } from './tiled.js';
import { planTiles } from './tiles.js';
import { gaussian, type NetworkWeights } from '../model/weights.js';
import { type RgbaImage, resizeNearest } from '../io/rgba_image.js';
import { Jitter } from './jitter.js';
import { checkInputs, MAX_SIDE, tiledBufferProblem, maxImageSide } from './device_limits.js';
import { lossTerms, type LossSlots, type LossTerms } from './loss_terms.js';
import { checkTemporal, uploadTemporal, type TemporalTarget, type TemporalTensors } from './temporal.js';
import { buildLoss, tapeRecorder } from './loss_builder.js';
import { rgbaBytes, Targets, type StyleTargetCache } from './targets.js';
import { checkMasks, Guidance } from './guidance.js';

export interface StyleImage extends RgbaImage {
  /** Blend weight when several style images are given (normalised to sum 1). */
  blend?: number;
  /**
   * Where this style applies (spatial control, guidance.ts): a map of the content's size, white
   * = here, grey = partly; given for every style image or none. Styles with maps are not blended.
   */
  mask?: RgbaImage;
}

/**
 * Where a run starts: pixels (copied in), or a 3×H×W network-space tensor on the GPU, which the run
 * borrows for its lifetime: it is the image optimised (updated in place, no copy), and the caller
 * keeps it and releases it after the run's dispose() (also when create() throws). Coarse to fine
 * hands each scale the upsampled result of the one before this way (src/job/run.ts).
 */
export type InitialImage = RgbaImage | Tensor;

/**
 * The image the content targets are computed from, where it is not the content itself: pixels,
 * or `{ anchor: t }`: (1 − t)·content + t·initImage, mixed on the GPU in network space (the
 * normalisation is affine per channel, so this is the mix of the pixels, unrounded).
 */
export type ContentTarget = RgbaImage | { anchor: number };
const isTensor = (x: InitialImage): x is Tensor => 'shape' in x && 'buffer' in x;

/** Run the loss and gradient tile by tile (see tiled.ts): owned tiles of `tile` pixels. */
export interface Tiling {
  tile: number;
}

/** What a run starts from and how it runs, beyond its images and options (all optional). */
export interface RunSetup {
  /** Same size as the content, overriding options.init (e.g. the upsampled result of a coarser scale). */
  initImage?: InitialImage;
  /** Run in tiles (tiled.ts). */
  tiling?: Tiling;
  /** How the heavy passes (targets, evaluation, steps) go to the GPU: at once (the default) or paced, so a job can stop promptly (pacing.ts). */
  submit?: Submitter;
  /** A finer scale anchored to the coarser result (src/job/schedule.ts); the content still gives the colours kept by originalColors 'luminance'. */
  contentTarget?: ContentTarget;
  /** A session's style targets (target_cache.ts). */
  targetCache?: StyleTargetCache;
  /** A video frame's temporal term (temporal.ts): the previous result warped, its per-pixel weights, λ. */
  temporal?: TemporalTarget;
}

export class StyleTransfer {
  readonly options: StyleTransferOptions;
  readonly width: number;
  readonly height: number;
  private net!: FeaturesOnGpu;
  private targetMaker!: Targets;
  /** The optimisation graph (untiled), or the tiled evaluation (see tiled.ts): one of the two. */
  private tape: Tape | null = null;
  private tiled: TiledGatys | null = null;
  private owned: Tensor[] = [];
  private stepDispatches: Dispatch[] = [];
  /** Adam's prepared update and its state: m and v (float32), or both packed in bfloat16 (`state`). */
  private adam: { dispatch: Dispatch; moments: Tensor[]; bf16: boolean; hyper: AdamHyper } | null = null;
  private lbfgs: LbfgsOptimizer | null = null;
  image!: Node;
  /** Where each loss term is read from, with its weight in the total (loss_terms.ts). */
  private slots: LossSlots = { content: [], style: [], tv: 0 };
  private pixelOut!: GPUBuffer;
  /** With originalColors: the content's pixels and the recoloured output. */
  private colorPixels: { content: GPUBuffer; out: GPUBuffer } | null = null;
  /** With options.jitter (untiled Adam): the image's current shift and the shifted content targets (see shiftTo). */
  private jitter: Jitter | null = null;
  /** With style masks: each style's map at every style layer. */
  private guidance: Guidance | null = null;
  step = 0;

  /**
   * Set up a run: the targets computed, the optimisation graph built, the optimizer ready; what
   * it starts from and how it runs beyond the images and options: RunSetup.
   */
  static async create(lib: KernelLibrary, weights: NetworkWeights, content: RgbaImage, styles: StyleImage[], options: Partial<StyleTransferOptions> = {}, setup: RunSetup = {}): Promise<StyleTransfer> {
    const { initImage, contentTarget, temporal } = setup;
    const st = new StyleTransfer(lib, resolveOptions(options), content, setup.submit ?? unpaced(lib), setup.targetCache);
    try {
      if (contentTarget && 'anchor' in contentTarget) {
        if (!initImage) throw new Error('an anchored content target mixes the content with the initial image: give one');
        if (!(contentTarget.anchor >= 0 && contentTarget.anchor <= 1)) throw new Error(`the content anchor ${contentTarget.anchor} is not within 0…1`);
      } else if (contentTarget && (contentTarget.width !== content.width || contentTarget.height !== content.height)) {
        throw new Error(`the content target is ${contentTarget.width}×${contentTarget.height}, the content ${content.width}×${content.height}`);
      }
      if (initImage && isTensor(initImage)) expectShape('the initial image', initImage, [3, content.height, content.width]);
      if (temporal) checkTemporal(temporal, content.width, content.height);
      await st.build(weights, content, styles, setup);
    } catch (e) {
      st.dispose();
      throw e;
    }
    return st;
  }

  private constructor(
    readonly lib: KernelLibrary,
    options: StyleTransferOptions,
    content: RgbaImage,
    private readonly submit: Submitter,
    private readonly targetCache?: StyleTargetCache,
  ) {
    [this.options, this.width, this.height] = [options, content.width, content.height];
  }

  private async build(weights: NetworkWeights, content: RgbaImage, styles: StyleImage[], { initImage, tiling, contentTarget, temporal }: RunSetup): Promise<void> {
    const o = this.options, lib = this.lib;
    const spec = networkSpec(o.network);
    if (weights.network !== o.network) throw new Error(`the weights (${weights.source}) are ${networkSpec(weights.network).label}'s, the options ask for ${spec.label}`);
    if (tiling && o.network !== 'vgg19') throw new Error(`tiled runs are implemented for VGG19; ${spec.label} runs untiled`);
    const deepest = deepestOf(spec, [...o.contentLayers, ...o.styleLayers].map((l) => l.name));
    checkInputs(lib, o, deepest, content, styles, initImage && !isTensor(initImage) ? initImage : undefined, tiling ? MAX_SIDE : maxImageSide(lib, spec));
    const problem = tiling ? tiledBufferProblem(lib, content.width, content.height) : null;
    if (problem) throw new Error(problem);
    const masks = checkMasks(styles, content, o, !!tiling);
    this.net = featuresOnGpu(lib, weights, deepest);
    this.targetMaker = new Targets(lib, this.net, o, this.submit, this.targetCache);
    if (masks) this.guidance = await Guidance.create(lib, spec, masks, o.styleLayers.map((l) => l.name), this.submit);
    const contentTensor = this.contentImage(content, initImage, contentTarget);
    const { contentTargets, styleTargets } = await this.targetMaker.compute(contentTensor, styles, deepest, tiling?.tile, !!this.guidance);
    const x = this.initialImage(contentTensor, styles, weights, initImage);
    const temporalTerm = temporal ? uploadTemporal(lib, temporal, (img) => this.own(this.targetMaker.upload(img)), weights.input) : null;
    if (temporalTerm) this.own(temporalTerm.weights);
    if (tiling) {
      // the target passes' graphs are gone, and the weights' forms they made (the tile graph
      // makes those it reads again); the tiled evaluation builds one tile graph at a time
      this.net.releaseForms();
      lib.memory.trim();
      const layout = planTiles(this.height, this.width, tiling.tile, deepest);
      this.net.makeForms(layout.windowH, layout.windowW, true);
      const grad = this.own(lib.tensor(x.shape, 'image.grad'));
      this.image = { value: x, grad, requiresGrad: true, name: 'image' };
      for (const t of styleTargets.values()) this.own(t);
      this.tiled = await TiledGatys.create(lib, this.net, o, deepest, tiling.tile, x, grad, contentTensor, styleTargets, this.submit, temporalTerm);
      lib.release(contentTensor);
      this.slots = this.tiled.slots;
    } else {
      if (o.jitter && o.optimizer === 'adam') {
        const targetsOf = async (image: Tensor, layers: string[]) => new Map([...(await this.targetMaker.targets(image, layers, [], deepest)).features].map(([name, t]) => [name, this.own(t)]));
        this.jitter = await Jitter.create(this.lib, contentTensor, this.width, this.height, contentTargets, targetsOf, o.seed);
      }
      lib.release(contentTensor);
      // the target passes' activations are pooled now, and the weights' forms they made: free
      // them so they do not add to the peak when the optimisation graph (possibly of another
      // size, other kernel versions) is allocated; it makes the forms it reads again
      this.net.releaseForms();
      lib.memory.trim();
      this.net.makeForms(this.height, this.width, true);
      this.tape = new Tape(lib);
      this.image = this.tape.leaf(x, true, 'image');
      this.recordLosses(this.tape, deepest, contentTargets, styleTargets, temporalTerm);
    }
    this.pixelOut = lib.memory.acquire(this.width * this.height * 4, 'pixels.out');
    if (o.originalColors === 'luminance') {
      this.colorPixels = { content: lib.memory.acquire(this.width * this.height * 4, 'pixels.content'), out: lib.memory.acquire(this.width * this.height * 4, 'pixels.recoloured') };
      lib.ctx.device.queue.writeBuffer(this.colorPixels.content, 0, rgbaBytes(content));
    }
    this.setupOptimizer(x);
  }

  /** The content targets' image in network space (caller-owned): the content, `contentTarget`, or the content mixed with the initial image. */
  private contentImage(content: RgbaImage, initImage?: InitialImage, contentTarget?: ContentTarget): Tensor {
    if (!contentTarget) return this.targetMaker.upload(content);
    if (!('anchor' in contentTarget)) return this.targetMaker.upload(contentTarget);
    const lib = this.lib, t = contentTarget.anchor;
    const mixed = this.targetMaker.upload(content);
    const init = isTensor(initImage!) ? initImage : this.targetMaker.upload(initImage!);
    runOnce(lib, [axpby(lib, t, init, 1 - t, mixed)]);
    if (init !== initImage) lib.release(init);
    return mixed;
  }

  /** Stage 2, the image being optimised: `initImage` if given (a tensor: itself), else noise, the content or the (first) style image. */
  private initialImage(contentTensor: Tensor, styles: StyleImage[], weights: NetworkWeights, initImage?: InitialImage): Tensor {
    const o = this.options, lib = this.lib;
    if (initImage && isTensor(initImage)) return initImage;
    const x = this.own(lib.tensor([3, this.height, this.width], 'image'));
    const copyOf = (img: RgbaImage) => {
      const t = this.targetMaker.upload(img);
      runOnce(lib, [axpby(lib, 1, t, 0, x)]);
      lib.release(t);
    };
    if (initImage) copyOf(initImage);
    else if (o.init === 'content') runOnce(lib, [axpby(lib, 1, contentTensor, 0, x)]);
    else if (o.init === 'style') copyOf(resizeNearest(styles[0], this.width, this.height));
    else {
      const conv = weights.input;
      const g = gaussian(o.seed + 12345);
      const noise = new Float32Array(3 * this.width * this.height);
      // white noise with the spread of natural images in network units
      for (let i = 0; i < noise.length; i++) noise[i] = g() * 0.25 * (conv.range / conv.std[Math.floor(i / (this.width * this.height))]);
      lib.write(x, noise);
    }
    return x;
  }

  /**
   * Stage 3, the optimisation graph on the tape: the network's features of the image and the
   * loss's terms (loss_builder.ts).
   */
  private recordLosses(tape: Tape, deepest: string, contentTargets: Map<string, Tensor>, styleTargets: Map<string, Tensor>, temporal: TemporalTensors | null): void {
    const o = this.options;
    const feats = this.net.features(tape, this.image, deepest, o.pooling);
    this.slots = buildLoss(o, tapeRecorder(tape, this.image, feats, contentTargets, styleTargets), this.guidance, temporal);
    tape.finalize();
    for (const t of [...contentTargets.values(), ...styleTargets.values()]) this.own(t);
    if (!this.image.grad) {
      // no loss depends on the image (all weights zero): keep a zero gradient so updates are no-ops
      this.image.grad = this.own(this.lib.tensor(this.image.value.shape, 'image.grad'));
      runOnce(this.lib, [fill(this.lib, this.image.grad, 0)]);
    }
  }

  /** What a jitter shift moves: the image and Adam's moments. */
  private shifted(): Tensor[] {
    return [this.image.value, ...this.adam!.moments]; // one 4-byte word per element either way
  }

  /**
   * Stage 4, the optimizer: Adam's state and one prepared step (forward, backward, update), or
   * L-BFGS. Where memory limits the run (the planner is lean), Adam's moments are kept in bfloat16,
   * half the bytes (optim/adam_bf16).
   */
  private setupOptimizer(x: Tensor): void {
    const o = this.options, lib = this.lib;
    if (o.optimizer === 'adam') {
      const hyper: AdamHyper = { lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
      const bf16 = bf16Moments(o, lib.planner.lean);
      const moments = (bf16 ? ['adam.state'] : ['adam.m', 'adam.v']).map((name) => this.own(lib.tensor(x.shape, name)));
      runOnce(lib, moments.map((t) => fill(lib, t, 0)));
      const [m, v] = moments;
      const dispatch = bf16 ? adamStepBf16(lib, x, this.image.grad!, m, hyper, 1) : adamStep(lib, x, this.image.grad!, m, v, hyper, 1);
      this.adam = { dispatch, moments, bf16, hyper };
      this.stepDispatches = this.tape ? [...this.tape.forward(), ...this.tape.backward(), this.adam.dispatch] : [this.adam.dispatch];
    } else {
      this.lbfgs = new LbfgsOptimizer(lib, x, this.image.grad!, o.lr);
    }
  }

  private own(t: Tensor): Tensor {
    this.owned.push(t);
    return t;
  }

  /**
   * Run `count` optimisation steps. Losses are read back only if `readLoss` (then for the last
   * step), so long runs can skip the GPU→CPU sync on most steps.
   */
  async run(count = 1, readLoss = true): Promise<LossTerms | null> {
    for (let i = 0; i < count; i++) {
      this.step++;
      if (this.adam) {
        this.adam.dispatch.setParams((this.adam.bf16 ? adamBf16Params : adamParams)(this.adam.hyper, this.step, 3 * this.width * this.height));
        // untiled: forward, backward and update in one submit; tiled: the tile passes, then the update
        await this.tiled?.evaluate(this.submit);
        if (this.jitter) this.jitter.shiftTo(this.jitter.next(), this.shifted());
        await this.submit.run(this.stepDispatches);
      } else {
        await this.lbfgs!.step(
          () => this.computeGradient(),
          async () => (await this.losses()).total,
        );
      }
    }
    // back to the unshifted image (the slots keep the last step's losses, taken at its shift)
    if (this.jitter) this.jitter.shiftTo(0, this.shifted());
    return readLoss ? this.losses() : null;
  }

  /** Losses and dTotal/dImage at the current image, on the GPU (nothing read back). */
  private async computeGradient(): Promise<void> {
    if (this.tiled) await this.tiled.evaluate(this.submit);
    else await this.submit.run([...this.tape!.forward(), ...this.tape!.backward()]);
  }

  /** Evaluate the losses (and gradient) at the current image without changing it. */
  async evaluate(): Promise<LossTerms> {
    await this.computeGradient();
    return this.losses();
  }

  /** Read the loss slots of the last forward pass; throws NonFiniteLossError on NaN/Inf. */
  async losses(): Promise<LossTerms> {
    const s = this.tape ? await this.lib.read(this.tape.scalars, this.tape.slots) : await this.lib.read(this.tiled!.scalars, this.tiled!.slotNames.length);
    return lossTerms(s, this.slots, this.options.tvWeight, this.step, this.tape?.slotNames ?? this.tiled!.slotNames);
  }

  /** The current image as RGBA bytes (clamped to the displayable range; recoloured with originalColors). */
  async pixels(recolour = true): Promise<Uint8Array> {
    const n = this.width * this.height;
    const steps = [postprocess(this.lib, this.image.value, this.pixelOut, this.net.weights.input)];
    const c = recolour ? this.colorPixels : null;
    if (c) steps.push(originalColors(this.lib, this.pixelOut, c.content, c.out, n));
    runOnce(this.lib, steps);
    return new Uint8Array(await this.lib.readBytes(c ? c.out : this.pixelOut, n * 4));
  }

  /**
   * The current image for the next, finer scale: clamped to displayable values (as pixels() gives
   * it, unrounded) and resized bilinearly to width×height on the GPU, a new 3×height×width
   * network-space tensor that the caller owns (and releases).
   */
  upsampled(width: number, height: number): Tensor {
    const lib = this.lib;
    const clamped = lib.tensor(this.image.value.shape, 'image.clamped');
    const out = lib.tensor([3, height, width], 'image.upsampled');
    try {
      runOnce(lib, [axpby(lib, 1, this.image.value, 0, clamped), clampImage(lib, clamped, this.net.weights.input), resizeBilinearMap(lib, clamped, out)]);
    } catch (e) {
      lib.release(out);
      throw e;
    } finally {
      lib.release(clamped);
    }
    return out;
  }

  /** Bytes of the network's weights resident on the GPU now (the forms its graph's kernels read). */
  weightBytes(): number {
    return this.net.formBytes();
  }

  /** dTotal/dImage in network units (3×H×W), as left by the last step or evaluate(). */
  async gradient(): Promise<Float32Array> {
    return this.lib.read(this.image.grad!);
  }

  /** The tape's ops (name + forward/backward dispatches) and the optimizer update, for per-layer timing. */
  profile(): { name: string; dispatches: Dispatch[] }[] {
    const ops = this.tape?.profile() ?? [];
    if (this.adam) ops.push({ name: 'adam', dispatches: [this.adam.dispatch] });
    return ops;
  }

  /** Release every GPU buffer this run made. */
  dispose(): void {
    this.tape?.dispose();
    this.tiled?.dispose();
    this.adam?.dispatch.destroy();
    this.lbfgs?.dispose();
    this.lib.release(...this.owned);
    this.owned = [];
    if (this.pixelOut) this.lib.memory.release(this.pixelOut);
    this.jitter?.dispose();
    this.jitter = null;
    this.guidance?.dispose();
    this.guidance = null;
    if (this.colorPixels) {
      this.lib.memory.release(this.colorPixels.content);
      this.lib.memory.release(this.colorPixels.out);
      this.colorPixels = null;
    }
    this.net?.dispose();
  }
}

