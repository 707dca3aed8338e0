/**
 * Loaded into the headless page by the CLI tools where the engine runs in Chromium (SwiftShader):
 * runs jobs with the engine (engine_api.ts) on the browser's WebGPU; images and weights are
 * fetched from the tool's local server, results go back with typed arrays as base64 (wire.ts),
 * progress and snapshots through functions the Node side exposes (__nstProgress, __nstSnapshot,
 * the autotune store).
 */
import { createGpuContext } from '../../src/kernels/context.js';
import { KernelLibrary } from '../../src/kernels/library.js';
import { exposedFunctionStore } from '../../src/kernels/tuning_stores.js';
import { toBase64 } from './base64.js';
import { createEngineApi, type EngineApi } from './engine_api.js';
import { toWire } from './wire.js';

/** Weights as the page gets them: seeded random, or our raw format's two files staged by URL. */
export type PageWeights = { kind: 'random'; seed: number; network?: 'vgg19' | 'squeezenet' } | { kind: 'raw'; name: string; manifestUrl: string; binUrl: string };
export type PageApi = EngineApi<string, PageWeights>;

type Exposed = {
  __nstProgress?: (json: string) => Promise<void>;
  __nstSnapshot?: (step: number, width: number, height: number, b64: string) => Promise<void>;
};

let lib: KernelLibrary | null = null;
const g = globalThis as unknown as Exposed;

async function fetchBlob(url: string, what: string): Promise<Blob> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${what}: could not be read (${r.status})`);
  return r.blob();
}

const api: PageApi = createEngineApi<string, PageWeights>({
  async library() {
    if (!lib) lib = new KernelLibrary(await createGpuContext());
    return lib;
  },
  image: fetchBlob,
  async weights(w) {
    if (w.kind === 'random') return w;
    const [manifest, bin] = await Promise.all([fetchBlob(w.manifestUrl, w.name).then((b) => b.text()), fetchBlob(w.binUrl, w.name).then((b) => b.arrayBuffer())]);
    return { kind: 'raw', name: w.name, manifest, bin };
  },
  // looked up per job: the Node side exposes the store's functions after the page has loaded
  get store() {
    return exposedFunctionStore() ?? undefined;
  },
  progress: (p) => void g.__nstProgress?.(JSON.stringify(p)),
  snapshot: (step, img) => void g.__nstSnapshot?.(step, img.width, img.height, toBase64(img.data as Uint8Array)),
});

/** Each method with its result wired for page.evaluate. */
(globalThis as unknown as { nst: Record<string, (job: never) => Promise<unknown>> }).nst = Object.fromEntries(
  Object.entries(api).map(([name, f]) => [name, async (job: never) => toWire(await (f as (j: never) => Promise<unknown>)(job))]),
);
