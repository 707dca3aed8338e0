/** Options of a Gatys style transfer run, their defaults and validation (clear errors for bad values). */
import type { PoolKind } from '../kernels/pool.js';
import { convSpec, deepestLayer, VGG19_CONVS } from './vgg19_spec.js';

export interface LayerWeight {
  name: string;
  weight: number;
}

export interface StyleTransferOptions {
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
  /** Keep the content image's colours: only the luminance of the result is kept (YIQ). */
  originalColors: boolean;
}

export const DEFAULT_OPTIONS: StyleTransferOptions = {
  contentLayers: [{ name: 'conv4_2', weight: 1 }],
  styleLayers: ['conv1_1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv5_1'].map((name) => ({ name, weight: 1 })),
  contentWeight: 1,
  styleWeight: 1e4,
  tvWeight: 1,
  init: 'content',
  seed: 1,
  pooling: 'max',
  optimizer: 'adam',
  lr: 0.05,
  iterations: 200,
  originalColors: false,
};

/** Options objects resolveOptions made (and so checked): passing one again costs nothing. */
const resolved = new WeakSet<object>();

/**
 * Defaults filled in and every value checked (clear errors). Jobs call it once at their boundary;
 * the engine calls it again only for options it has not seen resolved.
 */
export function resolveOptions(partial: Partial<StyleTransferOptions> = {}): StyleTransferOptions {
  if (resolved.has(partial)) return partial as StyleTransferOptions;
  const o: StyleTransferOptions = { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  const bad = (what: string) => {
    throw new Error(`invalid option: ${what}`);
  };
  for (const [k, v] of [['contentWeight', o.contentWeight], ['styleWeight', o.styleWeight], ['tvWeight', o.tvWeight]] as const) {
    if (!Number.isFinite(v) || v < 0) bad(`${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (!Number.isFinite(o.lr) || o.lr <= 0 || o.lr > 1e3) bad(`lr must be in (0, 1000], got ${o.lr}`);
  if (!Number.isInteger(o.iterations) || o.iterations < 0 || o.iterations > 100000) bad(`iterations must be an integer in [0, 100000], got ${o.iterations}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) bad(`seed must be a non-negative integer, got ${o.seed}`);
  if (!['noise', 'content', 'style'].includes(o.init)) bad(`init must be noise, content or style, got ${o.init}`);
  if (!['max', 'avg'].includes(o.pooling)) bad(`pooling must be max or avg, got ${o.pooling}`);
  if (!['adam', 'lbfgs'].includes(o.optimizer)) bad(`optimizer must be adam or lbfgs, got ${o.optimizer}`);
  for (const l of [...o.contentLayers, ...o.styleLayers]) {
    convSpec(l.name); // throws for unknown names
    if (!Number.isFinite(l.weight) || l.weight < 0) bad(`layer weight for ${l.name} must be ≥ 0, got ${l.weight}`);
  }
  if (typeof o.originalColors !== 'boolean') bad(`originalColors must be true or false, got ${o.originalColors}`);
  if (o.contentLayers.length + o.styleLayers.length === 0) bad('no content or style layers');
  resolved.add(o);
  return o;
}

/** "conv4_2" or "conv1_1:0.5,conv2_1:1" → layer list. */
export function parseLayerList(text: string): LayerWeight[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const [name, w] = part.trim().split(':');
    convSpec(name);
    const weight = w === undefined ? 1 : Number(w);
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`invalid option: layer weight "${w}" for ${name}`);
    return { name, weight };
  });
}

/** Smallest image side for which every pooling before `deepest` still has a 2×2 map. */
export function minImageSide(deepest: string): number {
  const i = VGG19_CONVS.findIndex((c) => c.name === deepest);
  const pools = VGG19_CONVS.slice(0, i).filter((c) => c.poolAfter).length;
  return 2 ** pools;
}

/** The deepest layer a job's options need (default layers included; other options are not checked here). */
export function jobDeepestLayer(options: Partial<StyleTransferOptions>): string {
  const layers = [...(options.contentLayers ?? DEFAULT_OPTIONS.contentLayers), ...(options.styleLayers ?? DEFAULT_OPTIONS.styleLayers)];
  if (layers.length === 0) throw new Error('invalid option: no content or style layers');
  return deepestLayer(layers.map((l) => l.name));
}
