/** The benchmark in headless Chromium (bench/page_entry.ts), on the browser's WebGPU adapter (SwiftShader here). */
import { fileURLToPath } from 'node:url';
import { launchGpuPage } from '../tools/lib/browser.js';
import { bundleForBrowser } from '../tools/lib/bundle.js';
import { exposeTuningStore } from '../tools/lib/tuning_store.js';
import { loadEmbedded } from '../tools/lib/weights_files.js';
import type { parseBenchArgs } from './report.js';
import type { BenchOptions } from './suite.js';
import type { BenchResult } from './table.js';

export async function benchInChromium(args: ReturnType<typeof parseBenchArgs>): Promise<BenchResult> {
  // SqueezeNet's steps run with the embedded pretrained weights, as the CLI's do
  const embedded = await loadEmbedded();
  const files = { '/embedded/squeezenet.json': { body: embedded.manifest, type: 'application/json' }, '/embedded/squeezenet.bin': { body: embedded.bin, type: 'application/octet-stream' } };
  const s = await launchGpuPage({ script: await bundleForBrowser(fileURLToPath(new URL('./page_entry.ts', import.meta.url))), files, onConsole: (t) => !t.includes('404') && console.error(t) });
  try {
    await exposeTuningStore(s.page);
    // conservative repeat counts: the CPU adapter is slow
    const opts: BenchOptions = { sizes: args.sizes, kernelSize: 64, matmulSize: 512, repeats: 2, stepRepeats: 1, perOp: args.perOp, byKernel: args.byKernel, conv: args.conv, autotune: args.autotune, tile: args.tile, stepsOnly: args.stepsOnly, network: args.network };
    return (await s.page.evaluate((o) => (globalThis as unknown as { bench: (o: BenchOptions) => Promise<BenchResult> }).bench(o), opts)) as BenchResult;
  } finally {
    await s.close();
  }
}
