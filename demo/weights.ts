/**
 * The page's weights: the seeded random VGG19 (default), pretrained VGG19 downloaded once from
 * the Hugging Face hub (only the needed tensors, ranged) and kept in the Origin Private File
 * System, or files the user picks (.pth/.safetensors read in place with File.slice, or our raw
 * .json + .bin). The choice is remembered. `?weights-url=URL` points "pretrained" at a mirror.
 *
 * The fast preview runs SqueezeNet 1.1: seeded random with the random VGG19 (and with a file),
 * torchvision's pretrained one (~5 MB, fetched once the same way) with the pretrained VGG19;
 * `?squeezenet-url=URL` points that at a mirror. Where it cannot be fetched (offline, or a host
 * that refuses the browser), the preview says so and uses the seeded random SqueezeNet.
 */
import { BlobSource, HttpSource } from '../src/io/byte_source.js';
import { OpfsStore } from '../src/io/opfs_store.js';
import { loadPretrained } from '../src/io/pretrained.js';
import type { WeightsSource } from '../src/job/run.js';
import { findCached, NETWORK_PRETRAINED_URLS, obtainPretrained, PRETRAINED_URLS, readEntry } from '../src/io/weights_cache.js';
import { RANDOM_SQUEEZENET_DEFAULTS, type NetworkWeights } from '../src/nst/weights.js';
import { networkDefaults } from '../src/nst/options.js';
import { paramConvsUpTo, SQUEEZENET } from '../src/nst/networks.js';
import { parseRawWeights } from '../src/io/raw_weights.js';

export type WeightsChoice = 'random' | 'pretrained' | 'file';
const CHOICE_KEY = 'nst-weights-choice';

export const pretrainedUrl = (): string => new URLSearchParams(location.search).get('weights-url') ?? PRETRAINED_URLS.hf;

export function rememberedChoice(): WeightsChoice {
  const c = localStorage.getItem(CHOICE_KEY);
  return c === 'pretrained' ? 'pretrained' : 'random';
}
export function rememberChoice(c: WeightsChoice): void {
  if (c !== 'file') localStorage.setItem(CHOICE_KEY, c);
}

const store = new OpfsStore();
let pretrained: NetworkWeights | null = null;
let fileWeights: NetworkWeights | null = null;

export interface DownloadProgress {
  received: number;
  total: number;
  seconds: number;
}

/** A line such as "12.3 / 51.8 MB (24%) at 20.1 MB/s, about 2 s left". */
export function describeProgress(p: DownloadProgress): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const rate = p.received / Math.max(0.001, p.seconds);
  const left = p.total > p.received && rate > 0 ? `, about ${Math.ceil((p.total - p.received) / rate)} s left` : '';
  return `${mb(p.received)} / ${mb(p.total)} MB (${p.total ? Math.min(100, Math.round((100 * p.received) / p.total)) : 0}%) at ${mb(rate)} MB/s${left}`;
}

/** What the cache holds, for the status line; null if nothing. */
export async function cachedPretrained(): Promise<{ layers: number; mb: number } | null> {
  if (!OpfsStore.available()) return null;
  const id = await findCached(store);
  const e = id ? await readEntry(store, id) : null;
  return e ? { layers: e.info.layers.length, mb: e.info.bytes / 1e6 } : null;
}

/**
 * Pretrained VGG19 up to `upTo`: from memory, the browser's cache, or downloaded (only what is
 * missing). Reports progress while downloading.
 */
export async function ensurePretrained(upTo: string, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal): Promise<{ weights: NetworkWeights; downloaded: boolean }> {
  if (pretrained?.layers.has(upTo)) return { weights: pretrained, downloaded: false };
  if (!OpfsStore.available()) throw new Error('This browser has no Origin Private File System to keep downloaded weights in.');
  let total = 0, received = 0;
  const t0 = performance.now();
  const r = await obtainPretrained({
    store,
    source: 'hf',
    url: pretrainedUrl(),
    upTo,
    open: (url) =>
      new HttpSource(url, {
        signal,
        onBytes: (n) => {
          received += n;
          onProgress({ received, total, seconds: (performance.now() - t0) / 1000 });
        },
      }),
    onPlan: (p) => (total = received + p.bytes), // the header bytes already received count too
  });
  pretrained = r.weights;
  return { weights: r.weights, downloaded: !r.fromCache };
}

/** Whether the browser's cache holds any downloaded weights (VGG19's or the preview's SqueezeNet). */
export async function anyCached(): Promise<boolean> {
  return OpfsStore.available() && (await store.list()).length > 0;
}

/** Forget downloaded weights (the browser's cache and memory). */
export async function forgetPretrained(): Promise<void> {
  pretrained = null;
  squeezenet = null;
  squeezenetProblem = null;
  if (OpfsStore.available()) await store.clear();
}

/** Read picked weight files: a .pth/.safetensors (in place), or our raw .json + .bin. */
export async function readWeightFiles(files: File[]): Promise<NetworkWeights> {
  const big = files.find((f) => /\.(pth?|safetensors)$/.test(f.name));
  if (big) fileWeights = await loadPretrained(new BlobSource(big, big.name), 'conv5_4');
  else {
    const json = files.find((f) => f.name.endsWith('.json'));
    const bin = files.find((f) => f.name.endsWith('.bin'));
    if (!json || !bin) throw new Error('Pick a .pth or .safetensors file, or our raw format as two files (NAME.json and NAME.bin, select both).');
    fileWeights = parseRawWeights(await json.text(), await bin.arrayBuffer(), json.name.replace(/\.json$/, ''));
  }
  return fileWeights;
}

export function pickedWeights(): NetworkWeights | null {
  return fileWeights;
}

/** The weights a run uses, given the menu's choice. */
export async function weightsFor(choice: WeightsChoice, upTo: string, onProgress: (p: DownloadProgress) => void): Promise<WeightsSource> {
  if (choice === 'file') {
    if (!fileWeights) throw new Error('Pick a weights file first, or choose the seeded random or pretrained weights.');
    return { kind: 'loaded', weights: fileWeights };
  }
  if (choice === 'pretrained') return { kind: 'loaded', weights: (await ensurePretrained(upTo, onProgress)).weights };
  return { kind: 'random', seed: 1 };
}

export const squeezenetUrl = (): string => new URLSearchParams(location.search).get('squeezenet-url') ?? NETWORK_PRETRAINED_URLS.squeezenet.torchvision!;

let squeezenet: NetworkWeights | null = null;
/** Why the pretrained SqueezeNet could not be fetched on this visit (not tried again until a reload or "forget"). */
let squeezenetProblem: string | null = null;

/** Pretrained SqueezeNet 1.1 up to `upTo`: from memory, the browser's cache, or downloaded (only what is missing). */
async function ensureSqueezenet(upTo: string, onProgress: (p: DownloadProgress) => void): Promise<{ weights: NetworkWeights; downloaded: boolean }> {
  if (squeezenet && paramConvsUpTo(SQUEEZENET, upTo).every((c) => squeezenet!.layers.has(c.name))) return { weights: squeezenet, downloaded: false };
  if (!OpfsStore.available()) throw new Error('this browser has no Origin Private File System to keep downloaded weights in');
  let total = 0, received = 0;
  const t0 = performance.now();
  const r = await obtainPretrained({
    store,
    network: 'squeezenet',
    source: 'torchvision',
    url: squeezenetUrl(),
    upTo,
    open: (url) => new HttpSource(url, { onBytes: (n) => onProgress({ received: (received += n), total, seconds: (performance.now() - t0) / 1000 }) }),
    onPlan: (p) => (total = received + p.bytes),
  });
  squeezenet = r.weights;
  return { weights: r.weights, downloaded: !r.fromCache };
}

export interface PreviewWeights {
  source: WeightsSource;
  /** The TV weight they run with (for the loss plot). */
  tvWeight: number;
  /** Why the preview does not use the network matching the render's ('' when it does). */
  note: string;
  /** They were downloaded just now (the cache changed). */
  downloaded?: boolean;
}

/**
 * The fast preview's SqueezeNet for the menu's choice: pretrained for "pretrained VGG19" (fetched
 * once; `say` shows the download), else the seeded random SqueezeNet 1.1 (seed 1).
 */
export async function previewWeightsFor(choice: WeightsChoice, upTo: string, say: (text: string) => void): Promise<PreviewWeights> {
  const random: PreviewWeights = {
    source: { kind: 'random', seed: 1, network: 'squeezenet' },
    tvWeight: RANDOM_SQUEEZENET_DEFAULTS.stylize.tvWeight ?? networkDefaults('squeezenet').tvWeight,
    note: choice === 'file' ? `the fast preview uses the seeded random ${SQUEEZENET.label} (a weights file holds VGG19 only)` : '',
  };
  if (choice !== 'pretrained') return random;
  if (squeezenetProblem === null) {
    try {
      const r = await ensureSqueezenet(upTo, (p) => say(`Fast preview: downloading pretrained ${SQUEEZENET.label} (once): ${describeProgress(p)}`));
      return { source: { kind: 'loaded', weights: r.weights }, tvWeight: networkDefaults('squeezenet').tvWeight, note: '', downloaded: r.downloaded };
    } catch (e) {
      squeezenetProblem = (e as Error).message;
    }
  }
  return { ...random, note: `the pretrained ${SQUEEZENET.label} could not be downloaded (${squeezenetProblem}), so the fast preview uses the seeded random one` };
}
