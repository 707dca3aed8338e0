/**
 * Dispatches made for a single use: run, then their uniform buffers freed. Its own module so that
 * the kernels the library's planner reaches (conv/weights.ts) need not import library.ts at run time.
 */
import type { Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';

/** Run dispatches made for a single use, then free their uniform buffers. */
export function runOnce(lib: KernelLibrary, dispatches: readonly Dispatch[]): void {
  lib.run(dispatches);
  for (const d of dispatches) d.destroy();
}
