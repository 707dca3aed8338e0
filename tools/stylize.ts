/**
 * npm run stylize -- --content photo.jpg --style painting.jpg --out result.png [options]
 * Runs the WebGPU engine (Node + Dawn on a GPU or lavapipe, else headless Chromium) and writes a PNG. See --help.
 */
import { Args, runMain } from './lib/args.js';
import { checkJobFiles, describeTuning } from './lib/engine_session.js';
import { openEngine } from './lib/dawn_engine.js';
import { JOB_FLAGS, jobHelp, parseJob } from './lib/job_args.js';
import { formatBytes } from '../src/nst/tile_budget.js';
import { checkWritable } from './lib/output_files.js';
import { writePngAtomic } from './lib/png.js';
import { describePlan } from '../src/job/plan_text.js';
import { secondsLeft } from '../src/job/seconds_left.js';

const HELP = `Neural style transfer (Gatys et al.) on WebGPU.

usage: npm run stylize -- --content FILE --style FILE --out FILE.png [options]
  --out FILE.png          output PNG (written only when the run succeeds)      [required]
  --plan                  print the plan without running: each scale's size, tiles, GPU memory
                          (an upper bound) and time estimate; --out is not needed
  --save-every N          also write FILE_stepN.png every N steps
  --report-every N        read losses back every N steps (default 1; larger is faster on fast GPUs)${jobHelp('stylize')}
`;

interface ProgressInfo {
  step: number;
  iterations: number;
  secondsPerStep: number;
  elapsed: number;
  losses: { contentTotal: number; styleTotal: number; tv: number; total: number };
  scale: { index: number; count: number; width: number; height: number };
  scales: { width: number; height: number; steps: number }[];
}

function bar(p: ProgressInfo, tvWeight: number): string {
  const width = 24;
  const done = p.iterations ? Math.round((p.step / p.iterations) * width) : width;
  const eta = secondsLeft(p);
  const l = p.losses;
  const f = (v: number) => v.toExponential(3);
  const scale = p.scale.count > 1 ? `scale ${p.scale.index + 1}/${p.scale.count} ${p.scale.width}×${p.scale.height}  ` : '';
  return `${scale}[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.step}/${p.iterations}  total ${f(l.total)}  content ${f(l.contentTotal)}  style ${f(l.styleTotal)}  tv ${f(l.tv * tvWeight)}  ${p.secondsPerStep.toFixed(2)} s/step  ETA ${eta.toFixed(0)} s`;
}

/** --plan: the plan, printed; nothing is run. */
async function printPlan(job: ReturnType<typeof parseJob>, verbose: boolean): Promise<number> {
  const session = await openEngine(job.adapter ?? 'auto', verbose);
  try {
    process.stderr.write(`adapter: ${await session.adapter()}\n`);
    const plan = await session.plan(job);
    process.stdout.write(`${describePlan(plan, formatBytes).join('\n')}\nnothing was run (--plan)\n`);
    return 0;
  } finally {
    await session.close();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    process.stdout.write(HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const a = new Args(argv, ['verbose', 'plan', ...JOB_FLAGS]);
  const planOnly = a.has('plan');
  const out = a.str('out');
  if (!out && !planOnly) throw new Error('--out FILE.png is required');
  if (out && !out.toLowerCase().endsWith('.png')) throw new Error(`--out must name a .png file, got "${out}"`);
  const job = parseJob(a, 'stylize');
  job.config.saveEvery = a.int('save-every', 0, 0, 100000)!;
  job.config.reportEvery = a.int('report-every', 1, 1, 100000)!;
  const verbose = a.has('verbose');
  a.rejectUnknown();
  checkJobFiles(job);
  if (planOnly) return printPlan(job, verbose);
  const outFile = out!;
  checkWritable(outFile, '--out');

  const session = await openEngine(job.adapter ?? 'auto', verbose);
  try {
    process.stderr.write(`adapter: ${await session.adapter()}\n`);
    const tty = process.stderr.isTTY;
    const tvWeight = job.config.options.tvWeight ?? 1;
    let last = 0;
    const r = await session.stylize(
      job,
      (p) => {
        if ((p as { notice?: string }).notice) {
          process.stderr.write(`${(p as { notice: string }).notice}\n`);
          return;
        }
        const info = p as ProgressInfo;
        const line = bar(info, tvWeight);
        if (tty) process.stderr.write(`\r${line}`);
        else if (info.step === info.iterations || Date.now() - last > 2000 || info.step <= 1) {
          process.stderr.write(`${line}\n`);
          last = Date.now();
        }
      },
      (step, w, h, rgba) => {
        const path = outFile.replace(/\.png$/i, `_step${step}.png`);
        writePngAtomic(path, w, h, rgba);
        process.stderr.write(`${tty ? '\n' : ''}saved ${path}\n`);
      },
    );
    if (tty) process.stderr.write('\n');
    writePngAtomic(outFile, r.width, r.height, r.rgba);
    process.stderr.write(describeTuning(r.tuning));
    if (verbose) process.stderr.write(`weights on the GPU: ${formatBytes(r.weightBytes)} (the forms the planned kernels read)\n`);
    process.stderr.write(
      `wrote ${outFile} (${r.width}×${r.height}, ${r.steps} step${r.steps === 1 ? '' : 's'} in ${r.seconds.toFixed(1)} s, ${(r.seconds / Math.max(1, r.steps)).toFixed(2)} s/step, weights: ${r.weights}, final loss ${r.losses.total.toExponential(4)}, peak GPU memory ${formatBytes(r.peakBytes)}${r.tiles.length ? ', tiled' : ''})\n`,
    );
    return 0;
  } finally {
    await session.close();
  }
}

runMain(main);
