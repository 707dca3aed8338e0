/**
 * Where pages keep autotune tables: the browser's localStorage (the demo), or the CLI's cache
 * directory through two functions the Node side exposes (pages run by the CLI and the benchmark
 * start with a fresh browser profile, so their own storage would forget).
 */
import type { TuningStore } from './tuning_table.js';

export const EXPOSED_TUNING_LOAD = '__nstTuningLoad';
export const EXPOSED_TUNING_SAVE = '__nstTuningSave';
const PREFIX = 'webgpu-neural-style:autotune:';

export function localStorageStore(storage: Storage = globalThis.localStorage): TuningStore {
  return {
    where: "this browser's storage",
    load: async (key) => storage.getItem(PREFIX + key),
    save: async (key, text) => storage.setItem(PREFIX + key, text),
  };
}

type Exposed = Record<string, ((...args: string[]) => Promise<string | null | void>) | undefined>;

/** The Node side's store (tools/lib/tuning_store.ts), or null when this page was not given one. */
export function exposedFunctionStore(where = 'the CLI cache directory'): TuningStore | null {
  const g = globalThis as unknown as Exposed;
  if (!g[EXPOSED_TUNING_LOAD] || !g[EXPOSED_TUNING_SAVE]) return null;
  return {
    where,
    load: async (key) => ((await g[EXPOSED_TUNING_LOAD]!(key)) as string | null) ?? null,
    save: async (key, text) => {
      await g[EXPOSED_TUNING_SAVE]!(key, text);
    },
  };
}
