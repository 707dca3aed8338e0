/**
 * Pretrained VGG19 fetched once and kept: the CLI keeps it in a directory
 * ($XDG_CACHE_HOME/webgpu-neural-style/weights), the page in the Origin Private File System. Both
 * store our raw format (NAME.json + NAME.bin, optionally float16) and commit an entry by writing
 * the manifest last, after the data was written in full and its values checked — so an
 * interrupted download never leaves an entry that looks complete.
 *
 * An entry holds a prefix conv1_1…convX_Y of the layers. A run that needs deeper layers than the
 * entry has downloads only the missing tensors and rewrites the entry with all of them.
 */
import type { ByteSource } from './byte_source.js';
import { fetchCost, fetchPieces, planPretrained } from './pretrained.js';
import { convsUpTo, VGG19_CONVS } from '../nst/vgg19_spec.js';
import { assembleLayers, type NetworkWeights } from '../nst/weights.js';
import { parseRawWeights, toRawWeights, type RawDtype, type WeightsOrigin } from './raw_weights.js';

/** Where the real weights live. torchvision's file is the legacy torch.save format of 2017. */
export const PRETRAINED_URLS = {
  torchvision: 'https://download.pytorch.org/models/vgg19-dcbb9e9d.pth',
  hf: 'https://huggingface.co/timm/vgg19.tv_in1k/resolve/main/model.safetensors',
} as const;
export type PretrainedName = keyof typeof PRETRAINED_URLS;

export interface WeightsStore {
  /** Where entries live, for messages. */
  readonly location: string;
  read(id: string): Promise<{ manifest: string; bin: ArrayBuffer } | null>;
  /** Write the data, then the manifest (the commit). */
  write(id: string, manifest: string, bin: Uint8Array): Promise<void>;
  list(): Promise<string[]>;
  remove(id: string): Promise<void>;
}

/** Cache entry name for a source: vgg19-torchvision, vgg19-hf, or vgg19-url-<hash of the URL>. */
export function cacheId(source: string): string {
  if (source in PRETRAINED_URLS) return `vgg19-${source}`;
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193) >>> 0;
  return `vgg19-url-${h.toString(16).padStart(8, '0')}`;
}

/** The URL of a source name ("torchvision", "hf") or the URL itself. */
export function sourceUrl(source: string, overrides: Partial<Record<PretrainedName, string>> = {}): string {
  if (source in PRETRAINED_URLS) return overrides[source as PretrainedName] ?? PRETRAINED_URLS[source as PretrainedName];
  if (!/^https?:\/\//.test(source)) throw new Error(`unknown weights source "${source}" (torchvision, hf, or an http(s) URL)`);
  return source;
}

export interface CacheEntryInfo {
  id: string;
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
    return { weights, raw, info: { id, layers: [...weights.layers.keys()], dtype: m.dtype, bytes: raw.bin.byteLength, origin: m.origin } };
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

/** The cached pretrained entry to use for --weights auto: torchvision's, else the hub's, else any. */
export async function findCached(store: WeightsStore): Promise<string | null> {
  const ids = await store.list();
  return ['vgg19-torchvision', 'vgg19-hf'].find((id) => ids.includes(id)) ?? ids.find((id) => id.startsWith('vgg19-url-')) ?? null;
}

export interface ObtainOptions {
  store: WeightsStore;
  /** "torchvision", "hf" or a URL. */
  source: string;
  url: string;
  /** Deepest layer needed. */
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
  const id = cacheId(o.source);
  const needed = convsUpTo(o.upTo).map((c) => c.name);
  const cached = await readEntry(o.store, id, o.log);
  if (cached && needed.every((l) => cached.weights.layers.has(l))) return { weights: cached.weights, raw: cached.raw, id, fromCache: true };
  const have = cached?.weights.layers ?? new Map();
  const src = o.open(o.url);
  try {
    const r = await planPretrained(src, o.upTo);
    let values: Map<string, Float32Array>;
    let format: string;
    let input = cached?.weights.input;
    if ('scan' in r) {
      values = r.scan;
      format = r.format;
      input = r.input;
      o.onPlan?.({ bytes: src.size ?? 0, requests: 0, format, sequential: true });
    } else {
      const missing = r.plan.pieces.filter((p) => !have.has(p.name.split('.')[0]));
      const cost = fetchCost(src, missing);
      o.onPlan?.({ ...cost, format: r.plan.format });
      if (cost.sequential) o.log?.(`${o.url}: the server ignores Range requests, so the file is streamed from the start and only the needed bytes are kept`);
      values = await fetchPieces(src, missing);
      format = r.plan.format;
      input = r.plan.input;
    }
    for (const [name, p] of have) for (const [suffix, a] of [['weight', p.weight], ['bias', p.bias]] as const) if (!values.has(`${name}.${suffix}`)) values.set(`${name}.${suffix}`, a);
    // keep a prefix of VGG19 order (assembleLayers checks there are no gaps)
    const ordered = new Map<string, Float32Array>();
    for (const spec of VGG19_CONVS) for (const s of ['weight', 'bias']) if (values.has(`${spec.name}.${s}`)) ordered.set(`${spec.name}.${s}`, values.get(`${spec.name}.${s}`)!);
    const weights: NetworkWeights = { network: 'vgg19', source: id, input: input!, layers: assembleLayers(o.url, ordered) };
    const origin: WeightsOrigin = { source: o.source in PRETRAINED_URLS ? o.source : 'url', url: o.url, format, fetched: new Date().toISOString() };
    const raw = toRawWeights(weights, { dtype: o.float16 ? 'float16' : 'float32', origin });
    // what is stored must read back as what was fetched (up to float16 rounding)
    const bin = raw.bin.buffer.slice(raw.bin.byteOffset, raw.bin.byteOffset + raw.bin.byteLength) as ArrayBuffer;
    const check = parseRawWeights(raw.manifest, bin, id);
    await o.store.write(id, raw.manifest, raw.bin);
    return { weights: check, raw: { manifest: raw.manifest, bin }, id, fromCache: false };
  } finally {
    await (src as { close?: () => Promise<void> | void }).close?.();
  }
}
