/**
 * npm run gradient -- --content A --style B --out-prefix out/check [options]
 * Evaluates the Gatys loss once at the initial image: prints the per-layer content and style
 * losses and TV, and writes d(total)/d(image) for cross-checks with other frameworks:
 *   PREFIX.json          header: shape [3,H,W], dtype float32 little-endian, layout CHW in the
 *                        network's input space, the loss terms, the options and input convention
 *   PREFIX.grad.f32      the gradient
 *   PREFIX.image.f32     the image it was taken at (network space, CHW)
 *   PREFIX.content.rgba, PREFIX.styleN.rgba   the exact RGBA8 inputs after resizing
 *   PREFIX.maskN.rgba    with --style-masks: style N's mask at the content's size (RGBA8)
 *   PREFIX.temporal.rgba, PREFIX.temporal_mask.rgba   with --temporal (and --temporal-mask): the
 *                        warped previous result and its trust mask at the content's size (RGBA8)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Args, runMain } from './lib/args.js';
import { checkJobFiles, describeTuning } from './lib/engine_session.js';
import { openEngine } from './lib/dawn_engine.js';
import { JOB_FLAGS, jobHelp, parseJob } from './lib/job_args.js';
import { formatBytes } from '../src/nst/tile_budget.js';
import { checkWritable } from './lib/output_files.js';

const HELP = `Loss terms and the image gradient of the Gatys loss, for cross-checks.

usage: npm run gradient -- --content FILE --style FILE --out-prefix PREFIX [options]
  --out-prefix PREFIX     where to write PREFIX.json, PREFIX.grad.f32, …           [required]
  --temporal FILE         add Ruder et al.'s temporal term against this image (a video frame's
                          previous result warped to it), resized to the content
  --temporal-mask FILE    where to trust it (grey: white = fully; default everywhere)
  --temporal-weight W     the term's weight λ (default 1)${jobHelp('gradient')}
`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help')) {
    process.stdout.write(HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const a = new Args(argv, ['verbose', ...JOB_FLAGS]);
  const prefix = a.str('out-prefix');
  if (!prefix) throw new Error('--out-prefix PREFIX is required');
  const job = parseJob(a, 'gradient');
  const temporalImage = a.str('temporal'), temporalMask = a.str('temporal-mask');
  const temporalWeight = a.num('temporal-weight', 1, (v) => v >= 0, 'a number ≥ 0')!;
  if (!temporalImage && (temporalMask || a.has('temporal-weight'))) throw new Error('--temporal-mask and --temporal-weight need --temporal FILE');
  if (temporalImage) job.temporal = { image: temporalImage, ...(temporalMask ? { mask: temporalMask } : {}), weight: temporalWeight };
  const verbose = a.has('verbose');
  a.rejectUnknown();
  checkJobFiles(job);
  checkWritable(`${prefix}.json`, '--out-prefix');
  const session = await openEngine(job.adapter ?? 'auto', verbose);
  try {
    process.stderr.write(`adapter: ${await session.adapter()}\n`);
    const r = await session.gradient(job);
    if (r.tiling) process.stderr.write(`${r.tiling}\n`);
    process.stderr.write(describeTuning(r.tuning));
    if (verbose) process.stderr.write(`weights on the GPU: ${formatBytes(r.weightBytes)} (the forms the planned kernels read)\n`);
    mkdirSync(dirname(prefix) || '.', { recursive: true });
    const b = (a: Uint8Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    writeFileSync(`${prefix}.grad.f32`, b(r.gradient));
    writeFileSync(`${prefix}.image.f32`, b(r.image));
    writeFileSync(`${prefix}.content.rgba`, b(r.content));
    if (r.temporal) {
      writeFileSync(`${prefix}.temporal.rgba`, b(r.temporal.rgba));
      if (r.temporal.mask) writeFileSync(`${prefix}.temporal_mask.rgba`, b(r.temporal.mask));
    }
    r.styles.forEach((s, i) => {
      writeFileSync(`${prefix}.style${i}.rgba`, b(s.rgba));
      if (s.mask) writeFileSync(`${prefix}.mask${i}.rgba`, b(s.mask));
    });
    const header = {
      shape: [3, r.height, r.width],
      dtype: 'float32',
      byteOrder: 'little',
      layout: 'CHW, network input space (see "input")',
      width: r.width,
      height: r.height,
      losses: r.losses,
      options: r.options,
      input: r.input,
      weights: r.weights,
      styles: r.styles.map((s) => ({ width: s.width, height: s.height, blend: s.blend, mask: !!s.mask })),
      temporal: r.temporal ? { weight: r.temporal.weight, mask: !!r.temporal.mask } : null,
      tiling: r.tiling,
      peakBytes: r.peakBytes,
      weightBytes: r.weightBytes,
    };
    writeFileSync(`${prefix}.json`, JSON.stringify(header, null, 1));
    const l = r.losses;
    const rows = [
      ...Object.entries(l.content).map(([k, v]) => [`content ${k}`, v]),
      ...Object.entries(l.style).map(([k, v]) => [`style ${k}`, v]),
      ['tv', l.tv],
      ...(r.temporal ? [['temporal', l.temporal]] : []),
      ['total (weighted)', l.total],
    ] as [string, number][];
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(20)} ${v.toExponential(6)}\n`);
    process.stderr.write(`wrote ${prefix}.json, ${prefix}.grad.f32 (${r.width}×${r.height}, peak GPU memory ${formatBytes(r.peakBytes)}${r.tiling ? ', tiled' : ''})\n`);
    return 0;
  } finally {
    await session.close();
  }
}

runMain(main);
