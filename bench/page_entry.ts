/** Headless-Chromium side of `npm run bench`. */
import { createGpuContext, describeContext } from '../src/kernels/context.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { exposedFunctionStore } from '../src/kernels/tuning_stores.js';
import { runBenchmark, type BenchOptions } from './suite.js';
import { parseRawWeights } from '../src/io/raw_weights.js';

/** The embedded SqueezeNet's files, served by bench/chromium_run.ts (null where it has none). */
async function embeddedSqueezenet() {
  const [m, b] = await Promise.all([fetch('/embedded/squeezenet.json'), fetch('/embedded/squeezenet.bin')]);
  if (!m.ok || !b.ok) return undefined;
  return parseRawWeights(await m.text(), await b.arrayBuffer(), 'squeezenet1_1-deepscale', 'squeezenet');
}

(globalThis as unknown as { bench: (o: BenchOptions) => Promise<unknown> }).bench = async (o) => {
  const lib = new KernelLibrary(await createGpuContext());
  const squeezenetWeights = o.network === 'squeezenet' ? await embeddedSqueezenet() : undefined;
  return runBenchmark(lib, describeContext(lib.ctx), 'headless Chromium', { ...o, squeezenetWeights, tuningStore: exposedFunctionStore(), log: (s) => console.log(s) });
};
