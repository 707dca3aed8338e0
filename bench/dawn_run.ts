/** The benchmark in Node through Dawn, on a GPU object from the `webgpu` package (a GPU or lavapipe). */
import { readFileSync } from 'node:fs';
import { parseRawWeights } from '../src/io/raw_weights.js';
import { createGpuContext, describeContext } from '../src/kernels/context.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { TuningDir } from '../tools/lib/tuning_store.js';
import type { parseBenchArgs } from './report.js';
import { runBenchmark } from './suite.js';
import type { BenchResult } from './table.js';

/** `embedded`: the path of the embedded SqueezeNet's files without .json/.bin, for its steps (else seeded random weights). */
export async function benchOnDawn(gpu: GPU, args: ReturnType<typeof parseBenchArgs>, embedded?: string): Promise<BenchResult> {
  const lib = new KernelLibrary(await createGpuContext({ gpu }));
  const adapter = describeContext(lib.ctx);
  process.stderr.write(`adapter: ${adapter}\n`);
  const software = lib.ctx.info.isSoftware;
  const squeezenetWeights =
    args.network === 'squeezenet' && embedded
      ? parseRawWeights(readFileSync(`${embedded}.json`, 'utf8'), new Uint8Array(readFileSync(`${embedded}.bin`)).buffer, 'squeezenet1_1-deepscale', 'squeezenet')
      : undefined;
  try {
    return await runBenchmark(lib, adapter, 'Node + Dawn', {
      sizes: args.sizes,
      kernelSize: software ? 64 : 256,
      matmulSize: software ? 512 : 2048,
      repeats: software ? 2 : 50,
      stepRepeats: software ? 3 : 20,
      perOp: args.perOp, byKernel: args.byKernel, conv: args.conv, autotune: args.autotune, tuningStore: new TuningDir(), tile: args.tile, stepsOnly: args.stepsOnly, network: args.network, squeezenetWeights,
      log: (s) => process.stderr.write(`${s}\n`),
    });
  } finally {
    lib.destroy();
  }
}
