/**
 * npm run bench [-- --sizes 64,128,256 --network vgg19|squeezenet --adapter auto|gpu|lavapipe|swiftshader --name NAME --ops …]
 * The benchmark on the adapter the CLI would use (Node + Dawn on a GPU or lavapipe, else headless
 * Chromium on SwiftShader), then PyTorch CPU's time for the same steps in the same run where
 * Debian's torch is installed; writes bench/results/NAME.{json,md}. See --help.
 */
import { availableParallelism } from 'node:os';
import { runMain } from '../tools/lib/args.js';
import { allowShaderImports, findDawnAdapter } from '../tools/lib/dawn_engine.js';
import { EMBEDDED_SQUEEZENET } from '../tools/lib/weights_files.js';

async function main(): Promise<number> {
  // the engine's modules import their .wgsl sources (the options read the kernel registry): the
  // loader goes in before any of them is loaded
  allowShaderImports();
  const { parseBenchArgs, saveResult } = await import('./report.js');
  const { benchInChromium } = await import('./chromium_run.js');
  const { torchSteps } = await import('./pytorch.js');
  const args = parseBenchArgs(process.argv.slice(2), { sizes: [64, 128, 256] });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const found = await findDawnAdapter(args.adapter);
  let r;
  if (found) {
    const { benchOnDawn } = await import('./dawn_run.js');
    r = await benchOnDawn(found.gpu, args, EMBEDDED_SQUEEZENET.replace(/\.json$/, ''));
  } else {
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
