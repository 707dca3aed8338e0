/** What each reconstruction (Gatys et al., Fig. 1) matches, and its defaults; no GPU code, so the CLI can import it. */
import type { PoolKind } from '../kernels/pool/pool.js';
import { RECONSTRUCTION_DEFAULTS } from '../nst/defaults.js';
import type { StyleTransferOptions } from '../nst/options.js';
import { layerIndex, networkSpec, type NetworkId } from '../model/networks.js';

export type ReconstructionMode = 'content' | 'style';

export const CONTENT_RECONSTRUCTION_LAYERS = ['conv1_2', 'conv2_2', 'conv3_2', 'conv4_2', 'conv5_2'];
export const STYLE_RECONSTRUCTION_LAYERS = ['conv1_1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv5_1'];
/** SqueezeNet 1.1's counterparts: one layer per resolution step and the deepest Fire modules. */
export const SQUEEZENET_RECONSTRUCTION_LAYERS = { content: ['conv1', 'fire2', 'fire3', 'fire5', 'fire9'], style: ['conv1', 'fire3', 'fire5', 'fire7', 'fire9'] };

/** The layers a reconstruction uses unless told otherwise. */
export function defaultReconstructionLayers(mode: ReconstructionMode, network: NetworkId = 'vgg19'): string[] {
  if (network === 'squeezenet') return SQUEEZENET_RECONSTRUCTION_LAYERS[mode];
  return mode === 'content' ? CONTENT_RECONSTRUCTION_LAYERS : STYLE_RECONSTRUCTION_LAYERS;
}

export interface ReconstructionSettings {
  /** The feature network (default vgg19); `layers` are its layer names. */
  network?: NetworkId;
  iterations: number;
  lr: number;
  optimizer: 'adam' | 'lbfgs';
  /** Unset: the network's recommendation (avg for the seeded random default), else max. */
  pooling?: PoolKind;
  /** Seed of the white-noise start. */
  seed: number;
  /** Unset: the network's recommendation for the mode (a small prior for the random default), else 0. */
  tvWeight?: number;
  /** Content mode: one reconstruction per layer; style mode: per growing prefix of these. */
  layers: string[];
  /** GPU memory budget in bytes (tiles where a reconstruction would need more; see runJob). */
  maxGpuMemory?: number;
  /** Force tiles of this many pixels. */
  tile?: number;
}

/** Steps, rate, optimiser and seed where none are given (src/nst/defaults.ts). */
export const DEFAULT_RECONSTRUCTION: Omit<ReconstructionSettings, 'layers'> = { ...RECONSTRUCTION_DEFAULTS };

export interface ReconstructionTarget {
  label: string;
  options: Partial<StyleTransferOptions>;
}

/** What each reconstruction matches, and its label. */
export function reconstructionTargets(mode: ReconstructionMode, s: ReconstructionSettings): ReconstructionTarget[] {
  if (mode !== 'content' && mode !== 'style') throw new Error(`mode must be content or style, got "${mode}"`);
  if (s.layers.length === 0) throw new Error('no layers to reconstruct from');
  const spec = networkSpec(s.network ?? 'vgg19');
  for (const name of s.layers) layerIndex(spec, name); // throws for unknown names
  const base: Partial<StyleTransferOptions> = {
    network: spec.id,
    init: 'noise',
    seed: s.seed,
    lr: s.lr,
    optimizer: s.optimizer,
    pooling: s.pooling,
    iterations: s.iterations,
    tvWeight: s.tvWeight,
  };
  if (mode === 'content') {
    return s.layers.map((name) => ({
      label: name,
      options: { ...base, contentLayers: [{ name, weight: 1 }], styleLayers: [], contentWeight: 1, styleWeight: 0 },
    }));
  }
  return s.layers.map((_, i) => ({
    label: i === 0 ? s.layers[0] : `${s.layers[0]}..${s.layers[i]}`,
    options: { ...base, contentLayers: [], styleLayers: s.layers.slice(0, i + 1).map((name) => ({ name, weight: 1 })), contentWeight: 0, styleWeight: 1 },
  }));
}
