/**
 * npm run reconstruct -- --image photo.jpg --mode content|style --out grid.png [options]
 * Content or style reconstructions from white noise (Gatys et al., Fig. 1) as a labelled grid,
 * computed on the adapter --adapter picks (see tools/lib/dawn_adapters.ts).
 */
import type { ReconstructionProgress } from '../src/job/reconstruct.js';
import { runMain } from './lib/args.js';
import { describeTuning } from './lib/engine_session.js';
import { openEngine } from './lib/dawn_engine.js';
import { formatBytes } from '../src/nst/tile_budget.js';
import { writePngAtomic } from './lib/png.js';
import { describePlan } from '../src/job/plan_text.js';
import { parseReconstructArgs, progressLine, RECONSTRUCT_HELP } from './lib/reconstruct_args.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    process.stdout.write(RECONSTRUCT_HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const { image, mode, out, plan, size, settings, weights, weightsSeed, autotune, adapter, verbose } = parseReconstructArgs(argv);
  const session = await openEngine(adapter, verbose);
  try {
    process.stderr.write(`adapter: ${await session.adapter()}\n`);
    if (plan) {
      const p = await session.planReconstruction({ image, mode, size, settings, weights, weightsSeed, autotune });
      process.stdout.write(`${describePlan(p, formatBytes).join('\n')}\nnothing was run (--plan)\n`);
      return 0;
    }
    const report = progressLine();
    const r = await session.reconstruct({ image, mode, size, settings, weights, weightsSeed, autotune }, (p) => {
      const notice = (p as { notice?: string }).notice;
      if (notice) process.stderr.write(`${notice}\n`);
      else report(p as ReconstructionProgress);
    });
    report(null);
    writePngAtomic(out!, r.width, r.height, r.rgba);
    process.stderr.write(describeTuning(r.tuning));
    process.stderr.write(`wrote ${out} (${r.width}×${r.height}: original, ${r.labels.join(', ')}; ${r.seconds.toFixed(1)} s, weights: ${r.weights}, peak GPU memory ${formatBytes(r.peakBytes)})\n`);
    for (const m of r.metrics) process.stderr.write(`  ${m.label.padEnd(18)}${m.ssim === null ? '' : ` SSIM ${m.ssim.toFixed(3)}`}  high-frequency ratio ${m.highFrequencyRatio.toFixed(2)}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

runMain(main);
