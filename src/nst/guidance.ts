/**
 * Spatial control (Gatys et al. 2017, §4): one guidance map per style image, white where that
 * style applies, grey partly, black not. Each map is followed down the network's downsampling
 * windows (pools, strided convs: NetworkSpec.downsamplings) to every style layer's size on the
 * GPU (guide/mask_downsample), where the style loss compares the Gram of the features weighted by
 * it (Tape.guidedGram) with its own style's Gram.
 *
 * A region's Gram is normalised by its energy E = Σ_p m_p² at the layer (for a map of ones that is
 * the map size M: the plain Gram), and its term weighted by its area a = E / M, so that maps
 * which split the image add up to one image's worth of style loss: regions keep the default
 * style weight meaningful. Where no map is white, no style applies (content and TV only). A
 * region that vanishes at a deep layer (E = 0) has no term there.
 */
import type { Dispatch } from '../kernels/kernel.js';
import { maskDownsample, windowLength } from '../kernels/guide/guide.js';
import type { KernelLibrary } from '../kernels/library.js';
import { reduceSum, REDUCE_PARTIALS } from '../kernels/loss/loss.js';
import type { Submitter } from '../kernels/pacing.js';
import type { Tensor } from '../kernels/tensor.js';
import { luminance, type RgbaImage } from '../io/rgba_image.js';
import type { NetworkSpec } from '../model/networks.js';
import type { StyleTransferOptions } from './options.js';
import type { StyleImage } from './style_transfer.js';

/** A guidance map's value at each pixel: its luminance (Rec. 601) in 0…1. */
export const maskValues = (img: RgbaImage): Float32Array => Float32Array.from(luminance(img));

/** One style's region at one layer: its map there, its energy Σm² and its area E/M. */
export interface Region {
  mask: Tensor;
  energy: number;
  area: number;
}

export class Guidance {
  private owned: Tensor[] = [];
  /** By style index, then layer name. */
  private regions: Map<string, Region | null>[] = [];

  private constructor(private readonly lib: KernelLibrary) {}

  /**
   * The maps of `masks` (one per style, each the content's size) at every layer of `layers`;
   * their energies are read back once, here.
   */
  static async create(lib: KernelLibrary, spec: NetworkSpec, masks: RgbaImage[], layers: string[], submit: Submitter): Promise<Guidance> {
    const g = new Guidance(lib);
    try {
      await g.build(spec, masks, layers, submit);
    } catch (e) {
      g.dispose();
      throw e;
    }
    return g;
  }

  private async build(spec: NetworkSpec, masks: RgbaImage[], layers: string[], submit: Submitter): Promise<void> {
    const lib = this.lib;
    const work: Dispatch[] = [];
    const levelOf: Tensor[][] = [];
    for (const img of masks) {
      // level k: the map after the first k windows; layers share the levels they have in common
      const levels = [this.own(lib.upload([img.height, img.width], maskValues(img), 'guidance'))];
      for (const layer of layers) {
        for (const w of spec.downsamplings(layer).slice(levels.length - 1)) {
          const prev = levels[levels.length - 1];
          const [h, wd] = prev.shape;
          const next = this.own(lib.tensor([windowLength(h, w), windowLength(wd, w)], 'guidance'));
          work.push(maskDownsample(lib, prev, next, w));
          levels.push(next);
        }
      }
      levelOf.push(levels);
    }
    // one energy Σm² per level, reduced on the GPU, read once
    const all = levelOf.flat();
    const energies = lib.tensor([all.length], 'guidance.energy'), partials = lib.tensor([REDUCE_PARTIALS], 'guidance.partials');
    try {
      for (const [i, m] of all.entries()) work.push(...reduceSum(lib, { a: m, b: m, out: energies, outIndex: i, scale: 1, partials }, lib.planner.plan('reduce', { n: m.shape[0] * m.shape[1] })));
      await submit.run(work);
      const e = await lib.read(energies);
      let k = 0;
      for (const levels of levelOf) {
        const byLayer = new Map<string, Region | null>();
        const first = k;
        for (const layer of layers) {
          const level = spec.downsamplings(layer).length;
          const mask = levels[level], energy = e[first + level];
          byLayer.set(layer, energy > 0 ? { mask, energy, area: energy / (mask.shape[0] * mask.shape[1]) } : null);
        }
        k += levels.length;
        this.regions.push(byLayer);
      }
    } finally {
      for (const d of work) d.destroy();
      lib.release(energies, partials);
    }
  }

  /** Style `i`'s region at `layer` (null: its map is black there). */
  region(i: number, layer: string): Region | null {
    const r = this.regions[i]?.get(layer);
    if (r === undefined) throw new Error(`guidance: no map for style ${i} at ${layer}`);
    return r;
  }

  get count(): number {
    return this.regions.length;
  }

  private own(t: Tensor): Tensor {
    this.owned.push(t);
    return t;
  }

  dispose(): void {
    this.lib.release(...this.owned);
    this.owned = [];
  }
}

/**
 * A run's style masks, checked before any GPU work: one per style image or none, each the
 * content's size, the styles not blended, untiled and without jitter. null without masks.
 */
export function checkMasks(styles: StyleImage[], content: RgbaImage, o: Pick<StyleTransferOptions, 'jitter'>, tiled: boolean): RgbaImage[] | null {
  const masks = styles.map((s) => s.mask);
  if (masks.every((m) => !m)) return null;
  if (masks.some((m) => !m)) throw new Error(`style masks: give one per style image (${masks.filter(Boolean).length} for ${styles.length} styles)`);
  for (const [i, m] of masks.entries()) {
    if (m!.width !== content.width || m!.height !== content.height) throw new Error(`style mask ${i + 1} is ${m!.width}×${m!.height}, the content ${content.width}×${content.height}: masks are resized to the content first`);
  }
  const blends = styles.map((s) => s.blend ?? 1);
  if (blends.some((b) => b !== blends[0])) throw new Error('style blend weights do not apply with style masks: each mask says where its style applies');
  if (tiled) throw new Error('style masks run untiled: leave out the tile size and the GPU memory budget (or choose a smaller size)');
  if (o.jitter) throw new Error('style masks do not work with jitter (the maps would have to move with the image)');
  return masks as RgbaImage[];
}
