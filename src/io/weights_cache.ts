/**
 * Pretrained weights (VGG19, SqueezeNet 1.1) fetched once and kept: the CLI keeps them in a directory
 * ($XDG_CACHE_HOME/webgpu-neural-style/weights), the page in the Origin Private File System. Both
 * store our raw format (NAME.json + NAME.bin, optionally float16) and commit an entry by writing
 * the manifest last, after the data was written in full and its values checked — so an
 * interrupted download never leaves an entry that looks complete.
 *
 * An entry holds one network's weights (its id starts with the network: vgg19-torchvision,
 * squeezenet-torchvision, vgg19-url-<hash>) for a prefix of its convs (conv1_1…convX_Y,
 * conv1…fireN). A run that needs deeper layers than the entry has downloads only the missing
 * tensors and rewrites the entry with all of them.
 */
import type { ByteSource } from './byte_source.js';
import { fetchCost, fetchPieces, planPretrained } from './pretrained.js';
import { networkSpec, paramConvsUpTo, type NetworkId } from '../model/networks.js';
import { assembleLayers, type NetworkWeights } from '../model/weights.js';
import { parseRawWeights, toRawWeights, type RawDtype, type WeightsOrigin } from './raw_weights.js';

/** Where the real VGG19 weights live. torchvision's file is the legacy torch.save format of 2017. */
export const PRETRAINED_URLS = {
  torchvision: 'https://download.pytorch.org/models/vgg19-dcbb9e9d.pth',
  hf: 'https://huggingface.co/timm/vgg19.tv_in1k/resolve/main/model.safetensors',
} as const;
export type PretrainedName = keyof typeof PRETRAINED_URLS;
/** The source names (a URL is the other kind of source). */
export const PRETRAINED_NAMES: readonly PretrainedName[] = ['torchvision', 'hf'];

/**
 * Each network's pretrained files by source name. SqueezeNet 1.1 has torchvision's only
 * (squeezenet1_1-b8a52dc0.pth, 4.9 MB): timm publishes no safetensors of it, so there is no "hf".
 */
export const NETWORK_PRETRAINED_URLS: Record<NetworkId, Partial<Record<PretrainedName, string>>> = {
  vgg19: PRETRAINED_URLS,
  squeezenet: { torchvision: 'https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth' },
};

const isName = (source: string): source is PretrainedName => (PRETRAINED_NAMES as readonly string[]).includes(source);

export interface WeightsStore {
  /** Where entries live, for messages. */
  readonly location: string;
  read(id: string): Promise<{ manifest: string; bin: ArrayBuffer } | null>;
  /** Write the data, then the manifest (the commit). */
  write(id: string, manifest: string, bin: Uint8Array): Promise<void>;
  list(): Promise<string[]>;
  remove(id: string): Promise<void>;
}

/**
 * Cache entry name for a source of a network: vgg19-torchvision, vgg19-hf, vgg19-url-<hash of
 * the URL>, squeezenet-torchvision, squeezenet-url-<hash>.
 */
export function cacheId(source: string, network: NetworkId = 'vgg19'): string {
  if (isName(source)) return `${network}-${source}`;
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193) >>> 0;
  return `${network}-url-${h.toString(16).padStart(8, '0')}`;
}

/**
 * The URL of a source name ("torchvision", "hf") for the network, or the URL itself; a name the
 * network has no file for (SqueezeNet's "hf") is refused, saying what there is.
 */
export function sourceUrl(source: string, overrides: Partial<Record<PretrainedName, string>> = {}, network: NetworkId = 'vgg19'): string {
  if (isName(source)) {
    const url = overrides[source] ?? NETWORK_PRETRAINED_URLS[network][source];
    if (!url) {
      const spec = networkSpec(network);
      const have = PRETRAINED_NAMES.filter((n) => NETWORK_PRETRAINED_URLS[network][n]);
      const why = source === 'hf' ? ` (the Hugging Face hub has no safetensors of ${spec.label} in timm)` : '';
      throw new Error(`there is no "${source}" source for ${spec.label}${why}; use ${[...have, 'an http(s) URL'].join(', ')} or a file`);
    }
    return url;
  }
  if (!/^https?:\/\//.test(source)) throw new Error(`unknown weights source "${source}" (torchvision, hf, or an http(s) URL)`);
  return source;
}

export interface CacheEntryInfo {
  id: string;
  /** The network the entry holds weights of. */
  network: NetworkId;
  /** Its convs (conv names, in the network's order). */
  layers: string[];
  dtype: RawDtype;
  bytes: number;
  origin?: WeightsOrigin;
}

/** Read and check a cache entry; null if absent. A damaged entry is removed (and reported) rather than used. */
export async function readEntry(
  store: WeightsStore,
  id: string,
  log?: (line: string) => void,
): Promise<{ weights: NetworkWeights; info: CacheEntryInfo; raw: { manifest: string; bin: ArrayBuffer } } | null> {
  const raw = await store.read(id);
  if (!raw) return null;
  try {
    const weights = parseRawWeights(raw.manifest, raw.bin, id);
    const m = JSON.parse(raw.manifest);
    return { weights, raw, info: { id, network: weights.network, layers: [...weights.layers.keys()], dtype: m.dtype, bytes: raw.bin.byteLength, origin: m.origin } };
  } catch (e) {
    log?.(`cached weights ${id} in ${store.location} are damaged (${(e as Error).message}); removed them`);
    await store.remove(id);
    return null;
  }
}

export async function listEntries(store: WeightsStore): Promise<CacheEntryInfo[]> {
  const out: CacheEntryInfo[] = [];
  for (const id of await store.list()) {
    const e = await readEntry(store, id);
    if (e) out.push(e.info);
  }
  return out;
}

/** The network's cached pretrained entry to use for --weights auto: torchvision's, else the hub's, else any from a URL. */
export async function findCached(store: WeightsStore, network: NetworkId = 'vgg19'): Promise<string | null> {
  const ids = await store.list();
  return PRETRAINED_NAMES.map((n) => cacheId(n, network)).find((id) => ids.includes(id)) ?? ids.find((id) => id.startsWith(`${network}-url-`)) ?? null;
}

export interface ObtainOptions {
  store: WeightsStore;
  /** Whose weights (default VGG19); the file must hold that network's. */
  network?: NetworkId;
  /** "torchvision", "hf" or a URL. */
  source: string;
  url: string;
  /** Deepest layer needed (a layer name of the network: conv5_1, fire9). */
  upTo: string;
  /** Store as float16 (half the size; values rounded). */
  float16?: boolean;
  /** Opens the file (an HttpSource with progress, or a local file for tests). */
  open: (url: string) => ByteSource;
  /** Told the bytes to fetch once known (for progress: received / total). */
  onPlan?: (p: { bytes: number; requests: number; format: string; sequential: boolean }) => void;
  log?: (line: string) => void;
}

export interface Obtained {
  weights: NetworkWeights;
  /** The entry as stored (our raw format). */
  raw: { manifest: string; bin: ArrayBuffer };
  id: string;
  /** True when nothing was fetched. */
  fromCache: boolean;
}

/**
 * The pretrained layers up to `upTo`: from the cache if it has them, else downloaded (only the
 * missing tensors), checked, and stored.
 */
export async function obtainPretrained(o: ObtainOptions): Promise<Obtained> {
  const spec = networkSpec(o.network ?? 'vgg19');
  const id = cacheId(o.source, spec.id);
  const needed = paramConvsUpTo(spec, o.upTo).map((c) => c.name);
  let cached = await readEntry(o.store, id, o.log);
  if (cached && cached.weights.network !== spec.id) {
    o.log?.(`cached weights ${id} in ${o.store.location} hold ${networkSpec(cached.weights.network).label}, not ${spec.label}; replacing them`);
    cached = null;
  }
  if (cached && needed.every((l) => cached!.weights.layers.has(l))) return { weights: cached.weights, raw: cached.raw, id, fromCache: true };
  const have = cached?.weights.layers ?? new Map();
  const src = o.open(o.url);
  try {
    const r = await planPretrained(src, o.upTo, spec.id);
    let values: Map<string, Float32Array>;
    let format: string;
    let input = cached?.weights.input;
    if ('scan' in r) {
      values = r.scan;
      format = r.format;
      input = r.input;
      // the whole file has been streamed already (a zip read front to back): nothing more to come
      o.onPlan?.({ bytes: 0, requests: 0, format, sequential: true });
      o.log?.(`${o.url}: the server ignores Range requests, so the file was streamed from the start and only the needed tensors kept`);
    } else {
      const missing = r.plan.pieces.filter((p) => !have.has(p.name.slice(0, p.name.lastIndexOf('.'))));
      const cost = fetchCost(src, missing);
      o.onPlan?.({ ...cost, format: r.plan.format });
      if (cost.sequential) o.log?.(`${o.url}: the server ignores Range requests, so the file is streamed from the start and only the needed bytes are kept`);
      values = await fetchPieces(src, missing);
      format = r.plan.format;
      input = r.plan.input;
    }
    for (const [name, p] of have) for (const [suffix, a] of [['weight', p.weight], ['bias', p.bias]] as const) if (!values.has(`${name}.${suffix}`)) values.set(`${name}.${suffix}`, a);
    // keep a prefix of the network's order (assembleLayers checks there are no gaps)
    const ordered = new Map<string, Float32Array>();
    for (const c of spec.convs) for (const s of ['weight', 'bias']) if (values.has(`${c.name}.${s}`)) ordered.set(`${c.name}.${s}`, values.get(`${c.name}.${s}`)!);
    const weights: NetworkWeights = { network: spec.id, source: id, input: input!, layers: assembleLayers(o.url, ordered, spec) };
    const origin: WeightsOrigin = { source: isName(o.source) ? o.source : 'url', url: o.url, format, fetched: new Date().toISOString() };
    const raw = toRawWeights(weights, { dtype: o.float16 ? 'float16' : 'float32', origin });
    // what is stored must read back as what was fetched (up to float16 rounding)
    const bin = raw.bin.buffer.slice(raw.bin.byteOffset, raw.bin.byteOffset + raw.bin.byteLength) as ArrayBuffer;
    const check = parseRawWeights(raw.manifest, bin, id, spec.id);
    await o.store.write(id, raw.manifest, raw.bin);
    return { weights: check, raw: { manifest: raw.manifest, bin }, id, fromCache: false };
  } finally {
    await (src as { close?: () => Promise<void> | void }).close?.();
  }
}
