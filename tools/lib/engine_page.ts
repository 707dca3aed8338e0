/**
 * Loaded into the headless page by the CLI tools: runs jobs with the engine (engine_api.ts) on the
 * browser's WebGPU and reports back through functions the Node side exposes (__nstProgress,
 * __nstSnapshot, the autotune store). Files are fetched from the tool's local server.
 */
import { createGpuContext } from '../../src/kernels/context.js';
import { KernelLibrary } from '../../src/kernels/library.js';
import { exposedFunctionStore } from '../../src/kernels/tuning_stores.js';
import { toBase64 } from './base64.js';
import { createEngineApi } from './engine_api.js';

export type { EngineApi, PageJob, PageReconstruction } from './engine_api.js';

type Exposed = {
  __nstProgress?: (json: string) => Promise<void>;
  __nstSnapshot?: (step: number, width: number, height: number, b64: string) => Promise<void>;
};

let lib: KernelLibrary | null = null;
const g = globalThis as unknown as Exposed;

const api = createEngineApi({
  async library() {
    if (!lib) lib = new KernelLibrary(await createGpuContext());
    return lib;
  },
  async fetchBlob(url, what) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${what}: could not be read (${r.status})`);
    return r.blob();
  },
  // looked up per job: the Node side exposes the store's functions after the page has loaded
  get store() {
    return exposedFunctionStore() ?? undefined;
  },
  progress: (p) => void g.__nstProgress?.(JSON.stringify(p)),
  snapshot: (step, w, h, rgba) => void g.__nstSnapshot?.(step, w, h, toBase64(rgba)),
});

(globalThis as unknown as { nst: typeof api }).nst = api;
