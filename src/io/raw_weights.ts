/**
 * Our raw on-disk weights format:
 *   NAME.json  — manifest: { format: "nst-raw-weights", version: 1, model: "vgg19" | "squeezenet",
 *                dtype: "float32" | "float16",
 *                byteOrder: "little", input: InputConvention, tensors: [{ name, shape, offset, length }],
 *                origin?: where the values came from (URL, file format, date) }
 *   NAME.bin   — the tensors' values back to back (little-endian), OIHW for conv weights; float16
 *                halves the file (the cache's option) and is widened to float32 on loading.
 * Tensor names are our conv names (networks.ts) + ".weight"/".bias": "conv1_1.weight", … for
 * VGG19, "conv1.weight", "fire2/squeeze.weight", … for SqueezeNet 1.1; shapes must match the
 * model's (OIHW weights). Manifests written before SqueezeNet existed say model "vgg19".
 */
import type { InputConvention } from '../kernels/image/image.js';
import { NETWORK_IDS, NETWORKS, networkSpec, type NetworkId, type NetworkSpec } from '../model/networks.js';
import { assembleLayers, checkFinite, WeightsError, type NetworkWeights } from '../model/weights.js';
import { decodeFloats, floatToHalf } from './safetensors.js';
import { WrongNetworkError } from './torch_names.js';

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
  model: NetworkId;
  dtype: RawDtype;
  byteOrder: 'little';
  input: InputConvention;
  tensors: ManifestTensor[];
  origin?: WeightsOrigin;
}

/** The shape a tensor named `conv.weight` / `conv.bias` has in the network; null if it has none such. */
function expectedShape(spec: NetworkSpec, name: string): number[] | null {
  const m = /^(.+)\.(weight|bias)$/.exec(name);
  const c = m && spec.convs.find((x) => x.name === m[1]);
  if (!c) return null;
  return m[2] === 'weight' ? [c.O, c.C, c.K, c.K] : [c.O];
}

/**
 * The input convention, as numbers in sane ranges: a range of 1 or 255-ish (≤ 65535), means
 * within [-range, range], standard deviations in (0, range] — both finite numbers, never strings.
 */
function validateConvention(file: string, c: unknown): InputConvention {
  const x = c as InputConvention;
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const ok =
    !!x && typeof x === 'object' && (x.channelOrder === 'RGB' || x.channelOrder === 'BGR') && num(x.range) && x.range > 0 && x.range <= 65535 &&
    Array.isArray(x.mean) && x.mean.length === 3 && x.mean.every((v) => num(v) && Math.abs(v) <= x.range) &&
    Array.isArray(x.std) && x.std.length === 3 && x.std.every((v) => num(v) && v > 0 && v <= x.range);
  if (!ok) throw new WeightsError(file, 'manifest "input" must give channelOrder (RGB|BGR), a number range in (0, 65535], mean[3] within ±range and std[3] in (0, range], as numbers');
  return { channelOrder: x.channelOrder, range: x.range, mean: [...x.mean] as [number, number, number], std: [...x.std] as [number, number, number] };
}

/**
 * Parse and check a manifest + bin pair; the weights are of the manifest's model. `file` names the
 * files in error messages. With `network`, a manifest of another model is refused, naming it.
 */
export function parseRawWeights(manifestText: string, bin: ArrayBuffer, file = 'weights', network?: NetworkId): NetworkWeights {
  let m: Manifest;
  try {
    m = JSON.parse(manifestText);
  } catch (e) {
    throw new WeightsError(`${file}.json`, `not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== 'nst-raw-weights') throw new WeightsError(`${file}.json`, `not an nst-raw-weights manifest (format: ${JSON.stringify(m?.format)})`);
  if (m.version !== 1 || (m.dtype !== 'float32' && m.dtype !== 'float16') || m.byteOrder !== 'little' || !NETWORK_IDS.includes(m.model)) {
    throw new WeightsError(
      `${file}.json`,
      `unsupported version/dtype/byteOrder/model (${m.version}, ${m.dtype}, ${m.byteOrder}, ${m.model}); expected 1, float32 or float16, little, ${NETWORK_IDS.join(' or ')}`,
    );
  }
  const spec = NETWORKS[m.model];
  if (network && network !== spec.id) {
    throw new WrongNetworkError(`${file}.json`, spec.id, networkSpec(network).id);
  }
  const itemSize = m.dtype === 'float16' ? 2 : 4;
  const input = validateConvention(`${file}.json`, m.input);
  if (!Array.isArray(m.tensors)) throw new WeightsError(`${file}.json`, 'missing "tensors" list');
  const byName = new Map<string, Float32Array>();
  // each tensor's bytes, to refuse two tensors sharing or overlapping bytes
  const spans: { name: string; start: number; end: number }[] = [];
  for (const t of m.tensors) {
    if (!t || typeof t !== 'object' || typeof t.name !== 'string') throw new WeightsError(`${file}.json`, 'every entry of "tensors" must be an object with a "name"');
    if (byName.has(t.name)) throw new WeightsError(`${file}.json`, `tensor "${t.name}" is listed twice`);
    const exp = expectedShape(spec, t.name);
    if (!exp) throw new WeightsError(`${file}.json`, `unknown tensor "${t.name}" (expected ${spec.label}'s ${spec.convs[0].name}.weight … ${spec.convs[spec.convs.length - 1].name}.bias)`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d))) throw new WeightsError(`${file}.json`, `tensor "${t.name}" has shape ${JSON.stringify(t.shape)}; expected a list of integers`);
    if (t.shape.length !== exp.length || t.shape.some((d, i) => d !== exp[i])) {
      throw new WeightsError(`${file}.json`, `tensor "${t.name}" has shape [${t.shape}] but ${spec.label} needs [${exp}]`);
    }
    const n = exp.reduce((a, b) => a * b, 1);
    if (t.length !== n) throw new WeightsError(`${file}.json`, `tensor "${t.name}" declares ${t.length} values, its shape holds ${n}`);
    if (!Number.isSafeInteger(t.offset) || t.offset < 0 || t.offset % itemSize !== 0) throw new WeightsError(`${file}.json`, `tensor "${t.name}" has a bad offset ${JSON.stringify(t.offset)}`);
    spans.push({ name: t.name, start: t.offset, end: t.offset + n * itemSize });
    if (t.offset + n * itemSize > bin.byteLength) {
      throw new WeightsError(`${file}.bin`, `truncated: tensor "${t.name}" needs bytes ${t.offset}..${t.offset + n * itemSize} but the file has ${bin.byteLength}`);
    }
    const a = decodeFloats(new Uint8Array(bin, t.offset, n * itemSize), itemSize === 2 ? 'F16' : 'F32', `${file}.bin`, t.name);
    checkFinite(`${file}.bin`, t.name, a);
    byName.set(t.name, a);
  }
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].start < spans[i - 1].end) throw new WeightsError(`${file}.json`, `tensors "${spans[i - 1].name}" and "${spans[i].name}" share bytes (${spans[i].start}..${Math.min(spans[i].end, spans[i - 1].end)})`);
  }
  const end = spans.length ? spans[spans.length - 1].end : 0;
  if (bin.byteLength !== end) throw new WeightsError(`${file}.bin`, `holds ${bin.byteLength} bytes, but the manifest's tensors end at ${end} (a damaged file, or the .bin of another manifest)`);
  return {
    network: spec.id,
    source: m.origin ? `${file} (pretrained ${spec.label} ${m.origin.source === 'deepscale' ? 'on ImageNet, DeepScale' : `from ${m.origin.url}`}${m.dtype === 'float16' ? ', stored as float16' : ''})` : file,
    input,
    layers: assembleLayers(file, byName, spec),
  };
}

/** Serialize to our raw format (model: w.network): [manifest JSON text, bin bytes]. float16 rounds to nearest even. */
export function toRawWeights(w: NetworkWeights, options: { dtype?: RawDtype; origin?: WeightsOrigin } = {}): { manifest: string; bin: Uint8Array } {
  const spec = networkSpec(w.network);
  const dtype = options.dtype ?? 'float32';
  const itemSize = dtype === 'float16' ? 2 : 4;
  const tensors: ManifestTensor[] = [];
  let offset = 0;
  for (const [name, p] of w.layers) {
    const c = spec.convs.find((x) => x.name === name);
    if (!c) throw new Error(`${w.source}: ${spec.label} has no conv "${name}"`);
    for (const [suffix, a, shape] of [['weight', p.weight, [c.O, c.C, c.K, c.K]], ['bias', p.bias, [c.O]]] as const) {
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
  const manifest: Manifest = { format: 'nst-raw-weights', version: 1, model: spec.id, dtype, byteOrder: 'little', input: w.input, tensors, ...(options.origin ? { origin: options.origin } : {}) };
  return { manifest: JSON.stringify(manifest, null, 1), bin };
}
