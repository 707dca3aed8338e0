/**
 * The page's own weights: DeepScale's ImageNet-pretrained SqueezeNet 1.1 in our raw format
 * (weights/squeezenet1_1-deepscale.json + .bin, 2.9 MB float32). Vite serves both from the page's
 * own origin (hashed names in the build, so the browser's HTTP cache keeps them); they are fetched
 * once per visit, on first use, and kept in memory. The .bin is checked against the size and
 * SHA-256 the build recorded: a failed or damaged fetch is an error naming the file, never a
 * silent fallback to other weights.
 */
import manifestUrl from '../weights/squeezenet1_1-deepscale.json?url';
import binUrl from '../weights/squeezenet1_1-deepscale.bin?url';
import { parseRawWeights } from '../src/io/raw_weights.js';
import type { NetworkWeights } from '../src/model/weights.js';

/** The files as the repository names them (messages name them so). */
const FILE = 'weights/squeezenet1_1-deepscale';

/** The weights in words, for status lines and captions. */
export const EMBEDDED_WEIGHTS = "SqueezeNet 1.1, pretrained on ImageNet (DeepScale's weights, embedded in this page)";
/** Their size, for the weights panel ("2.9 MB"). */
export const EMBEDDED_MB = (__EMBEDDED_SQUEEZENET_BYTES__ / 1e6).toFixed(1);

const problem = (file: string, url: string, what: string) =>
  new Error(`The embedded SqueezeNet 1.1 weights could not be loaded: ${file} (${new URL(url, location.href).href}) ${what}. The next run fetches it again.`);

async function fetchFile(file: string, url: string): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(url);
  } catch (e) {
    throw problem(file, url, `could not be fetched (${(e as Error).message})`);
  }
  if (!r.ok) throw problem(file, url, `was answered with HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`);
  return r;
}

async function sha256(bytes: ArrayBuffer): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function load(): Promise<NetworkWeights> {
  const [manifest, bin] = await Promise.all([
    fetchFile(`${FILE}.json`, manifestUrl).then((r) => r.text()),
    fetchFile(`${FILE}.bin`, binUrl).then(async (r) => {
      const bytes = await r.arrayBuffer();
      if (bytes.byteLength !== __EMBEDDED_SQUEEZENET_BYTES__) throw problem(`${FILE}.bin`, binUrl, `is damaged: ${bytes.byteLength} bytes arrived, the file has ${__EMBEDDED_SQUEEZENET_BYTES__}`);
      if ((await sha256(bytes)) !== __EMBEDDED_SQUEEZENET_SHA256__) throw problem(`${FILE}.bin`, binUrl, 'is damaged: its SHA-256 is not the one this page was built with');
      return bytes;
    }),
  ]);
  let w: NetworkWeights;
  try {
    w = parseRawWeights(manifest, bin, FILE, 'squeezenet');
  } catch (e) {
    throw new Error(`The embedded SqueezeNet 1.1 weights could not be loaded: ${(e as Error).message}. The next run fetches it again.`);
  }
  held = true;
  return { ...w, source: EMBEDDED_WEIGHTS };
}

let held = false;
/** Whether this visit holds them already (nothing to fetch). */
export const embeddedHeld = () => held;

let loading: Promise<NetworkWeights> | null = null;

/** The embedded SqueezeNet 1.1: fetched on the first call of a visit, then from memory (a failure is tried again at the next call). */
export function embeddedSqueezenet(): Promise<NetworkWeights> {
  loading ??= load().catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}
