/** Test page for the style-transfer engine: synthetic images, seeded random VGG19. */
import { createGpuContext } from '../../src/kernels/context.js';
import { KernelLibrary } from '../../src/kernels/library.js';
import { chooseTiling } from '../../src/job/prepare.js';
import { jobDeepestLayer, resolveOptions, type StyleTransferOptions } from '../../src/nst/options.js';
import { StyleTransfer } from '../../src/nst/style_transfer.js';
import { mixImages, type RgbaImage } from '../../src/io/rgba_image.js';
import type { Picture } from '../../src/io/decode.js';
import { runJob } from '../../src/job/run.js';
import { randomNetwork, randomVgg19 } from '../../src/model/weights.js';
import { toRawWeights } from '../../src/io/raw_weights.js';

let lib: KernelLibrary | null = null;
/** Like the demo: a lost device is replaced by a fresh one on the next call. */
async function library() {
  if (!lib || lib.ctx.lostReason !== null) lib = new KernelLibrary(await createGpuContext());
  return lib;
}

/** A smooth synthetic picture (gradients + a disc) or stripes, so features are not trivial. */
function picture(w: number, h: number, kind: 'photo' | 'stripes'): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (kind === 'photo') {
        const inside = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (w / 4) ** 2;
        data.set([Math.round((255 * x) / w), Math.round((255 * y) / h), inside ? 220 : 40, 255], i);
      } else {
        const s = Math.floor((x + y) / 3) % 2;
        data.set([s ? 240 : 20, s ? 200 : 60, s ? 30 : 200, 255], i);
      }
    }
  return { width: w, height: h, data };
}

/** The seeded random network the case's options name (VGG19 up to conv5_1 by default). */
const weightsFor = (o: Partial<StyleTransferOptions>, weightsNetwork?: 'vgg19' | 'squeezenet') =>
  (weightsNetwork ?? o.network) === 'squeezenet' ? randomNetwork('squeezenet', 2) : randomVgg19(2, 'conv5_1');

export interface EngineCase {
  /** Run with this network's weights whatever the options say (to check the mismatch error). */
  weightsNetwork?: 'vgg19' | 'squeezenet';
  width: number;
  height: number;
  steps: number;
  options: Partial<StyleTransferOptions>;
  /** Multiply conv1_1's weights by this (to provoke overflow). */
  weightScale?: number;
  /** Read losses after every step (default only at the end). */
  everyStep?: boolean;
}

const api = {
  async run(c: EngineCase) {
    const l = await library();
    const before = l.memory.stats();
    const w = weightsFor(c.options, c.weightsNetwork);
    if (c.weightScale) w.layers.get('conv1_1')!.weight.forEach((v, i, a) => (a[i] = v * c.weightScale!));
    const st = await StyleTransfer.create(l, w, picture(c.width, c.height, 'photo'), [picture(c.width + 3, c.height - 2, 'stripes')], c.options);
    const totals: number[] = [];
    try {
      totals.push((await st.evaluate()).total);
      const afterSetup = l.memory.stats();
      for (let i = 0; i < c.steps; i++) {
        const r = await st.run(1, !!c.everyStep || i === c.steps - 1);
        if (r) totals.push(r.total);
      }
      const afterSteps = l.memory.stats();
      const pixels = await st.pixels();
      return { totals, before, afterSetup, afterSteps, pixelsLength: pixels.length, alpha: pixels[3] };
    } finally {
      st.dispose();
    }
  },
  /**
   * A GPU validation error nobody caught (here: a buffer with no usage) fails the next readback
   * with a GpuError, once; the run after it works.
   */
  async uncaughtGpuError(c: EngineCase): Promise<{ error: string; next: number }> {
    const l = await library();
    l.ctx.device.createBuffer({ size: 16, usage: 0 });
    let error = '';
    try {
      await api.run(c);
    } catch (e) {
      error = `${(e as Error).name}: ${(e as Error).message}`;
    }
    const next = await api.run(c);
    return { error, next: next.totals[0] };
  },
  /** Destroy the device after `loseAfter` steps of a run; returns the error the run ended with. */
  async loseDeviceMidRun(c: EngineCase, loseAfter: number): Promise<string> {
    const l = await library();
    const st = await StyleTransfer.create(l, randomVgg19(2, 'conv5_1'), picture(c.width, c.height, 'photo'), [picture(c.width, c.height, 'stripes')], c.options);
    try {
      for (let i = 0; i < c.steps; i++) {
        if (i === loseAfter) l.ctx.device.destroy();
        await st.run(1, true);
      }
      return 'finished without error';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    } finally {
      st.dispose();
    }
  },
  /**
   * The same losses and image gradient through the software-adapter kernel choices (conv v1, Gram
   * v1, no split-K) and through the GPU choices (conv v2/v3 rows, Gram v2 lanes, split-K with the
   * tape's shared scratch), both run here on the same device.
   */
  async adapterPaths(c: EngineCase) {
    const soft = await library();
    const gpuPath = new KernelLibrary({ ...soft.ctx, info: { ...soft.ctx.info, isSoftware: false } });
    const out: { total: number; terms: number[]; grad: number[] }[] = [];
    for (const l of [soft, gpuPath]) {
      const st = await StyleTransfer.create(l, weightsFor(c.options), picture(c.width, c.height, 'photo'), [picture(c.width + 5, c.height + 3, 'stripes')], c.options);
      try {
        const t = await st.evaluate();
        out.push({ total: t.total, terms: [...Object.values(t.content), ...Object.values(t.style), t.tv], grad: [...(await st.gradient())] });
      } finally {
        st.dispose();
      }
    }
    gpuPath.destroy();
    return out;
  },
  /**
   * Two styles each in its half of the content (masks: left and right, a soft border), `steps`
   * steps: the last losses' style terms, and what the run left in use after dispose.
   */
  async masked(c: EngineCase) {
    const l = await library();
    const w = weightsFor(c.options);
    const half = (left: boolean): RgbaImage => {
      const img = picture(c.width, c.height, 'photo');
      for (let p = 0; p < c.width * c.height; p++) {
        const x = p % c.width, v = Math.round(255 * Math.min(1, Math.max(0, (left ? c.width / 2 - x : x - c.width / 2) / 4 + 0.5)));
        img.data.set([v, v, v, 255], 4 * p);
      }
      return img;
    };
    const styles = [{ ...picture(c.width + 3, c.height - 2, 'stripes'), mask: half(true) }, { ...picture(c.width - 2, c.height + 1, 'photo'), mask: half(false) }];
    const before = l.memory.stats();
    const st = await StyleTransfer.create(l, w, picture(c.width, c.height, 'photo'), styles, c.options);
    let style: Record<string, number>;
    try {
      style = (await st.run(c.steps, true))!.style;
    } finally {
      st.dispose();
    }
    const after = l.memory.stats();
    return { style, leaked: { buffers: after.inUseBuffers - before.inUseBuffers, uniforms: after.uniformBuffers - before.uniformBuffers } };
  },
  /**
   * The same run untiled and tiled (owned tiles of `tile` px): losses and gradient at the start,
   * and the image after `steps` optimizer steps; the tiled run's peak GPU bytes. Both with lean
   * weights, as a tiled job runs (chooseTiling): the same conv algorithms (no F(4×4) Winograd,
   * whose different rounding Adam's normalised steps would grow to a few grey levels in 20 steps).
   */
  async tiledVsUntiled(c: EngineCase & { tile: number; styles?: number }) {
    const l = await library();
    const w = randomVgg19(2, 'conv5_1');
    const styles = Array.from({ length: c.styles ?? 1 }, (_, i) => ({ ...picture(c.width + 5 + 7 * i, c.height + 3 - 2 * i, i ? 'photo' : 'stripes'), blend: 1 + i }));
    const out = [];
    const before = l.memory.stats();
    for (const tiling of [undefined, { tile: c.tile }]) {
      l.memory.trim();
      l.memory.resetPeak();
      const st = await StyleTransfer.create(l.withPlanner(l.planner.with({ lean: true })), w, picture(c.width, c.height, 'photo'), styles, c.options, { tiling });
      try {
        const t = await st.evaluate();
        const grad = [...(await st.gradient())];
        let last = t;
        if (c.steps) last = (await st.run(c.steps, true))!;
        out.push({ terms: [...Object.values(t.content), ...Object.values(t.style), t.tv], total: t.total, grad, finalTotal: last.total, pixels: [...(await st.pixels())], peak: l.memory.stats().peakBytes });
      } finally {
        st.dispose();
      }
    }
    // every buffer and uniform both runs made is given back
    const after = l.memory.stats();
    return out.map((r) => ({ ...r, leaked: { buffers: after.inUseBuffers - before.inUseBuffers, uniforms: after.uniformBuffers - before.uniformBuffers } }));
  },
  /**
   * A device whose buffers hold at most `maxBinding` bytes (the real device, smaller limits
   * claimed): the job's tiling choice for a w×h run, and its losses and gradient next to an
   * untiled run on the real limits.
   */
  async autoTiling(c: EngineCase & { maxBinding: number; maxGpuMemory?: number }) {
    const l = await library();
    const real = l.ctx.limits;
    const limits = new Proxy(real, { get: (t, k) => (k === 'maxStorageBufferBindingSize' ? c.maxBinding : (t as unknown as Record<string | symbol, unknown>)[k]) });
    const small = new KernelLibrary({ ...l.ctx, limits });
    const w = randomVgg19(2, 'conv5_1');
    const o = resolveOptions(c.options);
    const content = picture(c.width, c.height, 'photo'), style = picture(c.width, c.height, 'stripes');
    const deepest = jobDeepestLayer(o);
    const choice = chooseTiling(small, c.width, c.height, [c.width, c.height], o, deepest, { maxGpuMemory: c.maxGpuMemory });
    const out = [];
    for (const [lib, tiling] of [[l, undefined], [small, choice.tiling]] as const) {
      lib.memory.resetPeak();
      // the tiled side is built as a job builds it: with the choice's lean weights and moments
      const st = await StyleTransfer.create(lib.withPlanner(lib.planner.with({ lean: lib === small && !!choice.lean })), w, content, [style], o, { tiling });
      try {
        const t = await st.evaluate();
        out.push({ total: t.total, grad: [...(await st.gradient())], peak: lib.memory.stats().peakBytes });
      } finally {
        st.dispose();
      }
    }
    small.destroy();
    return { reason: choice.reason, tile: choice.tiling?.tile ?? null, estimate: choice.estimate!.total, untiled: out[0], tiled: out[1] };
  },
  async memory() {
    return (await library()).memory.stats();
  },
  /**
   * `repeats` coarse-to-fine jobs (runJob: `scales` scales to `size` px, seeded random SqueezeNet,
   * synthetic pictures, `steps` steps at the coarsest scale): the memory before, after each job,
   * and each result's size and total loss.
   */
  async coarseToFine(c: { size: number; scales: number; steps: number; repeats: number }) {
    const l = await library();
    const pic = (w: number, h: number, kind: 'photo' | 'stripes'): Picture => ({ width: w, height: h, rasterize: async (W, H) => picture(W, H, kind) });
    const images = { content: pic(96, 80, 'photo'), styles: [{ blob: pic(90, 70, 'stripes'), blend: 1, name: 'stripes' }], contentName: 'photo' };
    const config = { size: c.size, styleScale: 1, options: { network: 'squeezenet' as const }, reportEvery: 5, saveEvery: 0, scales: c.scales, scaleIterations: [c.steps] };
    const before = l.memory.stats();
    const after = [], results = [];
    for (let i = 0; i < c.repeats; i++) {
      const r = await runJob(l, images, { kind: 'random', seed: 2, network: 'squeezenet' }, config);
      after.push(l.memory.stats());
      results.push({ width: r.image.width, height: r.image.height, total: r.losses.total, sizes: r.sizes });
    }
    return { before, after, results };
  },
  /**
   * A finer scale's setup two ways: the initial image as a GPU tensor with the content target
   * mixed on the GPU ({ anchor }), and as pixels with the target mixed in pixels (mixImages,
   * rounded); the first evaluation's loss terms of each, and the buffers in use before and after.
   */
  async anchoredTarget(c: EngineCase & { anchor: number }) {
    const l = await library();
    const w = weightsFor(c.options), content = picture(c.width, c.height, 'photo'), styles = [picture(c.width + 3, c.height - 2, 'stripes')];
    const before = l.memory.stats().inUseBuffers;
    // the initial image: a run started from the stripes, its image as a tensor (unchanged: clamped, same size)
    const initPixels = picture(c.width, c.height, 'stripes');
    const src = await StyleTransfer.create(l, w, content, styles, c.options, { initImage: initPixels });
    const initTensor = src.upsampled(c.width, c.height);
    src.dispose();
    const terms = async (st: StyleTransfer) => {
      try {
        const t = await st.evaluate();
        return [...Object.values(t.content), ...Object.values(t.style), t.tv];
      } finally {
        st.dispose();
      }
    };
    const onGpu = await terms(await StyleTransfer.create(l, w, content, styles, c.options, { initImage: initTensor, contentTarget: { anchor: c.anchor } }));
    l.release(initTensor);
    const inPixels = await terms(await StyleTransfer.create(l, w, content, styles, c.options, { initImage: initPixels, contentTarget: mixImages(content, initPixels, c.anchor) }));
    return { onGpu, inPixels, before, after: l.memory.stats().inUseBuffers };
  },
  /** SHA-256 (hex) of the seeded random VGG19's tensors in our raw format, made in this page. */
  async randomWeightsDigest(seed: number, upTo: string) {
    const bin = toRawWeights(randomVgg19(seed, upTo)).bin;
    const d = await crypto.subtle.digest('SHA-256', bin as Uint8Array<ArrayBuffer>);
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  },
};

(globalThis as unknown as { engine: typeof api }).engine = api;
export type EngineTestApi = typeof api;
