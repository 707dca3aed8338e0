/**
 * The targets of a Gatys run, computed once at setup on tapes of their own: the content features
 * P_l at the content layers, and the style Grams A_l at the style layers (blended over the style
 * images, or one set per style image for spatial control), with each image uploaded and
 * preprocessed on the GPU.
 */
import { axpby } from '../kernels/elementwise/elementwise.js';
import { preprocess } from '../kernels/image/image.js';
import type { Dispatch } from '../kernels/kernel.js';
import type { KernelLibrary } from '../kernels/library.js';
import { runOnce } from '../kernels/run_once.js';
import type { Submitter } from '../kernels/pacing.js';
import type { Tensor } from '../kernels/tensor.js';
import { Tape } from '../graph/tape.js';
import type { RgbaImage } from '../io/rgba_image.js';
import { colourStats, matchStyleColours } from './colour_transfer.js';
import type { FeaturesOnGpu } from './feature_network.js';
import type { StyleTransferOptions } from './options.js';
import type { StyleImage } from './style_transfer.js';
import { tiledGrams } from './tiled.js';
import { styleTargetKey, type StyleTargetCache } from './target_cache.js';
export type { StyleTargetCache };

export class Targets {
  constructor(
    private readonly lib: KernelLibrary,
    private readonly net: FeaturesOnGpu,
    private readonly options: StyleTransferOptions,
    private readonly submit: Submitter,
    /** A session's style targets kept between runs (target_cache.ts); none: computed every run. */
    private readonly cache?: StyleTargetCache,
  ) {}

  /**
   * Stage 1, targets computed once: the content features P_l, and the style Grams A_l blended
   * over the style images, or with style masks each style's own (keyed "layer#i"); with
   * originalColors 'histogram' each style image recoloured to the content's colours first
   * (caller-owned until recordLosses hands them to this run).
   */
  async compute(contentTensor: Tensor, styles: StyleImage[], deepest: string, tile: number | undefined, perStyle: boolean) {
    const o = this.options, lib = this.lib;
    // tiled runs compute their content targets tile by tile (tiled.ts)
    const contentTargets = tile ? new Map<string, Tensor>() : (await this.targets(contentTensor, o.contentLayers.map((l) => l.name), [], deepest)).features;
    // each target pass's graph is freed before the next (their shapes differ; pooled they would add up)
    lib.memory.trim();
    const blends = styles.map((s) => s.blend ?? 1);
    const blendSum = blends.reduce((a, b) => a + b, 0);
    if (styles.length && !(blendSum > 0)) throw new Error('style blend weights must sum to a positive number');
    const contentColours = o.originalColors === 'histogram' ? await colourStats(lib, contentTensor) : null;
    // the Grams depend on the content only through histogram matching
    const key = this.cache && !contentColours ? styleTargetKey(this.net.weights, o, styles, tile, perStyle) : null;
    const cached = key ? this.cache!.get(key) : null;
    if (cached) return { contentTargets, styleTargets: cached };
    const styleTargets = new Map<string, Tensor>();
    for (const [i, s] of styles.entries()) {
      let t = this.upload(s);
      if (contentColours) {
        const plain = t;
        t = await matchStyleColours(lib, contentColours, plain, this.net.weights.input).finally(() => lib.release(plain));
      }
      const names = o.styleLayers.map((l) => l.name);
      const grams = tile ? await tiledGrams(lib, this.net, t, tile, deepest, o.pooling, names, this.submit) : (await this.targets(t, [], names, deepest)).grams;
      for (const [name, g] of grams) {
        if (perStyle) {
          styleTargets.set(`${name}#${i}`, g);
          continue;
        }
        let acc = styleTargets.get(name);
        if (!acc) styleTargets.set(name, (acc = lib.tensor(g.shape, `style_target:${name}`)));
        runOnce(lib, [axpby(lib, blends[i] / blendSum, g, i === 0 ? 0 : 1, acc)]);
        lib.release(g);
      }
      lib.release(t);
      lib.memory.trim();
    }
    if (key) this.cache!.put(key, styleTargets);
    return { contentTargets, styleTargets };
  }

  upload(img: RgbaImage): Tensor {
    const lib = this.lib;
    const pixels = lib.memory.acquire(img.width * img.height * 4, 'pixels.in');
    lib.ctx.device.queue.writeBuffer(pixels, 0, rgbaBytes(img));
    const t = lib.tensor([3, img.height, img.width], 'image.in');
    runOnce(lib, [preprocess(lib, pixels, img.height, img.width, t, this.net.weights.input)]);
    lib.memory.release(pixels);
    return t;
  }

  /** Features at content layers and normalised Grams at style layers of an image (copies, caller-owned). */
  async targets(image: Tensor, contentNames: string[], styleNames: string[], deepest: string) {
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
}

export function rgbaBytes(img: RgbaImage): Uint8Array<ArrayBuffer> {
  const d = img.data;
  return (d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength)) as Uint8Array<ArrayBuffer>;
}
