/**
 * The settings a network's seeded random weights run with where the user set nothing (the random
 * networks bring their own: docs/offline-default.md); loaded weights run with the network's own.
 */
/**
 * VGG19 weights on the CPU side: the network's conv layers (NetworkWeights), the checks every loader
 * shares (assembleLayers, checkFinite, WeightsError), the settings a network recommends, and the
 * embedded default, a seeded random VGG19. Reading and writing files is in src/io/ (our raw
 * format: src/io/raw_weights.ts).
 */
import type { StyleTransferOptions } from './options.js';
import type { NetworkId } from '../model/networks.js';
import type { NetworkWeights } from '../model/weights.js';

/** Per use: style transfer, content reconstructions, style reconstructions (texture synthesis). */
export interface NetworkDefaults {
  stylize: Partial<StyleTransferOptions>;
  content: Partial<StyleTransferOptions>;
  style: Partial<StyleTransferOptions>;
}

/**
 * What the seeded random VGG19 needs to look like style transfer rather than colour noise
 * (measured in docs/offline-default.md): average pooling, which passes the image's low
 * frequencies on to the deep layers that max pooling scrambles; a small total-variation prior,
 * which removes the high-frequency noise the random deep layers leave unconstrained; and a style
 * weight 100× the pretrained one, since random features weigh content and style differently.
 */
export const RANDOM_NETWORK_DEFAULTS: NetworkDefaults = {
  stylize: { pooling: 'avg', styleWeight: 1e6, tvWeight: 0.1 },
  content: { pooling: 'avg', tvWeight: 0.005 },
  // style reconstructions weigh the style loss with β = 1: this is 0.0005 relative to β = 1e4
  style: { pooling: 'avg', tvWeight: 5e-8 },
};

/**
 * What the seeded random SqueezeNet runs with: its layers and weights are SqueezeNet's defaults
 * (options.ts); only the TV prior is raised, as for VGG19, against the unconstrained
 * high-frequency noise of random features.
 */
export const RANDOM_SQUEEZENET_DEFAULTS: NetworkDefaults = {
  stylize: { tvWeight: 0.1 },
  content: { tvWeight: 0.005 },
  style: { tvWeight: 5e-8 },
};

const RANDOM_DEFAULTS: Record<NetworkId, NetworkDefaults> = { vgg19: RANDOM_NETWORK_DEFAULTS, squeezenet: RANDOM_SQUEEZENET_DEFAULTS };

/** The network's recommended settings under the user's (the user's win; undefined means not set). */
export function withNetworkDefaults(options: Partial<StyleTransferOptions>, weights: NetworkWeights, use: keyof NetworkDefaults): Partial<StyleTransferOptions> {
  const set = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...(weights.random ? RANDOM_DEFAULTS[weights.network][use] : {}), ...set };
}
