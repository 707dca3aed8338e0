/**
 * GPU memory of a style-transfer run, untiled or tiled, counted from the network's shapes before
 * any work (upper bounds: every buffer the run allocates, resident or in the tile graph), and the
 * tile size that fits a budget. The run's measured peak (GpuMemory) is reported next to it.
 */
import { ceil16, ceil8, winogradPlanes, winogradTileOf, type WinogradTile } from '../kernels/conv/geometry.js';
import { type Planner } from '../kernels/plan.js';
import { tvTermCount } from '../kernels/loss/tv_terms.js';
import { bf16Moments, type StyleTransferOptions } from './options.js';
import { layerScale, convsUpTo, convSpec } from '../model/vgg19_spec.js';
import { planTiles } from './tiles.js';

const F = 4; // bytes per float

/**
 * Bytes of the VGG weights a run keeps — per layer and direction the one form its planned version
 * reads (Winograd's transformed filters, or the repacked weights: weights.ts makes only those) and
 * the biases — and of what making a form needs for a moment: the largest layer's OIHW upload and a
 * repacked copy. The forms are made before the graph's buffers (VggOnGpu.makeForms), so the
 * moment's bytes count against the graph's, not on top of them.
 */
/** Per conv layer and direction, the Winograd tile side its planned version runs (null: a direct version). */
type WinogradUse = Map<string, { forward: WinogradTile | null; backward: WinogradTile | null }>;

function weightBytes(deepest: string, winograd: WinogradUse): { kept: number; making: number } {
  let b = 0, making = 0;
  for (const c of convsUpTo(deepest)) {
    const [C, O] = [c.inChannels, c.outChannels];
    const w = winograd.get(c.name);
    const fw = w?.forward, bw = w?.backward;
    b += (fw ? winogradPlanes(fw) * C * ceil16(O) : 9 * C * ceil8(O)) + (bw ? winogradPlanes(bw) * O * ceil16(C) : 9 * O * ceil8(C)) + O;
    making = Math.max(making, 9 * C * O + 9 * Math.max(C * ceil8(O), O * ceil8(C)));
  }
  return { kept: b * F, making: making * F };
}

/**
 * Bytes of one graph over an h×w input with the tape's buffers: every activation (conv outputs,
 * pools), masks and loss terms at the loss layers, Gram nodes, gradients, and conv scratch. The
 * tape recycles gradients by size, and a block's maps share one size: at most three of each
 * block's (one more per loss layer, counted with its terms), each pool's output gradient, and a
 * partial gradient of the input.
 */
/**
 * The tape's shared scratch buffers (tape_core.ts sharedScratch): one per use, replaced by a larger
 * one when an op needs more, the smaller kept by the ops bound to it. Fed the requests in the order
 * the graph makes them, it counts what they add up to.
 */
function scratchGrowth() {
  const current = new Map<string, number>();
  let floats = 0;
  return {
    request(use: string, n: number | undefined) {
      if (!n || n <= (current.get(use) ?? 0)) return;
      current.set(use, n);
      floats += n;
    },
    get floats() {
      return floats;
    },
  };
}

function graphBytes(h: number, w: number, o: StyleTransferOptions, deepest: string, planner: Planner, masked: boolean): { bytes: number; winograd: WinogradUse } {
  // tiled: the window and its gradient; untiled: the image's gradient and TV's partial sums
  let floats = 3 * h * w + (masked ? 3 * h * w : tvTermCount([3, h, w]));
  const blockMaps = new Map<number, number>(); // downsampling → its largest map, floats
  let poolGrads = 0;
  const scratch = scratchGrowth();
  const winograd: WinogradUse = new Map();
  let s = 1;
  const specs = convsUpTo(deepest);
  for (const c of specs) {
    const [hh, ww] = [Math.floor(h / s), Math.floor(w / s)];
    const out = c.outChannels * hh * ww;
    floats += out;
    blockMaps.set(s, Math.max(blockMaps.get(s) ?? 0, out));
    const fw = planner.plan('conv_forward', { R: c.inChannels, N: c.outChannels, K: 3, H: hh, W: ww });
    const bw = planner.plan('conv_backward_input', { R: c.outChannels, N: c.inChannels, K: 3, H: hh, W: ww });
    // one request per use for both directions (tape.ts plannedConv)
    for (const use of ['slices', 'winogradData', 'winogradProducts'] as const) scratch.request(use, Math.max(fw.scratch[use] ?? 0, bw.scratch[use] ?? 0));
    winograd.set(c.name, { forward: winogradTileOf(fw.version), backward: winogradTileOf(bw.version) });
    if (c.poolAfter && c.name !== deepest) {
      const pooled = c.outChannels * Math.floor(hh / 2) * Math.floor(ww / 2);
      floats += pooled;
      poolGrads += pooled;
      s *= 2;
    }
  }
  const layerSize = (name: string) => convSpec(name).outChannels * Math.floor(h / layerScale(name)) * Math.floor(w / layerScale(name));
  for (const l of o.contentLayers) floats += (masked ? 5 : 3) * layerSize(l.name); // mask, terms, its gradient (+ target window and its mask)
  for (const l of o.styleLayers) {
    const C = convSpec(l.name).outChannels;
    scratch.request('slices', planner.plan('gram_forward', { C, M: layerSize(l.name) / C }).scratch.slices);
    floats += (masked ? 2 : 1) * layerSize(l.name) + 3 * C * C; // mask and its gradient; the Gram, its gradient and its loss terms
  }
  floats += 3 * [...blockMaps.values()].reduce((a, b) => a + b, 0) + poolGrads + 3 * h * w + scratch.floats;
  return { bytes: floats * F, winograd };
}

export interface MemoryEstimate {
  /** Everything but the graph: image-size buffers, optimizer state, targets, weights. */
  resident: number;
  /** The optimisation graph (the whole image's, or one tile's). */
  graph: number;
  total: number;
}

/** Upper bound of a run's GPU bytes at H×W, untiled (tile undefined) or with owned tiles of `tile` px. */
export function estimateRunBytes(height: number, width: number, o: StyleTransferOptions, deepest: string, planner: Planner, tile?: number): MemoryEstimate {
  const HW = height * width;
  const layout = tile ? planTiles(height, width, tile, deepest) : null;
  const g = layout ? graphBytes(layout.windowH, layout.windowW, o, deepest, planner, true) : graphBytes(height, width, o, deepest, planner, false);
  // Adam: m and v, or both in one bfloat16 word where memory limits the run (a lean planner); L-BFGS: its history
  const optimizer = o.optimizer === 'adam' ? (bf16Moments(o, planner.lean) ? 1 : 2) : 24;
  // image-size buffers: the image, the optimizer state, and when tiled its gradient and TV's
  // partial sums (untiled, those belong to the graph, whose count includes them)
  let floats = (1 + optimizer + (layout ? 1 : 0)) * 3 * HW + (layout ? tvTermCount([3, height, width]) : 0);
  floats += (o.originalColors === 'luminance' ? 3 : 1) * HW; // RGBA pixel buffers, one float each: the output (and with luminance colours, the content's and the recoloured one)
  for (const l of o.styleLayers) floats += (layout ? 4 : 1) * convSpec(l.name).outChannels ** 2; // A (+ G, dG, terms when tiled)
  // full-size content targets: on the GPU untiled; tiled runs hold them in host memory (tiled.ts)
  if (!layout) for (const l of o.contentLayers) floats += convSpec(l.name).outChannels * Math.floor(height / layerScale(l.name)) * Math.floor(width / layerScale(l.name));
  const weights = weightBytes(deepest, g.winograd);
  const resident = floats * F + weights.kept;
  const graph = Math.max(g.bytes, weights.making);
  return { resident, graph, total: resident + graph };
}

/** Parse "1GB", "512MB", "1.5 GiB", "800000000B" into bytes (a unit is required); clear errors for anything else. */
export function parseBytes(text: string, what = '--max-gpu-memory'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)\s*$/i.exec(text);
  if (!m) throw new Error(`${what} must be a size with a unit, such as 1GB, 512MB or 1.5GiB (MB = 10⁶ bytes, MiB = 2²⁰), got "${text}"`);
  const unit = m[2].toLowerCase();
  const mult: Record<string, number> = { b: 1, kb: 1e3, kib: 2 ** 10, mb: 1e6, mib: 2 ** 20, gb: 1e9, gib: 2 ** 30 };
  const bytes = Math.round(Number(m[1]) * mult[unit]);
  if (!(bytes > 0)) throw new Error(`${what} must be more than 0, got "${text}"`);
  return bytes;
}

/** A budget that covers `bytes`, rounded up so it can be typed back: "8.4 MiB (9 MB)". */
export const minimumBudget = (bytes: number) => `${(Math.ceil((bytes / 2 ** 20) * 10) / 10).toFixed(1)} MiB (${Math.ceil(bytes / 1e6)} MB)`;

export const formatBytes = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(b >= 100 * 2 ** 20 ? 0 : 1)} MiB`);

/**
 * The largest tile (a multiple of the deepest layer's downsampling) whose run fits `budget` bytes
 * and whose window's largest buffer fits `maxBinding`; throws, naming the smallest workable
 * budget, when even the smallest tile does not fit.
 */
export function tileForBudget(height: number, width: number, o: StyleTransferOptions, deepest: string, planner: Planner, budget: number, maxBinding: number): { tile: number; estimate: MemoryEstimate } {
  const align = layerScale(deepest);
  const fitsBinding = (tile: number) => {
    const l = planTiles(height, width, tile, deepest);
    return 64 * l.windowH * l.windowW * F <= maxBinding;
  };
  let best: { tile: number; estimate: MemoryEstimate } | null = null;
  const longest = Math.max(height, width);
  for (let tile = align; tile <= longest + align; tile += align) {
    if (!fitsBinding(tile)) break;
    const estimate = estimateRunBytes(height, width, o, deepest, planner, tile);
    if (estimate.total > budget) break; // larger tiles need more
    best = { tile, estimate };
  }
  if (!best) {
    const smallest = estimateRunBytes(height, width, o, deepest, planner, align).total;
    throw new Error(
      `a GPU memory budget of ${formatBytes(budget)} is too small for ${width}×${height}: the smallest tiles (${align} px) need about ${formatBytes(smallest)} ` +
        `(the image, its gradient and optimizer state, the targets and the weights stay resident); raise the budget to at least ${minimumBudget(smallest)}, or choose a smaller size or shallower layers`,
    );
  }
  return best;
}
