/**
 * The benchmark in Node through Dawn (the `webgpu` package), no browser: for machines with a real
 * GPU and only a Vulkan driver. Bundle it with `npm run bench:bundle` (one .mjs file) and run
 *   node bench/dist/bench-node.mjs --sizes 64,128,256,512 --name h100 [--ops] [--conv winograd] [--autotune on]
 * with node_modules/webgpu next to it (see README, "Benchmark on a GPU machine").
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { parseRawWeights } from '../src/io/raw_weights.js';
import { createGpuContext, describeContext } from '../src/kernels/context.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { TuningDir } from '../tools/lib/tuning_store.js';
import { parseBenchArgs, saveResult } from './report.js';
import { runBenchmark } from './suite.js';

Object.assign(globalThis, globals);
const args = parseBenchArgs(process.argv.slice(2), { sizes: [64, 128, 256, 512] });
// Dawn options, e.g. NST_DAWN_FLAGS="enable-dawn-features=disable_robustness" (comma-separated)
const gpu = create((process.env.NST_DAWN_FLAGS ?? '').split(',').filter(Boolean)) as unknown as GPU;
const lib = new KernelLibrary(await createGpuContext({ gpu }));
const adapter = describeContext(lib.ctx);
process.stderr.write(`adapter: ${adapter}\n`);
const software = lib.ctx.info.isSoftware;
// SqueezeNet's steps with the embedded pretrained weights when the repository's weights/ is beside the bundle
const embedded = join(dirname(fileURLToPath(import.meta.url)), '../../weights/squeezenet1_1-deepscale');
const squeezenetWeights =
  args.network === 'squeezenet' && existsSync(`${embedded}.bin`)
    ? parseRawWeights(readFileSync(`${embedded}.json`, 'utf8'), new Uint8Array(readFileSync(`${embedded}.bin`)).buffer, 'squeezenet1_1-deepscale', 'squeezenet')
    : undefined;
const r = await runBenchmark(lib, adapter, 'Node + Dawn', {
  sizes: args.sizes,
  kernelSize: software ? 64 : 256,
  matmulSize: software ? 512 : 2048,
  repeats: software ? 2 : 50,
  stepRepeats: software ? 1 : 20,
  perOp: args.perOp, conv: args.conv, autotune: args.autotune, tuningStore: new TuningDir(), tile: args.tile, stepsOnly: args.stepsOnly, network: args.network, squeezenetWeights,
  log: (s) => process.stderr.write(`${s}\n`),
});
saveResult(r, args.name ?? `node-${software ? 'swiftshader' : 'gpu'}`);
process.exit(0);
