/**
 * Our raw on-disk weights format:
 *   NAME.json  — manifest: { format: "nst-raw-weights", version: 1, model: "vgg19", dtype: "float32" | "float16",
 *                byteOrder: "little", input: InputConvention, tensors: [{ name, shape, offset, length }],
 *                origin?: where the values came from (URL, file format, date) }
 *   NAME.bin   — the tensors' values back to back (little-endian), OIHW for conv weights; float16
 *                halves the file (the cache's option) and is widened to float32 on loading.
 * Tensor names are "conv1_1.weight", "conv1_1.bias", …; shapes must match VGG19's.
 */
import type { InputConvention } from '../kernels/image.js';
import { convSpec, VGG19_LAYER_NAMES } from '../nst/vgg19_spec.js';
import { assembleLayers, checkFinite, WeightsError, type NetworkWeights } from '../nst/weights.js';
import { decodeFloats, floatToHalf } from './safetensors.js';

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

function expectedShape(name: string): number[] | null {
  const m = /^(conv\d_\d)\.(weight|bias)$/.exec(name);
  if (!m || !VGG19_LAYER_NAMES.includes(m[1])) return null;
  const s = convSpec(m[1]);
  return m[2] === 'weight' ? [s.outChannels, s.inChannels, 3, 3] : [s.outChannels];
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
export function parseRawWeights(manifestText: string, bin: ArrayBuffer, file = 'weights'): NetworkWeights {
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
  return { network: 'vgg19', source: m.origin ? `${file} (pretrained VGG19 from ${m.origin.url}${m.dtype === 'float16' ? ', stored as float16' : ''})` : file, input, layers: assembleLayers(file, byName) };
}

/** Serialize to our raw format: [manifest JSON text, bin bytes]. float16 rounds to nearest even. */
export function toRawWeights(w: NetworkWeights, options: { dtype?: RawDtype; origin?: WeightsOrigin } = {}): { manifest: string; bin: Uint8Array } {
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
