/**
 * The benchmark in Node through Dawn (the `webgpu` package), no browser and no tsx: for machines
 * with a real GPU and only a Vulkan driver. Bundle it with `npm run bench:bundle` (one .mjs file) and run
 *   node bench/dist/bench-node.mjs --sizes 64,128,256,512 --name h100 [--ops] [--conv v5_winograd] [--autotune on]
 * with node_modules/webgpu next to it (see README, "Benchmark"). `npm run bench` does the same
 * through tsx, choosing the adapter, and adds PyTorch's times.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { benchOnDawn } from './dawn_run.js';
import { parseBenchArgs, saveResult } from './report.js';

Object.assign(globalThis, globals);
const args = parseBenchArgs(process.argv.slice(2), { sizes: [64, 128, 256, 512] });
// Dawn options, e.g. NST_DAWN_FLAGS="enable-dawn-features=disable_robustness" (comma-separated)
const gpu = create((process.env.NST_DAWN_FLAGS ?? '').split(',').filter(Boolean)) as unknown as GPU;
// SqueezeNet's steps with the embedded pretrained weights when the repository's weights/ is beside the bundle
const embedded = join(dirname(fileURLToPath(import.meta.url)), '../../weights/squeezenet1_1-deepscale');
const r = await benchOnDawn(gpu, args, existsSync(`${embedded}.bin`) ? embedded : undefined);
saveResult(r, args.name ?? `node-${/swiftshader|llvmpipe|software/i.test(r.adapter) ? 'cpu' : 'gpu'}`);
process.exit(0);
