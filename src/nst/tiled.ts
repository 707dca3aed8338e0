/**
 * Exact tiled evaluation of the Gatys loss and its image gradient, in memory bounded by one tile's
 * graph: the loss is a sum over feature positions, each position is owned by one tile (tiles.ts),
 * and a tile's window is wide enough that its owned features equal the untiled ones.
 *
 *   pass 1, per tile: forward on the window; each style layer's Gram of the owned (masked)
 *           features is added into the global G_l; content terms are summed likewise.
 *   then:   style terms s_l·Σ(G_l − A_l)² and dL/dG_l on the whole image; TV on the whole image
 *           (its gradient starts the image gradient).
 *   pass 2, per tile: forward again, backward with dL/dG_l given to each Gram node and the
 *           content gradient at owned positions (zero in the halo); the window's gradient is
 *           added into the full image's gradient (windows overlap; contributions add).
 *
 * Resident: the full image, its gradient and the optimizer state (owned by StyleTransfer), the
 * weights, the Gram targets, G_l and dL/dG_l, and one tile graph. The content targets (full size at
 * the content layers: conv4_2 at 4096² is 0.5 GB) are held on the host: computed tile by tile and
 * read back once, then each tile's window of them is written to the GPU before the tile's submit.
 * Each tile is a separate submit, since masks and windows move between tiles through their
 * uniform buffers.
 */
import { axpby, fill } from '../kernels/elementwise/elementwise.js';
import type { Dispatch } from '../kernels/kernel.js';
import type { KernelLibrary } from '../kernels/library.js';
import { runOnce } from '../kernels/run_once.js';
import { unpaced, type Submitter } from '../kernels/pacing.js';
import { REDUCE_PARTIALS, reduceSum, squaredError, temporalLoss, tvLoss, tvTermCount } from '../kernels/loss/loss.js';
import type { LossSlots } from './loss_terms.js';
import type { TemporalTensors } from './temporal.js';
import type { PoolKind } from '../kernels/pool/pool.js';
import { numel, type Tensor } from '../kernels/tensor.js';
import { maskAt, maskRect, windowAt, windowOp } from '../kernels/tile/tile.js';
import { Tape, type Node } from '../graph/tape.js';
import type { StyleTransferOptions } from './options.js';
import { layerScale } from '../model/vgg19_spec.js';
import { ownedAt, planTiles, type Tile, type TileLayout } from './tiles.js';
import type { FeaturesOnGpu } from './feature_network.js';
import { buildLoss, type LossRecorder } from './loss_builder.js';

/** One tile graph: the window leaf, masked features per loss layer, and how to move it to a tile. */
class TileGraph {
  readonly tape: Tape;
  readonly window: Tensor;
  readonly input: Node;
  /** Per loss layer: the masked feature node and its mask's mover. */
  readonly masked = new Map<string, { node: Node; move: (r: { y0: number; y1: number; x0: number; x1: number }) => void; scale: number }>();
  readonly grams = new Map<string, Node>();
  /** Each Gram's normalisation, 1/M of the full image's map at its layer. */
  readonly gramScales = new Map<string, number>();
  private readonly copyIn: Dispatch;

  /**
   * Build the graph of a `layout.windowH × layout.windowW` window of `image` (3×H×W): features to
   * `deepest`, masks at `layers`, Grams (scale 1/M of the full image's layer) at `styleLayers`.
   */
  constructor(
    readonly lib: KernelLibrary,
    vgg: FeaturesOnGpu,
    readonly image: Tensor,
    readonly layout: TileLayout,
    deepest: string,
    pooling: PoolKind,
    layers: string[],
    styleLayers: string[],
    requiresGrad: boolean,
  ) {
    this.tape = new Tape(lib);
    this.window = lib.tensor([3, layout.windowH, layout.windowW], 'tile.window');
    this.copyIn = windowOp(lib, image, this.window, 0, 0, 'copy');
    this.input = this.tape.leaf(this.window, requiresGrad, 'window');
    const feats = vgg.features(this.tape, this.input, deepest, pooling);
    for (const name of new Set([...layers, ...styleLayers])) {
      const f = feats.get(name)!;
      const m = this.tape.mask(f, { y0: 0, y1: 0, x0: 0, x1: 0 }, `mask:${name}`);
      this.masked.set(name, { ...m, scale: layerScale(name) });
    }
    for (const name of styleLayers) {
      const s = layerScale(name);
      const M = Math.floor(layout.height / s) * Math.floor(layout.width / s);
      this.gramScales.set(name, 1 / M);
      this.grams.set(name, this.tape.gram(this.masked.get(name)!.node, 1 / M, `gram:${name}`));
    }
  }

  /** Point the window and every mask at tile `t` (takes effect at the next submit). */
  moveTo(t: Tile): void {
    this.copyIn.setParams(windowAt(this.image, this.window, t.y0, t.x0, 'copy'));
    for (const m of this.masked.values()) {
      const [, h, w] = m.node.value.shape;
      m.move(ownedAt(t, m.scale, h, w));
    }
  }

  /** The dispatches that copy the window in and run the forward pass. */
  forward(): Dispatch[] {
    return [this.copyIn, ...this.tape.forward()];
  }

  dispose(): void {
    this.copyIn.destroy();
    this.tape.dispose();
    this.lib.release(this.window);
  }
}

/**
 * Σ over tiles of each style layer's Gram (scale 1/M) of a 3×H×W network-space image, computed
 * tile by tile; caller-owned C×C tensors.
 */
export async function tiledGrams(lib: KernelLibrary, vgg: FeaturesOnGpu, image: Tensor, tile: number, deepest: string, pooling: PoolKind, styleLayers: string[], submit: Submitter = unpaced(lib)): Promise<Map<string, Tensor>> {
  const [, H, W] = image.shape;
  const layout = planTiles(H, W, tile, deepest);
  const g = new TileGraph(lib, vgg, image, layout, deepest, pooling, [], styleLayers, false);
  const sums = new Map<string, Tensor>();
  try {
    for (const name of styleLayers) {
      const node = g.grams.get(name)!;
      const t = lib.tensor(node.value.shape, `tiled_gram:${name}`);
      runOnce(lib, [fill(lib, t, 0)]);
      sums.set(name, t);
    }
    const adds = styleLayers.map((name) => axpby(lib, 1, g.grams.get(name)!.value, 1, sums.get(name)!));
    try {
      for (const t of layout.tiles) {
        g.moveTo(t);
        await submit.run([...g.forward(), ...adds]);
      }
    } finally {
      for (const d of adds) d.destroy();
    }
  } finally {
    g.dispose();
    lib.memory.trim(); // the next style image's windows have other shapes: do not keep these pooled
  }
  return sums;
}

/**
 * One content layer's target, C×h×w at the layer's scale, held in host memory, and the GPU window
 * of it that a tile's loss reads: `window` (written from `full` per tile) masked to the owned
 * rectangle into `masked`.
 */
interface ContentTarget {
  name: string;
  scale: number;
  full: HostMap;
  window: Tensor;
  masked: Tensor;
  mask: Dispatch;
  /** Host staging of one window (reused: writeBuffer copies it at once). */
  staging: Float32Array;
}

/** A C×H×W float map in host memory. */
interface HostMap {
  data: Float32Array;
  shape: [number, number, number];
}

/** Copy rows [r.y0, r.y1) × columns [r.x0, r.x1) of a C×h×w window at (oy, ox) of `full` into it (toFull) or out of it. */
function copyRect(full: HostMap, window: Float32Array, wshape: readonly number[], oy: number, ox: number, r: { y0: number; y1: number; x0: number; x1: number }, toFull: boolean): void {
  const [C, H, W] = full.shape;
  const [, h, w] = wshape;
  if (!Number.isInteger(oy) || !Number.isInteger(ox) || oy < 0 || ox < 0 || oy + h > H || ox + w > W) throw new Error(`content target: a ${h}×${w} window at (${oy}, ${ox}) does not fit a ${H}×${W} map`);
  for (let c = 0; c < C; c++) {
    for (let y = r.y0; y < r.y1; y++) {
      const wi = (c * h + y) * w, fi = (c * H + oy + y) * W + ox;
      if (toFull) full.data.set(window.subarray(wi + r.x0, wi + r.x1), fi + r.x0);
      else window.set(full.data.subarray(fi + r.x0, fi + r.x1), wi + r.x0);
    }
  }
}

/**
 * The loss and image gradient of one style transfer, tile by tile. `image` and `grad` (3×H×W) are
 * the caller's; after `evaluate()` the losses are in `scalars` (slots in `slots`) and the
 * gradient in `grad`.
 */
export class TiledGatys {
  readonly layout: TileLayout;
  readonly scalars: Tensor;
  readonly slots: LossSlots = { content: [], style: [], tv: 0 };
  readonly slotNames: string[] = [];
  private graph!: TileGraph;
  private owned: Tensor[] = [];
  private partials: Tensor;
  /** Per content layer: the full target (host), and the window of it this tile's loss compares with (GPU). */
  private contentTargets: ContentTarget[] = [];
  private perTile: { before: Dispatch[]; after: Dispatch[] } = { before: [], after: [] };
  private global: Dispatch[] = [];
  private addOut!: Dispatch;
  private resets: Dispatch[] = [];
  /** Per style layer: G_l += this tile's Gram. */
  private graphGramAdds: Dispatch[] = [];

  /**
   * `contentImage` and `image` are 3×H×W in network units; `styleTargets` the blended Gram targets
   * A_l (owned by the caller, read every step). The content targets' passes go through `submit`.
   */
  static async create(
    lib: KernelLibrary,
    vgg: FeaturesOnGpu,
    options: StyleTransferOptions,
    deepest: string,
    tile: number,
    image: Tensor,
    grad: Tensor,
    contentImage: Tensor,
    styleTargets: Map<string, Tensor>,
    submit: Submitter = unpaced(lib),
    temporal: TemporalTensors | null = null,
  ): Promise<TiledGatys> {
    const t = new TiledGatys(lib, options, deepest, tile, image, grad);
    try {
      await t.computeContentTargets(vgg, deepest, contentImage, submit);
      t.buildGraph(vgg, deepest, styleTargets, temporal);
    } catch (e) {
      t.dispose();
      throw e;
    }
    return t;
  }

  private constructor(
    readonly lib: KernelLibrary,
    readonly options: StyleTransferOptions,
    deepest: string,
    tile: number,
    readonly image: Tensor,
    readonly grad: Tensor,
  ) {
    const [, H, W] = image.shape;
    this.layout = planTiles(H, W, tile, deepest);
    this.scalars = this.own(lib.tensor([64], 'tiled.scalars'));
    this.partials = this.own(lib.tensor([REDUCE_PARTIALS], 'tiled.partials'));
  }

  /**
   * The content targets: the content image's owned features, tile by tile, read back into
   * full-size host maps (a forward-only graph, disposed before the optimisation graph is built:
   * one graph at a time).
   */
  private async computeContentTargets(vgg: FeaturesOnGpu, deepest: string, contentImage: Tensor, submit: Submitter): Promise<void> {
    const o = this.options, lib = this.lib;
    const [, H, W] = this.image.shape;
    const contentNames = o.contentLayers.map((l) => l.name);
    if (!contentNames.length) return;
    const cg = new TileGraph(lib, vgg, contentImage, this.layout, deepest, o.pooling, contentNames, [], false);
    try {
      const fulls = contentNames.map((name): HostMap => {
        const [C] = cg.masked.get(name)!.node.value.shape;
        const s = layerScale(name);
        const shape: [number, number, number] = [C, Math.floor(H / s), Math.floor(W / s)];
        const n = shape[0] * shape[1] * shape[2];
        try {
          return { data: new Float32Array(n), shape };
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          throw new Error(`the content target at ${name} (${shape.join('×')}: ${(n * 4 / 2 ** 30).toFixed(1)} GiB of host memory) could not be allocated: use a deeper content layer or a smaller size`);
        }
      });
      for (const t of this.layout.tiles) {
        cg.moveTo(t);
        await submit.run(cg.forward());
        for (const [i, name] of contentNames.entries()) {
          const node = cg.masked.get(name)!.node.value, s = layerScale(name);
          const [, h, w] = node.shape;
          copyRect(fulls[i], await lib.read(node), node.shape, t.y0 / s, t.x0 / s, ownedAt(t, s, h, w), true);
        }
      }
      contentNames.forEach((name, i) => {
        const [C, h, w] = cg.masked.get(name)!.node.value.shape;
        const window = this.own(lib.tensor([C, h, w], `content_target_window:${name}`));
        const masked = this.own(lib.tensor([C, h, w], `content_target_masked:${name}`));
        const none = { y0: 0, y1: 0, x0: 0, x1: 0 };
        this.contentTargets.push({ name, full: fulls[i], window, masked, scale: layerScale(name), mask: maskRect(lib, window, masked, none), staging: new Float32Array(C * h * w) });
      });
    } finally {
      cg.dispose();
      lib.memory.trim();
    }
  }

  /** The optimisation graph of one tile, the loss's terms (loss_builder.ts) on it and over the whole image, and the per-tile bookkeeping. */
  private buildGraph(vgg: FeaturesOnGpu, deepest: string, styleTargets: Map<string, Tensor>, temporal: TemporalTensors | null): void {
    const o = this.options, lib = this.lib, grad = this.grad;
    const contentNames = o.contentLayers.map((l) => l.name), styleNames = o.styleLayers.map((l) => l.name);
    const g = (this.graph = new TileGraph(lib, vgg, this.image, this.layout, deepest, o.pooling, contentNames, styleNames, true));
    Object.assign(this.slots, buildLoss(o, this.recorder(g, styleTargets), null, temporal));
    g.tape.finalize();
    if (!g.input.grad) throw new Error('tiled evaluation: no loss depends on the image');
    this.addOut = windowOp(lib, grad, g.input.grad, 0, 0, 'add');
    // content slots are summed over tiles: the tape's slots, added into ours after each tile's forward
    const n = o.contentLayers.length;
    this.perTile = {
      before: this.contentTargets.map((c) => c.mask),
      after: n ? [this.accumulateContent(n)] : [],
    };
  }

  /**
   * How the tiled run records the terms: content on the tile's tape against the masked target
   * window (summed over tiles: its slots come first, 0…n−1, in the tape's and ours); style on the
   * whole image, s·Σ(G_l − A_l)² of the global G_l and dL/dG_l (given to the tile's Gram nodes for
   * backward); TV on the whole image, its gradient (not accumulated) starting the image gradient;
   * the temporal term on the whole image, its gradient added (buildLoss records it after TV).
   */
  private recorder(g: TileGraph, styleTargets: Map<string, Tensor>): LossRecorder {
    const o = this.options, lib = this.lib, image = this.image, [, H, W] = image.shape;
    let nextSlot = o.contentLayers.length;
    return {
      shape: (layer) => {
        const s = layerScale(layer);
        return [g.masked.get(layer)!.node.value.shape[0], Math.floor(H / s), Math.floor(W / s)];
      },
      content: (layer, name, scale, weight) => {
        const i = this.contentTargets.findIndex((c) => c.name === layer);
        const slot = g.tape.squaredErrorLoss(g.masked.get(layer)!.node, this.contentTargets[i].masked, scale, name, weight);
        this.slotNames.push(name);
        return slot;
      },
      style: (t) => {
        if (t.mask) throw new Error('tiled runs take no style masks');
        const node = g.grams.get(t.layer)!;
        if (g.gramScales.get(t.layer) !== t.gramScale) throw new Error(`tiled evaluation: the Gram at ${t.layer} is normalised by 1/${1 / g.gramScales.get(t.layer)!}, the loss asks for 1/${1 / t.gramScale}`);
        const N = node.value.shape[0];
        const G = this.own(lib.tensor([N, N], `G:${t.layer}`)), dG = this.own(lib.tensor([N, N], `dG:${t.layer}`)), terms = this.own(lib.tensor([N, N], `style_terms:${t.layer}`));
        g.tape.externalGrad(node, dG);
        this.resets.push(fill(lib, G, 0));
        this.graphGramAdds.push(axpby(lib, 1, node.value, 1, G));
        const slot = nextSlot++;
        this.global.push(squaredError(lib, G, styleTargets.get(t.target)!, terms, dG, t.weight * t.scale), ...reduceSum(lib, { a: terms, out: this.scalars, outIndex: slot, scale: t.scale, partials: this.partials }, lib.planner.plan('reduce', { n: N * N })));
        this.slotNames.push(`style:${t.name}`);
        return slot;
      },
      tv: (weight) => {
        const tvTerms = this.own(lib.tensor([tvTermCount(image.shape)], 'tv.terms'));
        const slot = nextSlot++;
        this.slotNames.push('tv');
        this.resets.push(fill(lib, this.scalars, 0));
        this.global.push(tvLoss(lib, image, tvTerms, this.grad, weight, false), ...reduceSum(lib, { a: tvTerms, out: this.scalars, outIndex: slot, scale: 1, partials: this.partials }, lib.planner.plan('reduce', { n: numel(tvTerms.shape) })));
        return slot;
      },
      temporal: (t) => {
        const terms = this.own(lib.tensor(image.shape, 'temporal.terms'));
        const slot = nextSlot++;
        this.slotNames.push('temporal');
        this.global.push(temporalLoss(lib, image, t.warped, t.weights, terms, this.grad, t.factors, t.weight * t.scale, true), ...reduceSum(lib, { a: terms, out: this.scalars, outIndex: slot, scale: t.scale, partials: this.partials }, lib.planner.plan('reduce', { n: numel(terms.shape) })));
        return slot;
      },
    };
  }

  private accumulateContent(n: number): Dispatch {
    // scalars[0..n) += tape.scalars[0..n): the first n slots of both hold the content terms (the
    // window kernel in "add" mode on 1×1×64 maps; the tape's other slots are never written)
    const k = this.lib.kernel('tile/window');
    return k.bind({ full: this.scalars.buffer, window: this.graph.tape.scalars.buffer }, { C: 1, H: 1, W: 64, h: 1, w: n, y0: 0, x0: 0, mode: 1 }, [1, 1, 1]);
  }

  private own(t: Tensor): Tensor {
    this.owned.push(t);
    return t;
  }

  private moveTo(t: Tile): void {
    this.graph.moveTo(t);
    this.addOut.setParams(windowAt(this.grad, this.graph.input.grad!, t.y0, t.x0, 'add'));
    for (const c of this.contentTargets) {
      const [, h, w] = c.window.shape;
      copyRect(c.full, c.staging, c.window.shape, t.y0 / c.scale, t.x0 / c.scale, { y0: 0, y1: h, x0: 0, x1: w }, false);
      this.lib.write(c.window, c.staging); // ordered after the previous tile's submit, before this one's
      c.mask.setParams(maskAt(c.window, ownedAt(t, c.scale, h, w)));
    }
  }

  /** Losses into `scalars` and dTotal/dImage into `grad` (submits 2 × tiles + 2 command buffers, through `submit`). */
  async evaluate(submit: Submitter = unpaced(this.lib)): Promise<void> {
    const lib = this.lib, g = this.graph;
    lib.run(this.resets);
    for (const t of this.layout.tiles) {
      this.moveTo(t);
      await submit.run([...this.perTile.before, ...g.forward(), ...this.perTile.after, ...this.graphGramAdds]);
    }
    lib.run(this.global);
    for (const t of this.layout.tiles) {
      this.moveTo(t);
      await submit.run([...this.perTile.before, ...g.forward(), ...g.tape.backward(), this.addOut]);
    }
  }

  dispose(): void {
    for (const d of [...this.global, ...this.resets, ...this.graphGramAdds, ...(this.addOut ? [this.addOut] : []), ...this.perTile.after]) d.destroy();
    for (const c of this.contentTargets) c.mask.destroy();
    this.graph?.dispose();
    this.lib.release(...this.owned);
    this.owned = [];
  }
}
