/** Headless-Chromium side of `npm run bench`. */
import { createGpuContext, describeContext } from '../src/kernels/context.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { exposedFunctionStore } from '../src/kernels/tuning_stores.js';
import { runBenchmark, type BenchOptions } from './suite.js';

(globalThis as unknown as { bench: (o: BenchOptions) => Promise<unknown> }).bench = async (o) => {
  const lib = new KernelLibrary(await createGpuContext());
  return runBenchmark(lib, describeContext(lib.ctx), 'headless Chromium', { ...o, tuningStore: exposedFunctionStore(), log: (s) => console.log(s) });
};
