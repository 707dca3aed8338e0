/**
 * A network's weights on the CPU side: its conv layers (NetworkWeights), the checks every loader
 * shares (assembleLayers, checkFinite, WeightsError), and seeded random weights. Reading and
 * writing files is in src/io/ (our raw format: src/io/raw_weights.ts).
 */
import type { InputConvention } from '../kernels/image/image.js';
import { TORCHVISION_CONVENTION } from '../kernels/image/image.js';
import { NETWORKS, VGG19, type NetworkId, type NetworkSpec } from './networks.js';

export interface ConvParams {
  weight: Float32Array;
  bias: Float32Array;
}

export interface NetworkWeights {
  /** Which network these are the weights of (see networks.ts). */
  network: NetworkId;
  /** Where they came from, for messages and the UI ("seeded random (seed 1)", a file name). */
  source: string;
  input: InputConvention;
  /** By conv name (networks.ts ParamConv.name: conv1_1, fire2/squeeze, …), OIHW weights. */
  layers: Map<string, ConvParams>;
  /**
   * Set for seeded random weights: they run with the random network's settings where the user set
   * nothing (withNetworkDefaults, src/nst/defaults.ts); loaded weights run with the network's own.
   */
  random?: { seed: number };
}

export class WeightsError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'WeightsError';
  }
}

/** Throws naming the tensor if any value is NaN or ±Inf. */
export function checkFinite(file: string, name: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new WeightsError(file, `tensor "${name}" holds ${a[i]} at element ${i}`);
  }
}

/**
 * Pair up weight and bias tensors (named `${conv}.weight`, `${conv}.bias`); the convs must form a
 * prefix of the network's, without gaps. Shapes are checked against the network (tensor named),
 * and a kernel of zeros only is refused (biases may be zero).
 */
export function assembleLayers(file: string, byName: Map<string, Float32Array>, spec: NetworkSpec = VGG19): Map<string, ConvParams> {
  const layers = new Map<string, ConvParams>();
  for (const c of spec.convs) {
    const w = byName.get(`${c.name}.weight`);
    const b = byName.get(`${c.name}.bias`);
    if (!w && !b) break;
    if (!w || !b) throw new WeightsError(file, `layer ${c.name} is missing its ${w ? 'bias' : 'weight'}`);
    const need = c.O * c.C * c.K * c.K;
    if (w.length !== need) throw new WeightsError(file, `tensor "${c.name}.weight" holds ${w.length} values but ${spec.label} needs ${c.O}×${c.C}×${c.K}×${c.K} = ${need}`);
    if (b.length !== c.O) throw new WeightsError(file, `tensor "${c.name}.bias" holds ${b.length} values but ${spec.label} needs ${c.O}`);
    layers.set(c.name, { weight: w, bias: b });
  }
  const extra = [...byName.keys()].filter((k) => !layers.has(k.slice(0, k.lastIndexOf('.'))));
  if (extra.length) throw new WeightsError(file, `tensors after a missing layer: ${extra.join(', ')} (layers must be ${spec.convs[0].name} onward without gaps)`);
  if (layers.size === 0) throw new WeightsError(file, `no ${spec.label} conv layers found`);
  // values only once the structure is right: an all-zero kernel passes every other check but
  // makes every later feature constant
  for (const [name, { weight }] of layers) {
    if (weight.every((v) => v === 0)) throw new WeightsError(file, `tensor "${name}.weight" is all zeros (a damaged or unfinished file, not trained weights)`);
  }
  return layers;
}

/** Check that the weights include every layer needed; names the first missing one. */
export function requireLayers(w: NetworkWeights, names: string[]): void {
  for (const n of names) if (!w.layers.has(n)) throw new WeightsError(w.source, `missing layer ${n} (the file has ${[...w.layers.keys()].join(', ')})`);
}

/**
 * The embedded default: a deterministic, seeded random network with He-normal weights
 * (std √(2/fan_in)) and zero biases, made on the spot for the layers asked for, with the
 * settings it needs (RANDOM_NETWORK_DEFAULTS, measured for VGG19).
 */
export function randomNetwork(network: NetworkId, seed = 1, upTo?: string): NetworkWeights {
  const spec = NETWORKS[network];
  const layers = new Map<string, ConvParams>();
  const last = upTo ?? spec.layerNames[spec.layerNames.length - 1];
  const lastIndex = spec.layerNames.indexOf(last);
  if (lastIndex < 0) throw new Error(`unknown ${spec.label} layer "${last}" (known: ${spec.layerNames.join(', ')})`);
  spec.convs.forEach((c, i) => {
    if (spec.layerNames.indexOf(c.layer) > lastIndex) return;
    const fanIn = c.C * c.K * c.K;
    // VGG19's streams keep the seeds they always had (seed·1000 + conv index)
    const next = gaussian(seed * 1000 + i + (network === 'vgg19' ? 0 : 500));
    const std = Math.sqrt(2 / fanIn);
    const weight = new Float32Array(c.O * fanIn);
    for (let k = 0; k < weight.length; k++) weight[k] = next() * std;
    layers.set(c.name, { weight, bias: new Float32Array(c.O) });
  });
  return { network, source: `seeded random ${spec.label} (seed ${seed})`, input: TORCHVISION_CONVENTION, layers, random: { seed } };
}

/** The seeded random VGG19 (see randomNetwork). */
export function randomVgg19(seed = 1, upTo = 'conv5_4'): NetworkWeights {
  return randomNetwork('vgg19', seed, upTo);
}

/** Standard normal samples from a seeded mulberry32 + Box–Muller. */
export function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}
