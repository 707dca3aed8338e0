/**
 * The embedded weights, loaded without configuration: DeepScale's ImageNet-pretrained SqueezeNet
 * 1.1 (weights/README.md and both licences ship with the package). The manifest is part of the
 * bundle; the 2.9 MB .bin is read from beside it: from disk in Node, fetched in a browser (a
 * bundler copies it: see embedded_location.ts). In the package they are checked against the size
 * and SHA-256 recorded at build time; loaded once per page or process and kept.
 */
import manifest from '../../weights/squeezenet1_1-deepscale.json';
import { parseRawWeights } from '../io/raw_weights.js';
import type { NetworkWeights } from '../model/weights.js';
import { importAtRuntime } from './runtime.js';
import { EMBEDDED_CHECK, embeddedWeightsUrl } from './embedded_location.js';

export const EMBEDDED_SOURCE = "SqueezeNet 1.1, pretrained on ImageNet (DeepScale's weights, embedded in webgpu-neural-style)";

const FILE = 'squeezenet1_1-deepscale.bin';

async function readBytes(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') {
    // Node: a name bundlers do not follow (browsers never take this branch)
    const [{ readFile }, { fileURLToPath }] = await Promise.all([
      importAtRuntime<{ readFile(path: string): Promise<Uint8Array> }>('node:fs/promises'),
      importAtRuntime<{ fileURLToPath(url: URL): string }>('node:url'),
    ]);
    const b: Uint8Array = await readFile(fileURLToPath(url));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
  const r = await fetch(url);
  if (!r.ok) throw new Error(`answered HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`);
  return r.arrayBuffer();
}

async function sha256(bytes: ArrayBuffer): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

let loading: Promise<NetworkWeights> | null = null;

async function load(): Promise<NetworkWeights> {
  const url = embeddedWeightsUrl();
  const fail = (what: string) => new Error(`the embedded SqueezeNet 1.1 weights (${FILE}, ${url.href}) ${what}`);
  let bin: ArrayBuffer;
  try {
    bin = await readBytes(url);
  } catch (e) {
    throw fail(`could not be read: ${(e as Error).message}. If a bundler moved the package's files, serve ${FILE} beside it or pass your own weights (option weights).`);
  }
  const check = EMBEDDED_CHECK;
  if (check && bin.byteLength !== check.bytes) throw fail(`are damaged: ${bin.byteLength} bytes arrived, the file has ${check.bytes}`);
  if (check && (await sha256(bin)) !== check.sha256) throw fail('are damaged: their SHA-256 is not the one this package was built with');
  return { ...parseRawWeights(JSON.stringify(manifest), bin, FILE, 'squeezenet'), source: EMBEDDED_SOURCE };
}

/** The embedded SqueezeNet 1.1 weights (read once; a failed read is tried again next time). */
export function embeddedSqueezeNet(): Promise<NetworkWeights> {
  loading ??= load().catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}
