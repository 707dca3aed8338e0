/**
 * VGG19 weights on the CPU side, and our raw on-disk format:
 *   NAME.json  — manifest: { format: "nst-raw-weights", version: 1, model: "vgg19", dtype: "float32" | "float16",
 *                byteOrder: "little", input: InputConvention, tensors: [{ name, shape, offset, length }],
 *                origin?: where the values came from (URL, file format, date) }
 *   NAME.bin   — the tensors' values back to back (little-endian), OIHW for conv weights; float16
 *                halves the file (the cache's option) and is widened to float32 on loading.
 * Tensor names are "conv1_1.weight", "conv1_1.bias", …; shapes must match VGG19's.
 */
import type { InputConvention } from '../kernels/image.js';
import { TORCHVISION_CONVENTION } from '../kernels/image.js';
import { decodeFloats, floatToHalf } from './safetensors.js';
import type { StyleTransferOptions } from './options.js';
import { convSpec, VGG19_CONVS, VGG19_LAYER_NAMES } from './vgg19_spec.js';

export interface ConvParams {
  weight: Float32Array;
  bias: Float32Array;
}

export interface VggWeights {
  /** Where they came from, for messages and the UI ("seeded random (seed 1)", a file name). */
  source: string;
  input: InputConvention;
  layers: Map<string, ConvParams>;
  /**
   * Settings this network works best with, used where the user set nothing (see
   * withNetworkDefaults): the seeded random default brings its own; loaded weights have none
   * and run with the engine's defaults, as they are.
   */
  recommended?: NetworkDefaults;
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

/** The network's recommended settings under the user's (the user's win; undefined means not set). */
export function withNetworkDefaults(options: Partial<StyleTransferOptions>, weights: VggWeights, use: keyof NetworkDefaults): Partial<StyleTransferOptions> {
  const set = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...(weights.recommended?.[use] ?? {}), ...set };
}

export interface ManifestTensor {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export type RawDtype = 'float32' | 'float16';

/** Where cached weights came from (informational). */
export interface WeightsOrigin {
  /** "torchvision", "hf" or "url". */
  source: string;
  url: string;
  format: string;
  /** ISO date of the download. */
  fetched: string;
}

export interface Manifest {
  format: 'nst-raw-weights';
  version: 1;
  model: 'vgg19';
  dtype: RawDtype;
  byteOrder: 'little';
  input: InputConvention;
  tensors: ManifestTensor[];
  origin?: WeightsOrigin;
}

export class WeightsError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'WeightsError';
  }
}

function expectedShape(name: string): number[] | null {
  const m = /^(conv\d_\d)\.(weight|bias)$/.exec(name);
  if (!m || !VGG19_LAYER_NAMES.includes(m[1])) return null;
  const s = convSpec(m[1]);
  return m[2] === 'weight' ? [s.outChannels, s.inChannels, 3, 3] : [s.outChannels];
}

/** Throws naming the tensor if any value is NaN or ±Inf. */
export function checkFinite(file: string, name: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new WeightsError(file, `tensor "${name}" holds ${a[i]} at element ${i}`);
  }
}

function validateConvention(file: string, c: unknown): InputConvention {
  const x = c as InputConvention;
  const ok =
    x && (x.channelOrder === 'RGB' || x.channelOrder === 'BGR') && typeof x.range === 'number' && x.range > 0 &&
    Array.isArray(x.mean) && x.mean.length === 3 && Array.isArray(x.std) && x.std.length === 3 && x.std.every((v) => v > 0);
  if (!ok) throw new WeightsError(file, 'manifest "input" must give channelOrder (RGB|BGR), range > 0, mean[3] and std[3] > 0');
  return { channelOrder: x.channelOrder, range: x.range, mean: [...x.mean] as [number, number, number], std: [...x.std] as [number, number, number] };
}

/** Parse and check a manifest + bin pair. `file` names the files in error messages. */
export function parseRawWeights(manifestText: string, bin: ArrayBuffer, file = 'weights'): VggWeights {
  let m: Manifest;
  try {
    m = JSON.parse(manifestText);
  } catch (e) {
    throw new WeightsError(`${file}.json`, `not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== 'nst-raw-weights') throw new WeightsError(`${file}.json`, `not an nst-raw-weights manifest (format: ${JSON.stringify(m?.format)})`);
  if (m.version !== 1 || (m.dtype !== 'float32' && m.dtype !== 'float16') || m.byteOrder !== 'little' || m.model !== 'vgg19') {
    throw new WeightsError(`${file}.json`, `unsupported version/dtype/byteOrder/model (${m.version}, ${m.dtype}, ${m.byteOrder}, ${m.model}); expected 1, float32 or float16, little, vgg19`);
  }
  const itemSize = m.dtype === 'float16' ? 2 : 4;
  const input = validateConvention(`${file}.json`, m.input);
  if (!Array.isArray(m.tensors)) throw new WeightsError(`${file}.json`, 'missing "tensors" list');
  const byName = new Map<string, Float32Array>();
  for (const t of m.tensors) {
    const exp = expectedShape(t.name);
    if (!exp) throw new WeightsError(`${file}.json`, `unknown tensor "${t.name}" (expected conv1_1.weight … conv5_4.bias)`);
    if (!Array.isArray(t.shape) || t.shape.length !== exp.length || t.shape.some((d, i) => d !== exp[i])) {
      throw new WeightsError(`${file}.json`, `tensor "${t.name}" has shape [${t.shape}] but VGG19 needs [${exp}]`);
    }
    const n = exp.reduce((a, b) => a * b, 1);
    if (t.length !== n) throw new WeightsError(`${file}.json`, `tensor "${t.name}" declares ${t.length} values, its shape holds ${n}`);
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset % itemSize !== 0) throw new WeightsError(`${file}.json`, `tensor "${t.name}" has a bad offset ${t.offset}`);
    if (t.offset + n * itemSize > bin.byteLength) {
      throw new WeightsError(`${file}.bin`, `truncated: tensor "${t.name}" needs bytes ${t.offset}..${t.offset + n * itemSize} but the file has ${bin.byteLength}`);
    }
    const a = decodeFloats(new Uint8Array(bin, t.offset, n * itemSize), itemSize === 2 ? 'F16' : 'F32', `${file}.bin`, t.name);
    checkFinite(`${file}.bin`, t.name, a);
    byName.set(t.name, a);
  }
  return { source: m.origin ? `${file} (pretrained VGG19 from ${m.origin.url}${m.dtype === 'float16' ? ', stored as float16' : ''})` : file, input, layers: assembleLayers(file, byName) };
}

/** Pair up weight and bias tensors; layers must form a prefix conv1_1…convX_Y of VGG19. */
export function assembleLayers(file: string, byName: Map<string, Float32Array>): Map<string, ConvParams> {
  const layers = new Map<string, ConvParams>();
  for (const spec of VGG19_CONVS) {
    const w = byName.get(`${spec.name}.weight`);
    const b = byName.get(`${spec.name}.bias`);
    if (!w && !b) break;
    if (!w || !b) throw new WeightsError(file, `layer ${spec.name} is missing its ${w ? 'bias' : 'weight'}`);
    layers.set(spec.name, { weight: w, bias: b });
  }
  const extra = [...byName.keys()].filter((k) => !layers.has(k.split('.')[0]));
  if (extra.length) throw new WeightsError(file, `tensors after a missing layer: ${extra.join(', ')} (layers must be conv1_1 onward without gaps)`);
  if (layers.size === 0) throw new WeightsError(file, 'no VGG19 conv layers found');
  return layers;
}

/** Check that the weights include every layer needed; names the first missing one. */
export function requireLayers(w: VggWeights, names: string[]): void {
  for (const n of names) if (!w.layers.has(n)) throw new WeightsError(w.source, `missing layer ${n} (the file has ${[...w.layers.keys()].join(', ')})`);
}

/** Serialize to our raw format: [manifest JSON text, bin bytes]. float16 rounds to nearest even. */
export function toRawWeights(w: VggWeights, options: { dtype?: RawDtype; origin?: WeightsOrigin } = {}): { manifest: string; bin: Uint8Array } {
  const dtype = options.dtype ?? 'float32';
  const itemSize = dtype === 'float16' ? 2 : 4;
  const tensors: ManifestTensor[] = [];
  let offset = 0;
  for (const [name, p] of w.layers) {
    const s = convSpec(name);
    for (const [suffix, a, shape] of [['weight', p.weight, [s.outChannels, s.inChannels, 3, 3]], ['bias', p.bias, [s.outChannels]]] as const) {
      tensors.push({ name: `${name}.${suffix}`, shape: [...shape], offset, length: a.length });
      offset += a.length * itemSize;
    }
  }
  const bin = new Uint8Array(offset);
  let o = 0;
  for (const p of w.layers.values()) {
    for (const a of [p.weight, p.bias]) {
      if (dtype === 'float32') bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
      else {
        const dv = new DataView(bin.buffer, o, a.length * 2);
        for (let i = 0; i < a.length; i++) dv.setUint16(i * 2, floatToHalf(a[i]), true);
      }
      o += a.length * itemSize;
    }
  }
  const manifest: Manifest = { format: 'nst-raw-weights', version: 1, model: 'vgg19', dtype, byteOrder: 'little', input: w.input, tensors, ...(options.origin ? { origin: options.origin } : {}) };
  return { manifest: JSON.stringify(manifest, null, 1), bin };
}

/**
 * The embedded default: a deterministic, seeded random VGG19 with He-normal weights
 * (std √(2/fan_in)) and zero biases, made on the spot for the layers asked for, with the
 * settings it needs (RANDOM_NETWORK_DEFAULTS).
 */
export function randomVgg19(seed = 1, upTo = 'conv5_4'): VggWeights {
  const layers = new Map<string, ConvParams>();
  for (const spec of VGG19_CONVS) {
    const fanIn = spec.inChannels * 9;
    const next = gaussian(seed * 1000 + VGG19_CONVS.indexOf(spec));
    const std = Math.sqrt(2 / fanIn);
    const weight = new Float32Array(spec.outChannels * fanIn);
    for (let i = 0; i < weight.length; i++) weight[i] = next() * std;
    layers.set(spec.name, { weight, bias: new Float32Array(spec.outChannels) });
    if (spec.name === upTo) break;
  }
  return { source: `seeded random VGG19 (seed ${seed})`, input: TORCHVISION_CONVENTION, layers, recommended: RANDOM_NETWORK_DEFAULTS };
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
