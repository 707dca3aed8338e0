/**
 * Every default of the engine, per network, in one place: the loss and optimiser settings of each
 * network (VGG19's are the paper's; SqueezeNet's were tuned for its ImageNet weights), what the
 * seeded random weights run with instead, the L-BFGS step, and the sizes and steps of each tool and
 * of the page. jobDefaults fills a job's options from it for every caller (the CLI, the page, the
 * library: resolveOptions checks the result). The CLI's help is made from it; the page's fields
 * follow it; README.md's defaults table and all three are checked against it by tests
 * (test/defaults.test.ts, test/demo.test.ts).
 */
import type { NetworkId } from '../model/networks.js';
import type { NetworkWeights } from '../model/weights.js';
import type { StyleTransferOptions } from './options.js';

export const DEFAULT_OPTIONS: StyleTransferOptions = {
  network: 'vgg19',
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
  jitter: false,
  adamMoments: 'auto',
};

/**
 * SqueezeNet's defaults where they differ from VGG19's, tuned for the real (ImageNet-pretrained,
 * DeepScale) weights on four content/style pairs at 96–256 px (docs/squeezenet-defaults.md):
 * content at fire2, style at conv1, fire2, fire3, fire4, fire5 with layer weights that give each
 * layer about the same share of the initial style loss (conv1's Gram differences are ~20× smaller
 * than the Fire modules'), α = 1, β = 1000, Adam lr 0.1, 100 steps. The TV weight barely acts at
 * these activation sizes (the losses are ~1e8, TV ~1e4): 1, as VGG19's. The one-pixel jitter
 * stays off: with these weights the results carry no more 2-px energy than the paintings
 * themselves, and jitter doubled the loss after 100 steps without a visible gain.
 *
 * CS231n's settings (content fire2, style conv1:300000, fire3:1000, fire4:15, fire5:3, which we
 * used before; in our loss α = 2·cw = 0.12 since its content term cw·Σ(F−P)² is our ½Σ, and
 * β = 4 since its Gram is normalised by C·H·W where ours is by H·W) were made for torchvision's
 * SqueezeNet; with these weights conv1 takes ~90% of that style loss (a fine-texture transfer)
 * and content is weighed ~8× less than here.
 */
export const SQUEEZENET_OPTIONS: Partial<StyleTransferOptions> = {
  contentLayers: [{ name: 'fire2', weight: 1 }],
  styleLayers: [
    { name: 'conv1', weight: 20 },
    { name: 'fire2', weight: 2 },
    { name: 'fire3', weight: 1 },
    { name: 'fire4', weight: 0.5 },
    { name: 'fire5', weight: 1 },
  ],
  contentWeight: 1,
  styleWeight: 1000,
  tvWeight: 1,
  lr: 0.1,
  iterations: 100,
  jitter: false,
};

/** The defaults of a network's options (VGG19's, with SqueezeNet's differences on top). */
export function networkDefaults(network: NetworkId): StyleTransferOptions {
  return { ...DEFAULT_OPTIONS, ...(network === 'squeezenet' ? SQUEEZENET_OPTIONS : {}), network };
}

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
 * (above); only the TV prior is raised, as for VGG19, against the unconstrained
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
  return { ...(weights.random ? RANDOM_DEFAULTS[weights.network][use] : {}), ...setOnly(options) };
}

/** The L-BFGS step where none is given (Adam's learning rate is the network's `lr`). */
export const LBFGS_LR = 1;

/** The step where none is given: the network's Adam learning rate, or LBFGS_LR for L-BFGS. */
export const defaultLr = (network: NetworkId, optimizer: StyleTransferOptions['optimizer']): number => (optimizer === 'lbfgs' ? LBFGS_LR : networkDefaults(network).lr);

/** What a job's defaults depend on besides its options: seeded random weights (their own settings) and the use. */
export interface DefaultsContext {
  /** The job runs seeded random weights (NetworkWeights.random). */
  random?: boolean;
  /** Default 'stylize'. */
  use?: keyof NetworkDefaults;
}

/** Reconstructions (Gatys et al., Fig. 1) have no TV prior unless asked or recommended (the random networks'). */
const USE_DEFAULTS: Record<keyof NetworkDefaults, Partial<StyleTransferOptions>> = { stylize: {}, content: { tvWeight: 0 }, style: { tvWeight: 0 } };

const setOnly = (o: Partial<StyleTransferOptions>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<StyleTransferOptions>;

/**
 * A job's options with every default filled in, the same for every caller: the network's
 * (networkDefaults), the use's, the seeded random network's, then what the caller set (undefined
 * means not set); without a step, the optimiser's (defaultLr). Not checked: resolveOptions
 * (options.ts) calls this and checks the values.
 */
export function jobDefaults(partial: Partial<StyleTransferOptions>, ctx: DefaultsContext = {}): StyleTransferOptions {
  const set = setOnly(partial);
  const network = set.network ?? DEFAULT_OPTIONS.network;
  const use = ctx.use ?? 'stylize';
  const o = { ...networkDefaults(network), ...USE_DEFAULTS[use], ...(ctx.random ? RANDOM_DEFAULTS[network]?.[use] : {}), ...set };
  if (set.lr === undefined) o.lr = defaultLr(network, o.optimizer);
  return o;
}

/** The CLI tools' output size (longer side, pixels) where --size is not given. */
export const TOOL_SIZES = { stylize: 256, gradient: 64, reconstruct: 64 } as const;

/** The CLI's other job settings where their flags are not given (scales: coarse to fine by src/job/schedule.ts). */
export const JOB_DEFAULTS = { styleScale: 1, scales: 'auto', weightsSeed: 1 } as const;

/** Reconstructions (CLI and page): steps per image, Adam's rate, optimiser, noise seed. */
export const RECONSTRUCTION_DEFAULTS = { iterations: 200, lr: 0.1, optimizer: 'adam', seed: 1 } as const;

/** A reconstruction's step where none is given: RECONSTRUCTION_DEFAULTS.lr for Adam, LBFGS_LR for L-BFGS. */
export const reconstructionLr = (optimizer: StyleTransferOptions['optimizer']): number => (optimizer === 'lbfgs' ? LBFGS_LR : RECONSTRUCTION_DEFAULTS.lr);

/**
 * The page's size and steps by adapter. On a GPU: 512 px with the network's steps, coarse to fine
 * (the page's scales default to auto: the steps are the coarsest scale's, src/job/schedule.ts);
 * on a CPU (software) adapter smaller, at one scale, to finish in about a minute (a SqueezeNet
 * step costs about a tenth of a VGG19 one).
 */
export const PAGE_RUN_DEFAULTS: Record<'hardware' | 'software', Record<NetworkId, { size: number; iters: number }>> = {
  hardware: { vgg19: { size: 512, iters: 200 }, squeezenet: { size: 512, iters: 100 } },
  software: { vgg19: { size: 64, iters: 40 }, squeezenet: { size: 128, iters: 100 } },
};

/** The page's reconstructions (size, steps per image) by adapter: the CLI's on a GPU, fewer on a CPU. */
export const PAGE_RECONSTRUCTION_DEFAULTS: Record<'hardware' | 'software', { size: number; iters: number }> = {
  hardware: { size: TOOL_SIZES.reconstruct, iters: RECONSTRUCTION_DEFAULTS.iterations },
  software: { size: 48, iters: 30 },
};
