/**
 * The page's weights: SqueezeNet 1.1 pretrained on ImageNet, embedded in the page (the default:
 * DeepScale's weights served from the page's own origin, embedded.ts), pretrained VGG19 downloaded
 * once from the Hugging Face hub (only the needed tensors, ranged) and kept in the Origin Private
 * File System, the seeded random VGG19, or files the user picks (.pth/.safetensors read in place
 * with File.slice, or our raw .json + .bin). The choice is remembered. `?weights-url=URL` points
 * "pretrained" at a mirror.
 *
 * The fast preview always runs the embedded SqueezeNet 1.1.
 */
import { BlobSource, HttpSource } from '../src/io/byte_source.js';
import { OpfsStore } from '../src/io/opfs_store.js';
import { loadPretrained } from '../src/io/pretrained.js';
import type { WeightsSource } from '../src/job/prepare.js';
import { findCached, obtainPretrained, PRETRAINED_URLS, readEntry } from '../src/io/weights_cache.js';
import type { NetworkWeights } from '../src/model/weights.js';
import type { NetworkId } from '../src/model/networks.js';
import { parseRawWeights } from '../src/io/raw_weights.js';
import { embeddedSqueezenet } from './embedded.js';

/** 'squeezenet': the embedded pretrained SqueezeNet 1.1 (the default); the others are VGG19 (a file: the network it holds). */
export type WeightsChoice = 'squeezenet' | 'pretrained' | 'random' | 'file';
const CHOICE_KEY = 'nst-weights-choice';

export const pretrainedUrl = (): string => new URLSearchParams(location.search).get('weights-url') ?? PRETRAINED_URLS.hf;

/** The remembered choice (a file is not remembered); the embedded SqueezeNet when none is. */
export function rememberedChoice(): WeightsChoice {
  const c = localStorage.getItem(CHOICE_KEY);
  return c === 'pretrained' || c === 'random' ? c : 'squeezenet';
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

/** Whether the browser's cache holds any downloaded weights (pretrained VGG19, or torchvision's SqueezeNet an earlier version of the page fetched). */
export async function anyCached(): Promise<boolean> {
  return OpfsStore.available() && (await store.list()).length > 0;
}

/** Forget downloaded weights (the browser's cache and memory). */
export async function forgetPretrained(): Promise<void> {
  pretrained = null;
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

/** The network a choice runs: SqueezeNet for the embedded weights, a file's own, else VGG19. */
export function choiceNetwork(choice: WeightsChoice): NetworkId {
  if (choice === 'squeezenet') return 'squeezenet';
  return choice === 'file' ? (fileWeights?.network ?? 'vgg19') : 'vgg19';
}

/** The weights a run uses, given the menu's choice. */
export async function weightsFor(choice: WeightsChoice, upTo: string, onProgress: (p: DownloadProgress) => void, signal?: AbortSignal): Promise<WeightsSource> {
  if (choice === 'file') {
    if (!fileWeights) throw new Error('Pick a weights file first, or choose other weights.');
    return { kind: 'loaded', weights: fileWeights };
  }
  if (choice === 'squeezenet') return { kind: 'loaded', weights: await embeddedSqueezenet() };
  if (choice === 'pretrained') return { kind: 'loaded', weights: (await ensurePretrained(upTo, onProgress, signal)).weights };
  return { kind: 'random', seed: 1 };
}

/** The fast preview's weights: the embedded SqueezeNet 1.1, whatever the render's choice. */
export async function previewWeights(): Promise<WeightsSource> {
  return { kind: 'loaded', weights: await embeddedSqueezenet() };
}
