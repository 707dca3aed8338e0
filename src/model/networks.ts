/**
 * The feature networks the engine can optimise against, described without the GPU: which convs
 * hold parameters (our tensor names and torchvision's keys, shapes, strides), which layers a user
 * can name, and each layer's map size for an input size. Two networks:
 *  - VGG19 (vgg19_spec.ts): 16 3×3 convs, 2×2 pooling; layers conv1_1 … conv5_4.
 *  - SqueezeNet 1.1 (torchvision's squeezenet1_1, Iandola et al. 2016): a 3×3 stride-2 conv, then
 *    8 Fire modules (a 1×1 "squeeze" conv, then 1×1 and 3×3 "expand" convs whose outputs are
 *    concatenated), with 3×3 stride-2 ceil-mode max pooling after conv1, fire3 and fire5;
 *    layers conv1, fire2 … fire9. Its convs to fire5 need ~1/110 of VGG19's to conv5_1 (flopsUpTo);
 *    with the Gram matrices, a step ~1/60 (gramStepFlops).
 * A layer name means that layer's rectified output (VGG19's conv4_2 is relu4_2; a Fire module's
 * output is its concatenated, rectified expand maps).
 */
import { pooledLength } from '../kernels/pool/pool.js';
import { convLength } from '../kernels/strided_conv/geometry.js';
import type { DownsampleWindow } from '../kernels/guide/guide.js';
import { layerScale, convSpec as vggConvSpec, VGG19_CONVS } from './vgg19_spec.js';

export type NetworkId = 'vgg19' | 'squeezenet';
export const NETWORK_IDS: readonly NetworkId[] = ['vgg19', 'squeezenet'];

/** A conv with parameters: weight O×C×K×K and bias O. */
export interface ParamConv {
  /** Our tensor name prefix: "conv1_1", "conv1", "fire2/squeeze", "fire2/expand3x3". */
  name: string;
  /** torchvision's state-dict prefix: "features.0", "features.3.squeeze". */
  torchKey: string;
  O: number;
  C: number;
  K: number;
  stride: number;
  pad: number;
  /** The user-visible layer this conv computes (part of). */
  layer: string;
}

export interface NetworkSpec {
  id: NetworkId;
  label: string;
  /** Every conv with parameters, in the order the network runs them. */
  convs: readonly ParamConv[];
  /** Layers a user can name, shallow to deep. */
  layerNames: readonly string[];
  /** Channels of a layer's output. */
  channels(layer: string): number;
  /** A layer's map size (h, w) for an H×W input; throws if some window no longer fits. */
  mapSize(layer: string, H: number, W: number): [number, number];
  /**
   * The windows that shrink the map on the way from the input to a layer (pools, strided convs),
   * in order: a guidance map follows them to reach the layer's size (guide/mask_downsample).
   */
  downsamplings(layer: string): DownsampleWindow[];
  /** Smallest square input side every map up to `deepest` is defined for. */
  minImageSide(deepest: string): number;
  /** Most floats of one activation per input pixel (VGG19: conv1's 64 maps at full size). */
  floatsPerPixel: number;
}

/** The network's layer `name`, or an error naming the known ones. */
export function layerIndex(spec: NetworkSpec, name: string): number {
  const i = spec.layerNames.indexOf(name);
  if (i < 0) {
    const other = Object.values(NETWORKS).find((n) => n !== spec && n.layerNames.includes(name));
    const hint = other ? `; ${name} is a ${other.label} layer (--network ${other.id})` : '';
    throw new Error(`unknown ${spec.label} layer "${name}" (known: ${spec.layerNames.join(', ')})${hint}`);
  }
  return i;
}

/** Deepest of several layer names. */
export function deepestOf(spec: NetworkSpec, names: string[]): string {
  if (names.length === 0) throw new Error('no layers given');
  return spec.layerNames[Math.max(...names.map((n) => layerIndex(spec, n)))];
}

/** The convs needed to compute up to `deepest` (inclusive). */
export function paramConvsUpTo(spec: NetworkSpec, deepest: string): ParamConv[] {
  const upTo = layerIndex(spec, deepest);
  return spec.convs.filter((c) => spec.layerNames.indexOf(c.layer) <= upTo);
}

/**
 * FLOPs of one Gatys step's Gram work at H×W: per style layer (C channels, M positions) the Gram
 * forward (C²·M: the symmetric half's multiply-adds) and its backward (2·C²·M). Next to VGG19's
 * convs it is ~5%; next to SqueezeNet's, about as much as the convs themselves.
 */
export function gramStepFlops(spec: NetworkSpec, styleLayers: string[], H: number, W: number): number {
  return styleLayers.reduce((sum, layer) => {
    const [h, w] = spec.mapSize(layer, H, W);
    return sum + 3 * spec.channels(layer) ** 2 * h * w;
  }, 0);
}

/** Multiply-adds ×2 of a forward pass up to `deepest` at H×W (convs only; pooling and ReLU are noise). */
export function flopsUpTo(spec: NetworkSpec, deepest: string, H: number, W: number): number {
  let flops = 0;
  for (const c of paramConvsUpTo(spec, deepest)) {
    // every conv keeps the size of the layer it belongs to (pooling happens between layers)
    const [h, w] = spec.mapSize(c.layer, H, W);
    flops += 2 * c.O * c.C * c.K * c.K * h * w;
  }
  return flops;
}

// ------------------------------------------------------------------------------------- VGG19

export const VGG19: NetworkSpec = {
  id: 'vgg19',
  label: 'VGG19',
  convs: VGG19_CONVS.map((c) => ({ name: c.name, torchKey: `features.${c.torchIndex}`, O: c.outChannels, C: c.inChannels, K: 3, stride: 1, pad: 1, layer: c.name })),
  layerNames: VGG19_CONVS.map((c) => c.name),
  channels: (layer) => vggConvSpec(layer).outChannels,
  mapSize(layer, H, W) {
    const scale = VGG19.minImageSide(layer);
    const h = Math.floor(H / scale), w = Math.floor(W / scale);
    if (h < 1 || w < 1) throw new Error(`a ${W}×${H} image is too small for VGG19's ${layer} (needs ${scale}×${scale})`);
    return [h, w];
  },
  // the 2×2/2 pools before the layer (floor mode)
  downsamplings(layer) {
    return Array.from({ length: Math.log2(VGG19.minImageSide(layer)) }, () => ({ K: 2, stride: 2, pad: 0, ceil: false }));
  },
  // each 2×2 pool before the layer halves the map: the layer's downsampling (tiles.ts)
  minImageSide(deepest) {
    layerIndex(VGG19, deepest); // names an unknown layer
    return layerScale(deepest);
  },
  floatsPerPixel: 64,
};

// ------------------------------------------------------------------------------ SqueezeNet 1.1

/** A Fire module: squeeze S channels, expand to E (1×1) + E (3×3), concatenated (2E out). */
interface FireSpec {
  name: string;
  /** Index in torchvision's features Sequential. */
  torchIndex: number;
  inChannels: number;
  squeeze: number;
  expand: number;
  /** A 3×3/2 ceil-mode max pool runs before this module. */
  poolBefore: boolean;
}

export const SQUEEZENET_FIRES: readonly FireSpec[] = [
  { name: 'fire2', torchIndex: 3, inChannels: 64, squeeze: 16, expand: 64, poolBefore: true },
  { name: 'fire3', torchIndex: 4, inChannels: 128, squeeze: 16, expand: 64, poolBefore: false },
  { name: 'fire4', torchIndex: 6, inChannels: 128, squeeze: 32, expand: 128, poolBefore: true },
  { name: 'fire5', torchIndex: 7, inChannels: 256, squeeze: 32, expand: 128, poolBefore: false },
  { name: 'fire6', torchIndex: 9, inChannels: 256, squeeze: 48, expand: 192, poolBefore: true },
  { name: 'fire7', torchIndex: 10, inChannels: 384, squeeze: 48, expand: 192, poolBefore: false },
  { name: 'fire8', torchIndex: 11, inChannels: 384, squeeze: 64, expand: 256, poolBefore: false },
  { name: 'fire9', torchIndex: 12, inChannels: 512, squeeze: 64, expand: 256, poolBefore: false },
];

/** conv1: 64 filters, 3×3, stride 2, no padding (features.0). */
export const SQUEEZENET_CONV1 = { O: 64, C: 3, K: 3, stride: 2, pad: 0 } as const;
/** The max pools: 3×3 windows, stride 2, ceil mode (torchvision's MaxPool2d(3, 2, ceil_mode=True)). */
export const SQUEEZENET_POOL = { K: 3, stride: 2, ceil: true } as const;

/** The Fire module's three convs: squeeze, expand1x1, expand3x3 (the expands share an output, concatenated in this order). */
export function fireConvs(f: FireSpec): ParamConv[] {
  const at = `features.${f.torchIndex}`;
  return [
    { name: `${f.name}/squeeze`, torchKey: `${at}.squeeze`, O: f.squeeze, C: f.inChannels, K: 1, stride: 1, pad: 0, layer: f.name },
    { name: `${f.name}/expand1x1`, torchKey: `${at}.expand1x1`, O: f.expand, C: f.squeeze, K: 1, stride: 1, pad: 0, layer: f.name },
    { name: `${f.name}/expand3x3`, torchKey: `${at}.expand3x3`, O: f.expand, C: f.squeeze, K: 3, stride: 1, pad: 1, layer: f.name },
  ];
}

export const SQUEEZENET: NetworkSpec = {
  id: 'squeezenet',
  label: 'SqueezeNet 1.1',
  convs: [{ name: 'conv1', torchKey: 'features.0', ...SQUEEZENET_CONV1, layer: 'conv1' }, ...SQUEEZENET_FIRES.flatMap(fireConvs)],
  layerNames: ['conv1', ...SQUEEZENET_FIRES.map((f) => f.name)],
  channels: (layer) => (layerIndex(SQUEEZENET, layer) === 0 ? SQUEEZENET_CONV1.O : 2 * SQUEEZENET_FIRES.find((f) => f.name === layer)!.expand),
  mapSize(layer, H, W) {
    const upTo = layerIndex(SQUEEZENET, layer);
    const { K, stride, pad } = SQUEEZENET_CONV1;
    let [h, w] = [H, W].map((n) => convLength(n, K, stride, pad));
    const fail = (what: string) => new Error(`a ${W}×${H} image is too small for SqueezeNet's ${layer} (${what})`);
    if (h < 1 || w < 1) throw fail('conv1 needs 3×3');
    for (const f of SQUEEZENET_FIRES.slice(0, upTo)) {
      if (!f.poolBefore) continue;
      const [ph, pw] = [h, w].map((n) => pooledLength(n, SQUEEZENET_POOL));
      if (ph < 1 || pw < 1) throw fail(`the pool before ${f.name} gets a ${w}×${h} map`);
      [h, w] = [ph, pw];
    }
    return [h, w];
  },
  // conv1 (3×3/2, no padding), then the 3×3/2 ceil-mode pools before fire2, fire4 and fire6
  downsamplings(layer) {
    const upTo = layerIndex(SQUEEZENET, layer);
    const pools = SQUEEZENET_FIRES.slice(0, upTo).filter((f) => f.poolBefore).map(() => ({ K: SQUEEZENET_POOL.K, stride: SQUEEZENET_POOL.stride, pad: 0, ceil: true }));
    return [{ K: SQUEEZENET_CONV1.K, stride: SQUEEZENET_CONV1.stride, pad: SQUEEZENET_CONV1.pad, ceil: false }, ...pools];
  },
  minImageSide(deepest) {
    for (let s = 1; ; s++) {
      try {
        SQUEEZENET.mapSize(deepest, s, s);
        return s;
      } catch {
        // too small; try the next size
      }
    }
  },
  // conv1's 64 maps at half size: 16 floats per input pixel (the input itself has 3)
  floatsPerPixel: 16,
};

export const NETWORKS: Record<NetworkId, NetworkSpec> = { vgg19: VGG19, squeezenet: SQUEEZENET };

/** The spec of a network id, or an error listing the known ones. */
export function networkSpec(id: string): NetworkSpec {
  const spec = NETWORKS[id as NetworkId];
  if (!spec) throw new Error(`unknown network "${id}" (known: ${NETWORK_IDS.join(', ')})`);
  return spec;
}
