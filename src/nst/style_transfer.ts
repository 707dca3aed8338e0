/**
 * Gatys et al. style transfer on the GPU. The image being optimised, every activation, the
 * targets, gradients and optimizer state live in GPU buffers allocated once at setup; a step is
 * one command buffer (forward, losses, backward, update) and reads nothing back unless asked.
 *
 *   total = alpha·Σ_l c_l·½Σ(F_l − P_l)²  +  beta·Σ_l w_l·1/(4N_l²)·Σ(G_l − A_l)²  +  tv·TV
 *
 * with G_l = F_l·F_lᵀ / M_l (Gram normalised by the map size M_l, so 1/(4N²)·Σ(G−A)² equals the
 * paper's 1/(4N²M²)·Σ(FFᵀ − AAᵀ)² when style and output sizes match, and stays meaningful when
 * they do not).
 */
import { adamParams, adamStep, type AdamHyper } from '../kernels/adam.js';
import { axpby, fill } from '../kernels/elementwise.js';
import type { Dispatch } from '../kernels/kernel.js';
import { originalColors, postprocess, preprocess } from '../kernels/image.js';
import { runOnce, type KernelLibrary } from '../kernels/library.js';
import { unpaced, type Submitter } from '../kernels/pacing.js';
import { numel, type Tensor } from '../kernels/tensor.js';
import { Tape, type Node } from '../graph/tape.js';
import { LbfgsOptimizer } from './lbfgs.js';
import { minImageSide, resolveOptions, type StyleTransferOptions } from './options.js';
import { featuresOnGpu, type FeaturesOnGpu } from './feature_network.js';
import { deepestOf, networkSpec, type NetworkSpec } from './networks.js';
import { tiledGrams, TiledGatys } from './tiled.js';
import { convSpec } from './vgg19_spec.js';
import { layerScale } from './tiles.js';
import { gaussian, type NetworkWeights } from './weights.js';

export interface RgbaImage {
  width: number;
  height: number;
  /** width·height·4 bytes, RGBA. */
  data: Uint8Array | Uint8ClampedArray;
}

export interface StyleImage extends RgbaImage {
  /** Blend weight when several style images are given (normalised to sum 1). */
  blend?: number;
}

export interface LossTerms {
  content: Record<string, number>;
  style: Record<string, number>;
  tv: number;
  /** Weighted sums as they enter the total. */
  contentTotal: number;
  styleTotal: number;
  total: number;
}

export class NonFiniteLossError extends Error {
  constructor(step: number, terms: string) {
    super(`The loss became NaN/Inf at step ${step} (${terms}). Try a smaller learning rate or smaller loss weights.`);
    this.name = 'NonFiniteLossError';
  }
}

export function validateImage(what: string, img: RgbaImage, maxSide: number, minSide: number): void {
  const { width: W, height: H } = img;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W <= 0 || H <= 0) throw new Error(`${what}: invalid size ${W}×${H}`);
  if (img.data.length !== W * H * 4) throw new Error(`${what}: ${img.data.length} bytes of pixels for ${W}×${H} RGBA (${W * H * 4})`);
  if (W < minSide || H < minSide) throw new Error(`${what}: ${W}×${H} is too small; the chosen layers need at least ${minSide}×${minSide}`);
  if (W > maxSide || H > maxSide) throw new Error(`${what}: ${W}×${H} is larger than this device allows (max side ${maxSide})`);
}

/** Everything about the inputs that can be known before GPU work: style given, sizes, init image size. */
function checkInputs(lib: KernelLibrary, o: StyleTransferOptions, deepest: string, content: RgbaImage, styles: StyleImage[], initImage: RgbaImage | undefined, maxSide: number): void {
  if (styles.length === 0 && o.styleLayers.length > 0 && o.styleWeight > 0) throw new Error('no style image given');
  const minSide = minImageSide(deepest, o.network);
  validateImage('content image', content, maxSide, minSide);
  styles.forEach((s, i) => validateImage(`style image ${i + 1}`, s, maxSide, minSide));
  if (initImage && (initImage.width !== content.width || initImage.height !== content.height)) {
    throw new Error(`initial image is ${initImage.width}×${initImage.height}, the content ${content.width}×${content.height}`);
  }
}

/** Run the loss and gradient tile by tile (see tiled.ts): owned tiles of `tile` pixels. */
export interface Tiling {
  tile: number;
}

/** The longest side any run accepts (tiled runs are bounded by memory, not by one buffer). */
export const MAX_SIDE = 8192;

/**
 * Why a tiled run at width×height cannot run on this device, or null: the full-size buffers it
 * keeps (the image, its gradient and TV terms; the content targets at their layers) must each fit
 * one storage binding.
 */
export function tiledBufferProblem(lib: KernelLibrary, o: Pick<StyleTransferOptions, 'contentLayers'>, width: number, height: number): string | null {
  const max = lib.ctx.limits.maxStorageBufferBindingSize;
  if (3 * width * height * 4 > max) return `${width}×${height}: the image alone (${3 * width * height * 4} bytes) is larger than this GPU's largest buffer (${max} bytes)`;
  for (const l of o.contentLayers) {
    const s = layerScale(l.name);
    const bytes = convSpec(l.name).outChannels * Math.floor(height / s) * Math.floor(width / s) * 4;
    if (bytes > max) return `${width}×${height}: the content target at ${l.name} (${bytes} bytes) is larger than this GPU's largest buffer (${max} bytes); use a deeper content layer or a smaller size`;
  }
  return null;
}

/** Largest image side whose largest activation (VGG19: conv1's 64 maps; SqueezeNet: conv1's at ½ size) fits one storage binding. */
export function maxImageSide(lib: KernelLibrary, spec: NetworkSpec = networkSpec('vgg19')): number {
  return Math.floor(Math.sqrt(lib.ctx.limits.maxStorageBufferBindingSize / (spec.floatsPerPixel * 4)));
}

export class StyleTransfer {
  readonly options: StyleTransferOptions;
  readonly width: number;
  readonly height: number;
  private net!: FeaturesOnGpu;
  /** The optimisation graph (untiled), or the tiled evaluation (see tiled.ts): one of the two. */
  private tape: Tape | null = null;
  private tiled: TiledGatys | null = null;
  private owned: Tensor[] = [];
  private stepDispatches: Dispatch[] = [];
  private adam: { dispatch: Dispatch; m: Tensor; v: Tensor; hyper: AdamHyper } | null = null;
  private lbfgs: LbfgsOptimizer | null = null;
  image!: Node;
  /** [layer, scalar slot, the weight of its term in the total (alpha·c_l or beta·w_l)] */
  private contentSlots: [string, number, number][] = [];
  private styleSlots: [string, number, number][] = [];
  private tvSlot = 0;
  private pixelOut!: GPUBuffer;
  /** With originalColors: the content's pixels and the recoloured output. */
  private colorPixels: { content: GPUBuffer; out: GPUBuffer } | null = null;
  /** With options.jitter (untiled Adam): the image's current shift and the shifted content targets (see shiftTo). */
  private jitter: Jitter | null = null;
  step = 0;

  /**
   * Set up a run: the targets computed, the optimisation graph built, the optimizer ready.
   * `initImage` (same size as the content) overrides options.init, e.g. the upsampled result of a
   * coarser scale in a multi-scale run. `submit` sends the heavy passes (targets, evaluation,
   * steps) to the GPU: at once (the default) or paced, so that a job can stop promptly (pacing.ts).
   */
  static async create(
    lib: KernelLibrary,
    weights: NetworkWeights,
    content: RgbaImage,
    styles: StyleImage[],
    options: Partial<StyleTransferOptions> = {},
    initImage?: RgbaImage,
    tiling?: Tiling,
    submit: Submitter = unpaced(lib),
  ): Promise<StyleTransfer> {
    const st = new StyleTransfer(lib, resolveOptions(options), content, submit);
    try {
      await st.build(weights, content, styles, initImage, tiling);
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
  ) {
    this.options = options;
    this.width = content.width;
    this.height = content.height;
  }

  private async build(weights: NetworkWeights, content: RgbaImage, styles: StyleImage[], initImage?: RgbaImage, tiling?: Tiling): Promise<void> {
    const o = this.options, lib = this.lib;
    const spec = networkSpec(o.network);
    if (weights.network !== o.network) throw new Error(`the weights (${weights.source}) are ${networkSpec(weights.network).label}'s, the options ask for ${spec.label}`);
    if (tiling && o.network !== 'vgg19') throw new Error(`tiled runs are implemented for VGG19; ${spec.label} runs untiled`);
    const deepest = deepestOf(spec, [...o.contentLayers, ...o.styleLayers].map((l) => l.name));
    checkInputs(lib, o, deepest, content, styles, initImage, tiling ? MAX_SIDE : maxImageSide(lib, spec));
    const problem = tiling ? tiledBufferProblem(lib, o, content.width, content.height) : null;
    if (problem) throw new Error(problem);
    this.net = featuresOnGpu(lib, weights, deepest);
    const contentTensor = this.uploadImage(content);
    const { contentTargets, styleTargets } = await this.computeTargets(contentTensor, styles, deepest, tiling?.tile);
    const x = this.initialImage(contentTensor, styles, weights, initImage);
    if (tiling) {
      // the target passes' graphs are gone; the tiled evaluation builds one tile graph at a time
      lib.memory.trim();
      const grad = this.own(lib.tensor(x.shape, 'image.grad'));
      this.image = { value: x, grad, requiresGrad: true, name: 'image' };
      for (const t of styleTargets.values()) this.own(t);
      this.tiled = await TiledGatys.create(lib, this.net, o, deepest, tiling.tile, x, grad, contentTensor, styleTargets, this.submit);
      lib.release(contentTensor);
      this.contentSlots = this.tiled.slots.content;
      this.styleSlots = this.tiled.slots.style;
      this.tvSlot = this.tiled.slots.tv;
    } else {
      if (o.jitter && o.optimizer === 'adam') this.jitter = await this.jitterTargets(contentTensor, contentTargets, deepest);
      lib.release(contentTensor);
      // the target passes' activations are pooled now; free them so they do not add to the peak
      // when the optimisation graph (possibly of another size) is allocated
      lib.memory.trim();
      this.tape = new Tape(lib);
      this.image = this.tape.leaf(x, true, 'image');
      this.tvSlot = this.recordLosses(this.tape, deepest, contentTargets, styleTargets);
    }
    this.pixelOut = lib.memory.acquire(this.width * this.height * 4, 'pixels.out');
    if (o.originalColors) {
      this.colorPixels = { content: lib.memory.acquire(this.width * this.height * 4, 'pixels.content'), out: lib.memory.acquire(this.width * this.height * 4, 'pixels.recoloured') };
      lib.ctx.device.queue.writeBuffer(this.colorPixels.content, 0, rgbaBytes(content));
    }
    this.setupOptimizer(x);
  }

  /**
   * Stage 1, targets computed once: the content features P_l, and the style Grams A_l blended
   * over the style images (caller-owned until recordLosses hands them to this run).
   */
  private async computeTargets(contentTensor: Tensor, styles: StyleImage[], deepest: string, tile?: number) {
    const o = this.options, lib = this.lib;
    // tiled runs compute their content targets tile by tile (tiled.ts)
    const contentTargets = tile ? new Map<string, Tensor>() : (await this.targets(contentTensor, o.contentLayers.map((l) => l.name), [], deepest)).features;
    // each target pass's graph is freed before the next (their shapes differ; pooled they would add up)
    lib.memory.trim();
    const blends = styles.map((s) => s.blend ?? 1);
    const blendSum = blends.reduce((a, b) => a + b, 0);
    if (styles.length && !(blendSum > 0)) throw new Error('style blend weights must sum to a positive number');
    const styleTargets = new Map<string, Tensor>();
    for (const [i, s] of styles.entries()) {
      const t = this.uploadImage(s);
      const names = o.styleLayers.map((l) => l.name);
      const grams = tile ? await tiledGrams(lib, this.net, t, tile, deepest, o.pooling, names, this.submit) : (await this.targets(t, [], names, deepest)).grams;
      for (const [name, g] of grams) {
        let acc = styleTargets.get(name);
        if (!acc) styleTargets.set(name, (acc = lib.tensor(g.shape, `style_target:${name}`)));
        runOnce(lib, [axpby(lib, blends[i] / blendSum, g, i === 0 ? 0 : 1, acc)]);
        lib.release(g);
      }
      lib.release(t);
      lib.memory.trim();
    }
    return { contentTargets, styleTargets };
  }

  /** Stage 2, the image being optimised: `initImage` if given, else noise, the content or the (first) style image. */
  private initialImage(contentTensor: Tensor, styles: StyleImage[], weights: NetworkWeights, initImage?: RgbaImage): Tensor {
    const o = this.options, lib = this.lib;
    const x = this.own(lib.tensor([3, this.height, this.width], 'image'));
    const copyOf = (img: RgbaImage) => {
      const t = this.uploadImage(img);
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
   * Stage 3, the optimisation graph on the tape: VGG features of the image, a squared-error term
   * per content layer, a Gram and its squared error per style layer, TV; returns TV's slot.
   */
  private recordLosses(tape: Tape, deepest: string, contentTargets: Map<string, Tensor>, styleTargets: Map<string, Tensor>): number {
    const o = this.options;
    const feats = this.net.features(tape, this.image, deepest, o.pooling);
    for (const l of o.contentLayers) {
      const slot = tape.squaredErrorLoss(feats.get(l.name)!, contentTargets.get(l.name)!, 0.5, `content:${l.name}`, o.contentWeight * l.weight);
      this.contentSlots.push([l.name, slot, o.contentWeight * l.weight]);
    }
    for (const l of o.styleLayers) {
      const f = feats.get(l.name)!;
      const [N, h, w] = f.value.shape;
      const gram = tape.gram(f, 1 / (h * w), `gram:${l.name}`);
      const slot = tape.squaredErrorLoss(gram, styleTargets.get(l.name)!, 1 / (4 * N * N), `style:${l.name}`, o.styleWeight * l.weight);
      this.styleSlots.push([l.name, slot, o.styleWeight * l.weight]);
    }
    const tvSlot = tape.tvLoss(this.image, 1, 'tv', o.tvWeight);
    tape.finalize();
    for (const t of [...contentTargets.values(), ...styleTargets.values()]) this.own(t);
    if (!this.image.grad) {
      // no loss depends on the image (all weights zero): keep a zero gradient so updates are no-ops
      this.image.grad = this.own(this.lib.tensor(this.image.value.shape, 'image.grad'));
      runOnce(this.lib, [fill(this.lib, this.image.grad, 0)]);
    }
    return tvSlot;
  }

  /**
   * The one-pixel jitter's state: the four shifts (dx, dy) ∈ {0,1}² as flat offsets dy·W + dx of
   * the 3×H×W image, and each content target for the content image rolled by each offset (the
   * tape's target tensors are the active copies, overwritten when the shift changes).
   */
  private async jitterTargets(contentTensor: Tensor, contentTargets: Map<string, Tensor>, deepest: string): Promise<Jitter> {
    const lib = this.lib, W = this.width, n = 3 * W * this.height;
    const offsets = [0, 1, W, W + 1];
    const tmp = lib.memory.acquire(n * 4, 'jitter.tmp');
    const names = [...contentTargets.keys()];
    const copies = new Map(names.map((name) => [name, [] as Tensor[]]));
    for (const k of offsets) {
      const rolled = lib.tensor(contentTensor.shape, 'jitter.content');
      runOnce(lib, [axpby(lib, 1, contentTensor, 0, rolled)]);
      const enc = lib.ctx.device.createCommandEncoder();
      encodeRoll(enc, rolled, tmp, n, k);
      lib.ctx.device.queue.submit([enc.finish()]);
      const { features } = await this.targets(rolled, names, [], deepest);
      for (const [name, t] of features) copies.get(name)!.push(this.own(t));
      lib.release(rolled);
      lib.memory.trim();
    }
    let state = (this.options.seed * 2654435761 + 1) >>> 0 || 1;
    const random = () => {
      // xorshift32: a seeded, reproducible sequence
      state ^= state << 13; state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5; state >>>= 0;
      return state / 2 ** 32;
    };
    const order: number[] = [];
    const next = () => {
      if (order.length === 0) {
        // each block of four steps visits every shift once, in a random order
        order.push(0, 1, 2, 3);
        for (let i = 3; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      return order.pop()!;
    };
    return { offsets, current: 0, tmp, targets: names.map((name) => [contentTargets.get(name)!, copies.get(name)!]), next };
  }

  /**
   * Shift the image (and Adam's moments with it: the update is elementwise, so it commutes with
   * the shift) to shift `i`, and load the content targets of that shift. A shift is a roll of the
   * flat 3×H×W buffer: the picture moves right by dx and down by dy, the pixels pushed off one
   * edge re-enter at the other (a one-pixel seam at the left and top edges, matched by the
   * targets, which were computed from the content image rolled the same way). Only buffer copies.
   */
  private shiftTo(i: number): void {
    const j = this.jitter!;
    if (i === j.current) return;
    const n = 3 * this.width * this.height;
    const enc = this.lib.ctx.device.createCommandEncoder();
    for (const t of [this.image.value, this.adam!.m, this.adam!.v]) encodeRoll(enc, t, j.tmp, n, j.offsets[i] - j.offsets[j.current]);
    for (const [active, copies] of j.targets) enc.copyBufferToBuffer(copies[i].buffer, copies[i].offset ?? 0, active.buffer, active.offset ?? 0, numel(active.shape) * 4);
    this.lib.ctx.device.queue.submit([enc.finish()]);
    j.current = i;
  }

  /** Stage 4, the optimizer: Adam's state and one prepared step (forward, backward, update), or L-BFGS. */
  private setupOptimizer(x: Tensor): void {
    const o = this.options, lib = this.lib;
    if (o.optimizer === 'adam') {
      const m = this.own(lib.tensor(x.shape, 'adam.m'));
      const v = this.own(lib.tensor(x.shape, 'adam.v'));
      runOnce(lib, [fill(lib, m, 0), fill(lib, v, 0)]);
      const hyper: AdamHyper = { lr: o.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
      this.adam = { dispatch: adamStep(lib, x, this.image.grad!, m, v, hyper, 1), m, v, hyper };
      this.stepDispatches = this.tape ? [...this.tape.forward(), ...this.tape.backward(), this.adam.dispatch] : [this.adam.dispatch];
    } else {
      this.lbfgs = new LbfgsOptimizer(lib, x, this.image.grad!, o.lr);
    }
  }

  private own(t: Tensor): Tensor {
    this.owned.push(t);
    return t;
  }

  private uploadImage(img: RgbaImage): Tensor {
    const lib = this.lib;
    const pixels = lib.memory.acquire(img.width * img.height * 4, 'pixels.in');
    lib.ctx.device.queue.writeBuffer(pixels, 0, rgbaBytes(img));
    const t = lib.tensor([3, img.height, img.width], 'image.in');
    runOnce(lib, [preprocess(lib, pixels, img.height, img.width, t, this.net.weights.input)]);
    lib.memory.release(pixels);
    return t;
  }

  /** Features at content layers and normalised Grams at style layers of an image (copies, caller-owned). */
  private async targets(image: Tensor, contentNames: string[], styleNames: string[], deepest: string) {
    const tape = new Tape(this.lib);
    const feats = this.net.features(tape, tape.leaf(image, false, 'target'), deepest, this.options.pooling);
    const features = new Map<string, Tensor>();
    const grams = new Map<string, Tensor>();
    const copies: Dispatch[] = [];
    for (const n of contentNames) {
      const f = feats.get(n)!;
      const t = this.lib.tensor(f.value.shape, `target:${n}`);
      copies.push(axpby(this.lib, 1, f.value, 0, t));
      features.set(n, t);
    }
    for (const n of styleNames) {
      const f = feats.get(n)!;
      const g = tape.gram(f, 1 / (f.value.shape[1] * f.value.shape[2]), `gram:${n}`);
      const t = this.lib.tensor(g.value.shape, `target_gram:${n}`);
      copies.push(axpby(this.lib, 1, g.value, 0, t));
      grams.set(n, t);
    }
    try {
      await this.submit.run(tape.forward());
      runOnce(this.lib, copies);
    } finally {
      tape.dispose();
    }
    return { features, grams };
  }

  /**
   * Run `count` optimisation steps. Losses are read back only if `readLoss` (then for the last
   * step), so long runs can skip the GPU→CPU sync on most steps.
   */
  async run(count = 1, readLoss = true): Promise<LossTerms | null> {
    for (let i = 0; i < count; i++) {
      this.step++;
      if (this.adam) {
        this.adam.dispatch.setParams(adamParams(this.adam.hyper, this.step, 3 * this.width * this.height));
        // untiled: forward, backward and update in one submit; tiled: the tile passes, then the update
        await this.tiled?.evaluate(this.submit);
        if (this.jitter) this.shiftTo(this.jitter.next());
        await this.submit.run(this.stepDispatches);
      } else {
        await this.lbfgs!.step(
          () => this.computeGradient(),
          async () => (await this.losses()).total,
        );
      }
    }
    // back to the unshifted image (the slots keep the last step's losses, taken at its shift)
    if (this.jitter) this.shiftTo(0);
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
    const content: Record<string, number> = {};
    const style: Record<string, number> = {};
    let contentTotal = 0, styleTotal = 0;
    // slots hold the unweighted terms, ½Σ(F−P)² and 1/(4N²)·Σ(G−A)² per layer, and TV
    for (const [name, slot, weight] of this.contentSlots) {
      contentTotal += weight * s[slot];
      content[name] = s[slot];
    }
    for (const [name, slot, weight] of this.styleSlots) {
      styleTotal += weight * s[slot];
      style[name] = s[slot];
    }
    const tv = s[this.tvSlot];
    const total = contentTotal + styleTotal + this.options.tvWeight * tv;
    if (!Number.isFinite(total)) {
      const parts = (this.tape?.slotNames ?? this.tiled!.slotNames).map((n, i) => `${n}=${s[i]}`).join(', ');
      throw new NonFiniteLossError(this.step, parts);
    }
    return { content, style, tv, contentTotal, styleTotal, total };
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
    if (this.jitter) {
      this.lib.memory.release(this.jitter.tmp);
      this.jitter = null;
    }
    if (this.colorPixels) {
      this.lib.memory.release(this.colorPixels.content);
      this.lib.memory.release(this.colorPixels.out);
      this.colorPixels = null;
    }
    this.net?.dispose();
  }
}

interface Jitter {
  /** Flat offsets of the shifts (0,0), (1,0), (0,1), (1,1). */
  offsets: number[];
  /** Index of the image's current shift (0: unshifted). */
  current: number;
  tmp: GPUBuffer;
  /** [the tape's content target, that target at each shift] per content layer. */
  targets: [Tensor, Tensor[]][];
  /** The next step's shift. */
  next: () => number;
}

/** Roll the first n floats of a tensor by k (element i moves to (i + k) mod n), through `tmp`. */
function encodeRoll(enc: GPUCommandEncoder, t: Tensor, tmp: GPUBuffer, n: number, k: number): void {
  k = ((k % n) + n) % n;
  if (k === 0) return;
  const o = t.offset ?? 0;
  enc.copyBufferToBuffer(t.buffer, o, tmp, k * 4, (n - k) * 4);
  enc.copyBufferToBuffer(t.buffer, o + (n - k) * 4, tmp, 0, k * 4);
  enc.copyBufferToBuffer(tmp, 0, t.buffer, o, n * 4);
}

function rgbaBytes(img: RgbaImage): Uint8Array<ArrayBuffer> {
  const d = img.data;
  return (d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength)) as Uint8Array<ArrayBuffer>;
}

/** Bilinear resize of RGBA bytes (pixel centres aligned), e.g. to carry a result to a finer scale. */
export function resizeBilinear(img: RgbaImage, width: number, height: number): RgbaImage {
  if (img.width === width && img.height === height) return img;
  const data = new Uint8Array(width * height * 4);
  const src = (x: number, y: number, k: number) => img.data[(y * img.width + x) * 4 + k];
  for (let y = 0; y < height; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, ((y + 0.5) * img.height) / height - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(img.height - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, ((x + 0.5) * img.width) / width - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(img.width - 1, x0 + 1), wx = fx - x0;
      for (let k = 0; k < 4; k++) {
        const top = src(x0, y0, k) * (1 - wx) + src(x1, y0, k) * wx;
        const bottom = src(x0, y1, k) * (1 - wx) + src(x1, y1, k) * wx;
        data[(y * width + x) * 4 + k] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return { width, height, data };
}

/** Nearest-neighbour resize of RGBA bytes (for init from a differently sized style image). */
export function resizeNearest(img: RgbaImage, width: number, height: number): RgbaImage {
  if (img.width === width && img.height === height) return img;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / width));
      for (let k = 0; k < 4; k++) data[(y * width + x) * 4 + k] = img.data[(sy * img.width + sx) * 4 + k];
    }
  }
  return { width, height, data };
}
