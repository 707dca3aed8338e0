/** Options of a Gatys style transfer run, their defaults and validation (clear errors for bad values). */
import type { PoolKind } from '../kernels/pool/pool.js';
import { deepestOf, layerIndex, networkSpec, NETWORK_IDS, type NetworkId } from '../model/networks.js';
import { jobDefaults, networkDefaults, type DefaultsContext } from './defaults.js';

/** How originalColors keeps the content's colours. */
export type ColourMode = 'luminance' | 'histogram';
export const COLOUR_MODES: readonly ColourMode[] = ['luminance', 'histogram'];

export interface LayerWeight {
  name: string;
  weight: number;
}

export interface StyleTransferOptions {
  /** The feature network (its weights must be that network's; layer names are its layers). */
  network: NetworkId;
  /** Content layers with weights (default conv4_2). */
  contentLayers: LayerWeight[];
  /** Style layers with weights w_l (default conv1_1..conv5_1, equal). */
  styleLayers: LayerWeight[];
  /** alpha */
  contentWeight: number;
  /** beta */
  styleWeight: number;
  tvWeight: number;
  init: 'noise' | 'content' | 'style';
  seed: number;
  pooling: PoolKind;
  optimizer: 'adam' | 'lbfgs';
  /** Adam learning rate (in network input units), or the L-BFGS step scale. */
  lr: number;
  iterations: number;
  /**
   * Keep the content image's colours (Gatys et al. 2017, §5): 'luminance' transfers only the
   * result's luminance onto the content's colours (YIQ); 'histogram' first recolours each style
   * image to the content's colour mean and covariance (colour_match.ts). true means 'luminance';
   * resolved options hold false, 'luminance' or 'histogram'.
   */
  originalColors: boolean | ColourMode;
  /**
   * One-pixel jitter: before each Adam step the image is shifted by (dx, dy) ∈ {0,1}² (a seeded
   * sequence) and the content targets by the same shift, so a stride-2 first layer (SqueezeNet's
   * conv1) sees every pixel phase and cannot leave a fine 2-px grid unconstrained. The shift is
   * undone after the steps of each run() call. Untiled Adam runs only (ignored with L-BFGS, whose
   * line of steps needs one fixed objective, and in tiled runs). Experimental and off by default:
   * the shift is a roll of the flat buffer, whose wrap leaves a faint seam along the image's
   * bottom row and right column, and with SqueezeNet's real weights it did not visibly help
   * (docs/squeezenet-defaults.md).
   */
  jitter: boolean;
  /**
   * How Adam keeps its two moments: 'float32' (8 bytes per image value), 'bfloat16' (both in one
   * 4-byte word, stochastically rounded: shaders/optim/adam_bf16.wgsl), or 'auto': bfloat16 where
   * memory limits the run (a budget or tiles: the planner is lean), else float32.
   */
  adamMoments: AdamMoments;
}

export type AdamMoments = 'auto' | 'float32' | 'bfloat16';
export const ADAM_MOMENTS: readonly AdamMoments[] = ['auto', 'float32', 'bfloat16'];

/** Whether Adam's moments are kept in bfloat16 for options `o` with the planner's lean setting. */
export const bf16Moments = (o: Pick<StyleTransferOptions, 'optimizer' | 'adamMoments'>, lean: boolean) =>
  o.optimizer === 'adam' && (o.adamMoments === 'bfloat16' || (o.adamMoments === 'auto' && lean));

/** Options objects resolveOptions made (and so checked): passing one again costs nothing. */
const resolved = new WeakSet<object>();

/**
 * Defaults filled in (jobDefaults, defaults.ts: the network's, the use's, the seeded random
 * network's, the optimiser's step) and every value checked (clear errors). Jobs call it once at
 * their boundary (prepareJob) and pass the result down; the engine calls it again only for options
 * it has not seen resolved (a library caller's partial options), where it costs nothing otherwise.
 */
export function resolveOptions(partial: Partial<StyleTransferOptions> = {}, ctx: DefaultsContext = {}): StyleTransferOptions {
  if (resolved.has(partial)) return partial as StyleTransferOptions;
  const bad = (what: string) => {
    throw new Error(`invalid option: ${what}`);
  };
  const network = partial.network ?? 'vgg19';
  if (!NETWORK_IDS.includes(network)) bad(`network must be ${NETWORK_IDS.join(' or ')}, got ${network}`);
  const o = jobDefaults(partial, ctx);
  const spec = networkSpec(network);
  for (const [k, v] of [['contentWeight', o.contentWeight], ['styleWeight', o.styleWeight], ['tvWeight', o.tvWeight]] as const) {
    if (!Number.isFinite(v) || v < 0) bad(`${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (!Number.isFinite(o.lr) || o.lr <= 0 || o.lr > 1e3) bad(`lr must be in (0, 1000], got ${o.lr}`);
  if (!Number.isInteger(o.iterations) || o.iterations < 0 || o.iterations > 100000) bad(`iterations must be an integer in [0, 100000], got ${o.iterations}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) bad(`seed must be a non-negative integer, got ${o.seed}`);
  if (!['noise', 'content', 'style'].includes(o.init)) bad(`init must be noise, content or style, got ${o.init}`);
  if (!['max', 'avg'].includes(o.pooling)) bad(`pooling must be max or avg, got ${o.pooling}`);
  if (network === 'squeezenet' && o.pooling !== 'max') bad('pooling: SqueezeNet pools with 3×3 max windows only (avg pooling is for VGG19)');
  if (!['adam', 'lbfgs'].includes(o.optimizer)) bad(`optimizer must be adam or lbfgs, got ${o.optimizer}`);
  for (const l of [...o.contentLayers, ...o.styleLayers]) {
    layerIndex(spec, l.name); // throws for unknown names
    if (!Number.isFinite(l.weight) || l.weight < 0) bad(`layer weight for ${l.name} must be ≥ 0, got ${l.weight}`);
  }
  if (o.originalColors === true) o.originalColors = 'luminance';
  if (o.originalColors !== false && !COLOUR_MODES.includes(o.originalColors)) bad(`originalColors must be false, true, ${COLOUR_MODES.join(' or ')}, got ${o.originalColors}`);
  if (typeof o.jitter !== 'boolean') bad(`jitter must be true or false, got ${o.jitter}`);
  if (!ADAM_MOMENTS.includes(o.adamMoments)) bad(`adamMoments must be ${ADAM_MOMENTS.join(', ')}, got ${o.adamMoments}`);
  if (o.contentLayers.length + o.styleLayers.length === 0) bad('no content or style layers');
  resolved.add(o);
  return o;
}

/** Resolved options `o` with `iterations` steps (a scale of a job; the steps were checked by its schedule). */
export function withIterations(o: StyleTransferOptions, iterations: number): StyleTransferOptions {
  if (!resolved.has(o)) throw new Error('withIterations: the options are not resolved');
  if (iterations === o.iterations) return o;
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 100000) throw new Error(`invalid option: iterations must be an integer in [0, 100000], got ${iterations}`);
  const copy = { ...o, iterations };
  resolved.add(copy);
  return copy;
}

/** "conv4_2" or "conv1_1:0.5,conv2_1:1" → layer list (names checked against the network's). */
export function parseLayerList(text: string, network: NetworkId = 'vgg19'): LayerWeight[] {
  if (text.trim() === '') return [];
  const spec = networkSpec(network);
  return text.split(',').map((part) => {
    const [name, w] = part.trim().split(':');
    layerIndex(spec, name);
    const weight = w === undefined ? 1 : Number(w);
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`invalid option: layer weight "${w}" for ${name}`);
    return { name, weight };
  });
}

/** Smallest image side for which every map up to `deepest` is defined (VGG19: each 2×2 pool has a 2×2 map). */
export function minImageSide(deepest: string, network: NetworkId = 'vgg19'): number {
  return networkSpec(network).minImageSide(deepest);
}

/** The deepest layer a job's options need (the network's default layers included; other options are not checked here). */
export function jobDeepestLayer(options: Partial<StyleTransferOptions>): string {
  const d = networkDefaults(options.network ?? 'vgg19');
  const layers = [...(options.contentLayers ?? d.contentLayers), ...(options.styleLayers ?? d.styleLayers)];
  if (layers.length === 0) throw new Error('invalid option: no content or style layers');
  return deepestOf(networkSpec(options.network ?? 'vgg19'), layers.map((l) => l.name));
}
