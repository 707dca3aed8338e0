/**
 * What `--weights` names, resolved on the Node side before the page gets the raw tensors:
 *   auto (default)      the cached pretrained VGG19 if there is one, else the seeded random one
 *   random              the seeded random VGG19
 *   torchvision | hf    pretrained VGG19 from download.pytorch.org / the Hugging Face hub: the cache,
 *                       or a ranged download of just the needed tensors into it
 *   http(s)://…         the same from another URL (a .pth or .safetensors)
 *   FILE.json           our raw format (FILE.bin beside it)
 *   FILE.pth | FILE.safetensors   read in place with positioned reads (only the needed tensors)
 * $NST_TORCHVISION_URL and $NST_HF_URL point the two names at mirrors.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { HttpSource } from '../../src/io/byte_source.js';
import { loadPretrained } from '../../src/io/pretrained.js';
import { findCached, obtainPretrained, readEntry, sourceUrl, PRETRAINED_URLS, type PretrainedName } from '../../src/io/weights_cache.js';
import { parseRawWeights, toRawWeights } from '../../src/io/raw_weights.js';
import { FileSource } from './file_source.js';
import { DirStore } from './weights_store.js';

export interface RawWeightsFiles {
  name: string;
  manifest: string;
  bin: Uint8Array;
}

export type ResolvedWeights = { kind: 'random'; seed: number } | ({ kind: 'raw' } & RawWeightsFiles);

const NAMED = ['auto', 'random', ...Object.keys(PRETRAINED_URLS)];
const isUrl = (s: string) => /^https?:\/\//.test(s);

/** Cheap check before any work: the spec is a known name, a URL, or an existing file of a known kind. */
export function checkWeightsSpec(spec: string): void {
  if (NAMED.includes(spec) || isUrl(spec)) return;
  if (!/\.(json|pth|pt|safetensors)$/.test(spec)) {
    throw new Error(`--weights "${spec}": expected auto, random, torchvision, hf, a URL, our raw .json manifest, a .pth or a .safetensors file`);
  }
  if (!existsSync(spec)) throw new Error(`weights file "${spec}" does not exist (use --weights auto, random, torchvision, hf, a .json manifest, a .pth or a .safetensors file)`);
  if (spec.endsWith('.json') && !existsSync(spec.replace(/\.json$/, '.bin'))) throw new Error(`weights file "${spec.replace(/\.json$/, '.bin')}" (the data for ${spec}) does not exist`);
}

export function mirrors(): Partial<Record<PretrainedName, string>> {
  return { torchvision: process.env.NST_TORCHVISION_URL || undefined, hf: process.env.NST_HF_URL || undefined };
}

/** A progress line for downloads (stderr; rewritten in place on a terminal). */
export function downloadProgress(label: string, write = (s: string) => process.stderr.write(s)) {
  const tty = process.stderr.isTTY;
  let total = 0, got = 0, last = 0, lastByte = Date.now();
  const t0 = Date.now();
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const line = () => {
    const secs = Math.max(0.001, (lastByte - t0) / 1000);
    const rate = got / secs;
    const eta = total > got && rate > 0 ? ` ETA ${Math.ceil((total - got) / rate)} s` : '';
    return `downloading ${label}: ${mb(got)}${total ? ` / ${mb(total)} MB (${Math.min(100, Math.round((100 * got) / total))}%)` : ' MB'} at ${mb(rate)} MB/s${eta}`;
  };
  return {
    /** The bytes still to come once the headers are read (those already received count too). */
    plan(bytes: number) {
      total = got + bytes;
    },
    bytes(n: number) {
      got += n;
      lastByte = Date.now();
      if (Date.now() - last > (tty ? 200 : 2000)) {
        last = Date.now();
        write(tty ? `\r${line()}   ` : `${line()}\n`);
      }
    },
    done() {
      if (got > 0) write(`${tty ? '\r' : ''}${line().replace(/^downloading/, 'downloaded').replace(/ ETA.*$/, '')} in ${((lastByte - t0) / 1000).toFixed(1)} s${tty ? '   ' : ''}\n`);
    },
  };
}

/** Download (or take from the cache) pretrained weights from a named source or URL. */
export async function fetchPretrained(source: string, upTo: string, options: { float16?: boolean; store?: DirStore; log?: (s: string) => void } = {}) {
  const store = options.store ?? new DirStore();
  const url = sourceUrl(source, mirrors());
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const progress = downloadProgress(`VGG19 (${source in PRETRAINED_URLS ? source : basename(url)})`);
  let fetched: HttpSource | null = null;
  const r = await obtainPretrained({
    store,
    source,
    url,
    upTo,
    float16: options.float16,
    open: (u) => (fetched = new HttpSource(u, { onBytes: progress.bytes })),
    onPlan: (p) => {
      progress.plan(p.bytes);
      log(`fetching conv1_1..${upTo} from ${url} (${p.format}): ${(p.bytes / 1e6).toFixed(1)} MB${p.requests ? ` in ${p.requests} ranged request(s)` : ''}`);
    },
    log,
  });
  progress.done();
  if (!r.fromCache) log(`cached in ${store.location}/${r.id}.json (${r.weights.layers.size} layers${options.float16 ? ', float16' : ''})`);
  return { ...r, stats: (fetched as HttpSource | null)?.stats ?? { requests: 0, received: 0 } };
}

/** Resolve --weights to what the page needs: the random seed, or raw tensors up to `upTo`. */
export async function resolveWeights(spec: string, seed: number, upTo: string, log = (s: string) => process.stderr.write(`${s}\n`)): Promise<ResolvedWeights> {
  checkWeightsSpec(spec);
  const store = new DirStore();
  if (spec === 'random') return { kind: 'random', seed };
  if (spec === 'auto') {
    const id = await findCached(store);
    const entry = id ? await readEntry(store, id, log) : null;
    if (!entry) {
      log(`weights: seeded random VGG19 (seed ${seed}) — for the paper's painterly results fetch pretrained VGG19 once (~52 MB): npm run weights -- download`);
      return { kind: 'random', seed };
    }
    const source = entry.info.origin?.source === 'url' ? entry.info.origin.url : (entry.info.origin?.source ?? id!.replace(/^vgg19-/, ''));
    if (!entry.weights.layers.has(upTo)) log(`the cached weights stop at ${entry.info.layers.at(-1)}; fetching up to ${upTo}`);
    return staged(await fetchPretrained(source, upTo, { store, log }));
  }
  if (NAMED.includes(spec) || isUrl(spec)) return staged(await fetchPretrained(spec, upTo, { store, log }));
  return { kind: 'raw', ...(await loadWeightsFile(spec, upTo)) };
}

function staged(r: { id: string; raw: { manifest: string; bin: ArrayBuffer } }): ResolvedWeights {
  return { kind: 'raw', name: r.id, manifest: r.raw.manifest, bin: new Uint8Array(r.raw.bin) };
}

/** A weights file on disk: our raw format, or a .pth/.safetensors read in place up to `upTo`. */
export async function loadWeightsFile(path: string, upTo = 'conv5_4'): Promise<RawWeightsFiles> {
  checkWeightsSpec(path);
  if (statSync(path).isDirectory()) throw new Error(`weights file "${path}" is a directory`);
  if (!path.endsWith('.json')) {
    const src = new FileSource(path);
    try {
      const w = await loadPretrained(src, upTo);
      return { name: basename(path), ...toRawWeights(w) };
    } finally {
      src.close();
    }
  }
  const binPath = path.replace(/\.json$/, '.bin');
  const manifest = readFileSync(path, 'utf8');
  const bin = new Uint8Array(readFileSync(binPath));
  // validate here too, so errors appear before the page starts work
  parseRawWeights(manifest, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), path.replace(/\.json$/, ''));
  return { name: basename(path), manifest, bin };
}
