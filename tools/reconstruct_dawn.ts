/**
 * The reconstruct tool in Node through Dawn (the `webgpu` package), without a browser — for
 * machines with a GPU and a Vulkan driver only. PNG input (decoded with pngjs, resized
 * bilinearly on the CPU). Same options as `npm run reconstruct`:
 *   npm run reconstruct:dawn -- --image examples/chelsea.png --mode style --size 256 --out grid.png
 * (it bundles this file to tools/dist/reconstruct-dawn.mjs, which runs anywhere node_modules/webgpu is).
 */
import { readFileSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { createGpuContext, describeContext } from '../src/kernels/context.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { fitSize } from '../src/io/decode.js';
import { composeGrid } from '../src/job/grid.js';
import { minImageSide } from '../src/nst/options.js';
import { reconstruct } from '../src/job/reconstruct.js';
import { loadWeights, type WeightsSource } from '../src/job/prepare.js';
import { resizeBilinear, type RgbaImage } from '../src/io/rgba_image.js';
import { deepestOf, networkSpec } from '../src/model/networks.js';
import { runMain } from './lib/args.js';
import { decodePngOverWhite, writePngAtomic } from './lib/png.js';
import { parseReconstructArgs, progressLine, RECONSTRUCT_HELP } from './lib/reconstruct_args.js';
import { resolveWeights } from './lib/weights_files.js';

/** Held for the whole run: Dawn stops delivering GPU events once its instance is garbage-collected. */
let gpu: GPU | null = null;

function readPng(path: string): RgbaImage {
  return decodePngOverWhite(new Uint8Array(readFileSync(path)), `image ${path}`);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    process.stdout.write(RECONSTRUCT_HELP.replace('npm run reconstruct --', 'npm run reconstruct:dawn --'));
    return argv.length === 0 ? 2 : 0;
  }
  const a = parseReconstructArgs(argv);
  if (a.plan || !a.out) throw new Error('--plan: use npm run reconstruct -- … --plan (it plans on any adapter, this tool included)');
  const network = a.settings.network ?? 'vgg19';
  const deepest = deepestOf(networkSpec(network), a.settings.layers);
  const minSide = minImageSide(deepest, network);
  const src = readPng(a.image);
  const s = fitSize(src.width, src.height, a.size);
  if (Math.min(src.width, src.height, s.width, s.height) < minSide) throw new Error(`image ${a.image} (${src.width}×${src.height}) at size ${a.size} would be ${s.width}×${s.height}; at least ${minSide} px per side are needed`);
  const image = resizeBilinear(src, s.width, s.height);
  const file = await resolveWeights(a.weights, a.weightsSeed, deepest, undefined, network);
  const source: WeightsSource =
    file.kind === 'raw' ? { kind: 'raw', name: file.name, manifest: file.manifest, bin: file.bin.buffer.slice(file.bin.byteOffset, file.bin.byteOffset + file.bin.byteLength) as ArrayBuffer } : file;
  const weights = loadWeights(source, deepest, network);

  Object.assign(globalThis, globals);
  gpu = create([]) as unknown as GPU;
  const lib = new KernelLibrary(await createGpuContext({ gpu }));
  process.stderr.write(`adapter: ${describeContext(lib.ctx)}\n`);
  const t0 = performance.now();
  const report = progressLine();
  const tiles = await reconstruct(lib, weights, image, a.mode, a.settings, { onProgress: report });
  report(null);
  const title = `${a.mode} reconstructions of ${a.image.split('/').pop()} from noise (${weights.source}, ${a.settings.iterations} steps)`;
  const grid = composeGrid(title, [{ label: 'original', image }, ...tiles], { columns: tiles.length + 1 });
  writePngAtomic(a.out, grid.width, grid.height, grid.data as Uint8Array);
  process.stderr.write(`wrote ${a.out} (${grid.width}×${grid.height}; ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  lib.destroy();
  return 0;
}

runMain(main);
