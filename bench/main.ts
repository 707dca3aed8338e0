/**
 * npm run bench [-- --sizes 64,128,256 --network vgg19|squeezenet --adapter auto|gpu|lavapipe|swiftshader --name NAME --ops …]
 * The benchmark on the adapter the CLI would use (Node + Dawn on a GPU or lavapipe, else headless
 * Chromium on SwiftShader), then PyTorch CPU's time for the same steps in the same run where
 * Debian's torch is installed; writes bench/results/NAME.{json,md}. See --help.
 */
import { availableParallelism } from 'node:os';
import { register } from 'node:module';
import { runMain } from '../tools/lib/args.js';
import { findGpu, findLavapipe } from '../tools/lib/dawn_adapters.js';
import { EMBEDDED_SQUEEZENET } from '../tools/lib/weights_files.js';
import { benchInChromium } from './chromium_run.js';
import { torchSteps } from './pytorch.js';
import { parseBenchArgs, saveResult } from './report.js';

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), { sizes: [64, 128, 256] });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const found = args.adapter === 'swiftshader' ? null : args.adapter === 'gpu' ? await findGpu() : args.adapter === 'lavapipe' ? await findLavapipe() : ((await findGpu()) ?? (await findLavapipe()));
  if (!found && args.adapter !== 'swiftshader' && args.adapter !== 'auto') throw new Error(`--adapter ${args.adapter}: not found (see README, "Where the engine runs")`);
  let r;
  if (found) {
    register('../tools/lib/wgsl_loader.mjs', import.meta.url);
    const { benchOnDawn } = await import('./dawn_run.js');
    r = await benchOnDawn(found.gpu, args, EMBEDDED_SQUEEZENET.replace(/\.json$/, ''));
  } else {
    if (args.adapter === 'auto') log('note: no GPU and no lavapipe found: benchmarking SwiftShader in headless Chromium');
    r = await benchInChromium(args);
  }
  // lavapipe and SwiftShader run on every core; PyTorch gets as many threads
  if (args.torch) {
    const t = torchSteps(args.network === 'squeezenet' ? ['vgg19', 'squeezenet'] : ['vgg19'], args.sizes, availableParallelism(), log);
    if (t) r.pytorch = t;
  }
  const kind = /llvmpipe|lavapipe/i.test(r.adapter) ? 'lavapipe' : /swiftshader/i.test(r.adapter) ? 'swiftshader' : 'gpu';
  saveResult(r, args.name ?? `${found ? 'dawn' : 'chromium'}-${kind}${args.network === 'squeezenet' ? '-squeezenet' : ''}`);
  return 0;
}

runMain(main);
