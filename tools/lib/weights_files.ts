/**
 * What `--weights` names, resolved on the Node side before the page gets the raw tensors, for the
 * run's network (--network vgg19|squeezenet; without it, chooseNetwork below):
 *   auto (default)      the network's cached pretrained weights if there are some; else, for
 *                       SqueezeNet, the embedded pretrained weights (weights/squeezenet1_1-deepscale,
 *                       DeepScale's ImageNet SqueezeNet 1.1, committed), for VGG19 its seeded
 *                       random weights (with a hint)
 *   embedded            the embedded pretrained SqueezeNet 1.1 (SqueezeNet only)
 *   random              the network's seeded random weights
 *   torchvision | hf    pretrained weights from download.pytorch.org / the Hugging Face hub (VGG19
 *                       only: there is no hub file of SqueezeNet 1.1): the cache, or a ranged
 *                       download of just the needed tensors into it
 *   http(s)://…         the same from another URL (a .pth or .safetensors)
 *   FILE.json           our raw format (FILE.bin beside it)
 *   FILE.pth | FILE.safetensors   read in place with positioned reads (only the needed tensors)
 * A file or cache entry of the other network is refused, naming it. $NST_TORCHVISION_URL and
 * $NST_HF_URL point VGG19's two names at mirrors, $NST_SQUEEZENET_URL SqueezeNet's torchvision file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { regularFile } from './input_files.js';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpSource } from '../../src/io/byte_source.js';
import { loadPretrained } from '../../src/io/pretrained.js';
import { findCached, obtainPretrained, readEntry, sourceUrl, PRETRAINED_NAMES, type PretrainedName } from '../../src/io/weights_cache.js';
import { parseRawWeights, toRawWeights } from '../../src/io/raw_weights.js';
import { networkSpec, paramConvsUpTo, type NetworkId } from '../../src/model/networks.js';
import { FileSource } from './file_source.js';
import { cacheDir, DirStore } from './weights_store.js';

export interface RawWeightsFiles {
  name: string;
  manifest: string;
  bin: Uint8Array;
}

export type ResolvedWeights = { kind: 'random'; seed: number; network: NetworkId } | ({ kind: 'raw' } & RawWeightsFiles);

const NAMED = ['auto', 'random', 'embedded', ...PRETRAINED_NAMES];

/** The embedded pretrained SqueezeNet 1.1 (our raw format, committed; see weights/README.md). */
export const EMBEDDED_SQUEEZENET = fileURLToPath(new URL('../../weights/squeezenet1_1-deepscale.json', import.meta.url));

/** Whether the CLI's cache holds a pretrained VGG19 entry (a committed manifest vgg19-*.json). */
export function hasCachedVgg19(dir = cacheDir()): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('vgg19-') && f.endsWith('.json'));
}

/**
 * The network of a run that names none (--network absent): the one other flags imply (`implied`:
 * its layer names, or a flag only VGG19 has, see job_args.ts networkOfFlags); SqueezeNet for
 * --weights embedded; VGG19 when --weights names VGG19 weights (random, torchvision, hf, a URL or
 * a file: a SqueezeNet file is refused, naming the flag) or when a pretrained VGG19 is cached;
 * otherwise SqueezeNet 1.1 with its embedded pretrained weights, and `note` says so and how to get
 * the paper's VGG19.
 */
export function chooseNetwork(flag: NetworkId | undefined, weights: string, implied?: NetworkId): { network: NetworkId; note?: string } {
  if (flag) return { network: flag };
  if (implied) return { network: implied };
  if (weights === 'embedded') return { network: 'squeezenet' };
  if (weights !== 'auto' || hasCachedVgg19()) return { network: 'vgg19' };
  return {
    network: 'squeezenet',
    note: 'network: SqueezeNet 1.1 with its embedded ImageNet weights (no pretrained VGG19 is cached) — for the paper\'s VGG19 fetch it once (~52 MB): npm run weights -- download',
  };
}
const isUrl = (s: string) => /^https?:\/\//.test(s);

/**
 * Cheap check before any work: the spec is a known name (one the network has a file for), a
 * URL, or an existing file of a known kind.
 */
export function checkWeightsSpec(spec: string, network: NetworkId = 'vgg19'): void {
  if (spec === 'embedded' && network !== 'squeezenet') throw new Error(`--weights embedded: the embedded weights are SqueezeNet 1.1's; use --network squeezenet (or download VGG19's: npm run weights -- download)`);
  if ((PRETRAINED_NAMES as readonly string[]).includes(spec)) {
    sourceUrl(spec, mirrors(network), network); // SqueezeNet's "hf" says there is none
    return;
  }
  if (NAMED.includes(spec) || isUrl(spec)) return;
  if (!/\.(json|pth|pt|safetensors)$/.test(spec)) {
    throw new Error(`--weights "${spec}": expected auto, random, embedded, torchvision, hf, a URL, our raw .json manifest, a .pth or a .safetensors file`);
  }
  if (!existsSync(spec)) throw new Error(`weights file "${spec}" does not exist (use --weights auto, random, torchvision, hf, a .json manifest, a .pth or a .safetensors file)`);
  if (spec.endsWith('.json') && !existsSync(spec.replace(/\.json$/, '.bin'))) throw new Error(`weights file "${spec.replace(/\.json$/, '.bin')}" (the data for ${spec}) does not exist`);
}

/** The network's source names pointed at mirrors by the environment. */
export function mirrors(network: NetworkId = 'vgg19'): Partial<Record<PretrainedName, string>> {
  if (network === 'squeezenet') return { torchvision: process.env.NST_SQUEEZENET_URL || undefined };
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

/** Download (or take from the cache) the network's pretrained weights from a named source or URL, up to layer `upTo`. */
export async function fetchPretrained(
  source: string,
  upTo: string,
  options: { float16?: boolean; store?: DirStore; log?: (s: string) => void; network?: NetworkId } = {},
) {
  const spec = networkSpec(options.network ?? 'vgg19');
  const store = options.store ?? new DirStore();
  const url = sourceUrl(source, mirrors(spec.id), spec.id);
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const progress = downloadProgress(`${spec.label} (${(PRETRAINED_NAMES as readonly string[]).includes(source) ? source : basename(url)})`);
  let fetched: HttpSource | null = null;
  const r = await obtainPretrained({
    store,
    network: spec.id,
    source,
    url,
    upTo,
    float16: options.float16,
    open: (u) => (fetched = new HttpSource(u, { onBytes: progress.bytes })),
    onPlan: (p) => {
      progress.plan(p.bytes);
      log(`fetching ${spec.convs[0].layer}..${upTo} from ${url} (${p.format}): ${(p.bytes / 1e6).toFixed(1)} MB${p.requests ? ` in ${p.requests} ranged request(s)` : ''}`);
    },
    log,
  }).catch((e: Error) => {
    if (!/could not fetch/.test(e.message)) throw e;
    // a CLI user can do something about an unreachable host: a mirror, or a file fetched elsewhere
    const env = spec.id === 'squeezenet' ? '$NST_SQUEEZENET_URL' : source === 'hf' ? '$NST_HF_URL' : '$NST_TORCHVISION_URL';
    throw new Error(`${e.message.replace(' or CORS,', ',')}. Point ${env} at a mirror, or download the file elsewhere and pass it: --weights FILE.pth${spec.id === 'squeezenet' ? ' --network squeezenet' : ''}`);
  });
  progress.done();
  if (!r.fromCache) log(`cached in ${store.location}/${r.id}.json (${describeConvs(spec.id, [...r.weights.layers.keys()])}${options.float16 ? ', float16' : ''})`);
  return { ...r, stats: (fetched as HttpSource | null)?.stats ?? { requests: 0, received: 0 } };
}

/**
 * "13 layers" (VGG19: a conv per layer), "9 layers, 25 convs" (SqueezeNet: three per Fire module);
 * with `range`, the first and last layer first ("conv1..fire9 (9 layers, 25 convs)").
 */
export function describeConvs(network: NetworkId, convs: string[], range = false): string {
  const spec = networkSpec(network);
  const layers = [...new Set(convs.map((n) => spec.convs.find((c) => c.name === n)?.layer ?? n))];
  const count = `${layers.length} layers${layers.length !== convs.length ? `, ${convs.length} convs` : ''}`;
  return range ? `${layers[0]}..${layers[layers.length - 1]} (${count})` : count;
}

/** What `--weights auto` says when VGG19 has nothing cached (SqueezeNet has its embedded weights). */
export function randomHint(seed: number): string {
  return `weights: seeded random VGG19 (seed ${seed}) — for the paper's painterly results fetch pretrained VGG19 once (~52 MB): npm run weights -- download`;
}

/** Resolve --weights to what the page needs: the random seed, or the network's raw tensors up to layer `upTo`. */
export async function resolveWeights(
  spec: string,
  seed: number,
  upTo: string,
  log: (line: string) => void = (s) => process.stderr.write(`${s}\n`),
  network: NetworkId = 'vgg19',
): Promise<ResolvedWeights> {
  const net = networkSpec(network);
  checkWeightsSpec(spec, net.id);
  const store = new DirStore();
  if (spec === 'random') return { kind: 'random', seed, network: net.id };
  paramConvsUpTo(net, upTo); // names an unknown layer
  if (spec === 'embedded') return { kind: 'raw', ...(await loadEmbedded()) };
  if (spec === 'auto') {
    const id = await findCached(store, net.id);
    const entry = id ? await readEntry(store, id, log) : null;
    if ((!entry || entry.weights.network !== net.id) && net.id === 'squeezenet') return { kind: 'raw', ...(await loadEmbedded()) };
    if (!entry || entry.weights.network !== net.id) {
      log(randomHint(seed));
      return { kind: 'random', seed, network: net.id };
    }
    const source = entry.info.origin?.source === 'url' ? entry.info.origin.url : (entry.info.origin?.source ?? id!.slice(net.id.length + 1));
    if (!paramConvsUpTo(net, upTo).every((c) => entry.weights.layers.has(c.name))) log(`the cached weights stop at ${entry.info.layers.at(-1)}; fetching up to ${upTo}`);
    return staged(await fetchPretrained(source, upTo, { store, log, network: net.id }));
  }
  if (NAMED.includes(spec) || isUrl(spec)) return staged(await fetchPretrained(spec, upTo, { store, log, network: net.id }));
  return { kind: 'raw', ...(await loadWeightsFile(spec, upTo, net.id)) };
}

function staged(r: { id: string; raw: { manifest: string; bin: ArrayBuffer } }): ResolvedWeights {
  return { kind: 'raw', name: r.id, manifest: r.raw.manifest, bin: new Uint8Array(r.raw.bin) };
}

/**
 * The embedded pretrained SqueezeNet 1.1, checked like any raw file: a damaged copy (truncated,
 * wrong size, NaN, all zeros) is an error naming the file, never a fallback to random weights.
 */
export async function loadEmbedded(path = EMBEDDED_SQUEEZENET): Promise<RawWeightsFiles> {
  const shown = relative(process.cwd(), path) || path;
  if (!existsSync(path) || !existsSync(path.replace(/\.json$/, '.bin'))) {
    throw new Error(`the embedded SqueezeNet 1.1 weights are missing (${shown} and its .bin): restore them from the repository (git checkout -- weights/)`);
  }
  const r = await loadWeightsFile(shown.startsWith('..') ? path : shown, undefined, 'squeezenet');
  return { ...r, name: basename(path, '.json') };
}

/**
 * A weights file on disk holding the network's weights: our raw format, or a .pth/.safetensors
 * read in place up to layer `upTo` (default: all of them). A file of the other network is refused.
 */
export async function loadWeightsFile(path: string, upTo?: string, network: NetworkId = 'vgg19'): Promise<RawWeightsFiles> {
  const spec = networkSpec(network);
  checkWeightsSpec(path, spec.id);
  if (!path.endsWith('.json')) {
    const src = new FileSource(path);
    try {
      const w = await loadPretrained(src, upTo ?? spec.layerNames[spec.layerNames.length - 1], undefined, spec.id);
      return { name: basename(path), ...toRawWeights(w) };
    } finally {
      src.close();
    }
  }
  const binPath = path.replace(/\.json$/, '.bin');
  // a manifest lists a few dozen tensors; the .bin holds conv weights only (VGG19's: 80 MB in float32)
  regularFile(path, 'weights manifest', 16 * 2 ** 20);
  regularFile(binPath, 'weights data', 2 ** 30);
  const manifest = readFileSync(path, 'utf8');
  const bin = new Uint8Array(readFileSync(binPath));
  // validate here too, so errors appear before the page starts work
  parseRawWeights(manifest, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), path.replace(/\.json$/, ''), spec.id);
  return { name: basename(path), manifest, bin };
}
