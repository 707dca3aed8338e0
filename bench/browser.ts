/**
 * npm run bench [-- --sizes 64,128,256 --name NAME --ops --conv auto|naive|direct|winograd --autotune off|auto|on|refresh --network vgg19|squeezenet]
 * (--ops: also each op's time per step; --conv: force one conv version in the whole steps;
 * --autotune: tune the whole steps' kernel versions, tables kept in the CLI cache directory;
 * --network squeezenet: SqueezeNet 1.1's kernels and steps too, each size next to VGG19's)
 * Runs the benchmark in headless Chromium (SwiftShader here) and writes bench/results/NAME.{json,md}.
 */
import { fileURLToPath } from 'node:url';
import { launchGpuPage } from '../tools/lib/browser.js';
import { bundleForBrowser } from '../tools/lib/bundle.js';
import { exposeTuningStore } from '../tools/lib/tuning_store.js';
import { loadEmbedded } from '../tools/lib/weights_files.js';
import { parseBenchArgs, saveResult } from './report.js';
import type { BenchOptions } from './suite.js';
import type { BenchResult } from './table.js';

const args = parseBenchArgs(process.argv.slice(2), { sizes: [64, 128, 256] });
// SqueezeNet's steps run with the embedded pretrained weights, as the CLI's do
const embedded = await loadEmbedded();
const files = { '/embedded/squeezenet.json': { body: embedded.manifest, type: 'application/json' }, '/embedded/squeezenet.bin': { body: embedded.bin, type: 'application/octet-stream' } };
const s = await launchGpuPage({ script: await bundleForBrowser(fileURLToPath(new URL('./page_entry.ts', import.meta.url))), files, onConsole: (t) => !t.includes('404') && console.error(t) });
try {
  await exposeTuningStore(s.page);
  const software = true; // conservative repeat counts: the CPU adapter is slow
  const opts: BenchOptions = { sizes: args.sizes, kernelSize: 64, matmulSize: 512, repeats: software ? 2 : 20, stepRepeats: 1, perOp: args.perOp, conv: args.conv, autotune: args.autotune, tile: args.tile, stepsOnly: args.stepsOnly, network: args.network };
  const r = (await s.page.evaluate((o) => (globalThis as unknown as { bench: (o: BenchOptions) => Promise<BenchResult> }).bench(o), opts)) as BenchResult;
  saveResult(r, args.name ?? `chromium-${/swiftshader/i.test(r.adapter) ? 'swiftshader' : 'gpu'}`);
} finally {
  await s.close();
}
