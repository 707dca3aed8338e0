/**
 * npm run viewing-style -- --content photo.jpg --style painting.jpg --result a.png[,b.png…]
 * How stylized each result looks at viewing scale: its style distance to the painting at 128 px
 * relative to the photo's own, with the embedded ImageNet SqueezeNet (src/job/viewing_style.ts).
 */
import { Args, runMain } from './lib/args.js';
import { ADAPTER_HELP, adapterFlag } from './lib/dawn_adapters.js';
import { openEngine } from './lib/dawn_engine.js';
import { readInputFile } from './lib/input_files.js';
import { VIEWING_SIDE } from '../src/job/viewing_scale.js';

const HELP = `How stylized results look at viewing scale (${VIEWING_SIDE} px), whatever size they were made at.

usage: npm run viewing-style -- --content FILE --style FILE --result FILE[,FILE…] [--json]
  For each result drawn at ${VIEWING_SIDE} px: its Gram (style) distance to the painting over the photo's
  own, per layer of the embedded ImageNet SqueezeNet 1.1 (1 = the photo unchanged, 0 = the
  painting's statistics). The measure: the mean over fire6–fire9, layers the defaults' style loss
  leaves out (a ${VIEWING_SIDE} px single-scale run of the defaults scores 0.1–0.45 by pair); also the defaults'
  own style loss over the photo's (which a ${VIEWING_SIDE} px run minimises directly).
  --content FILE          the photo the results were made from                   [required]
  --style FILE            the painting                                           [required]
  --result F[,F…]         results (same aspect as the content)                   [required]
  --json                  print {"results": [{"file", "ratio", "lossRatio", "layers"}]}
${ADAPTER_HELP}
  --verbose               show the browser's console`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    process.stdout.write(`${HELP}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const a = new Args(argv, ['json', 'verbose']);
  const content = a.str('content');
  const style = a.str('style');
  const results = (a.str('result') ?? '').split(',').filter(Boolean);
  const json = a.has('json');
  const verbose = a.has('verbose');
  const adapter = adapterFlag(a);
  a.rejectUnknown();
  if (!content) throw new Error('--content FILE is required');
  if (!style) throw new Error('--style FILE is required');
  if (results.length === 0) throw new Error('--result FILE[,FILE…] is required');
  readInputFile(content, 'content image');
  readInputFile(style, 'style image');
  for (const r of results) readInputFile(r, 'result');
  const engine = await openEngine(adapter ?? 'auto', verbose);
  try {
    const job = { content, styles: [{ path: style, blend: 1 }], weights: 'embedded', weightsSeed: 1, config: { size: VIEWING_SIDE, styleScale: 1, options: { network: 'squeezenet' as const }, reportEvery: 1, saveEvery: 0 } };
    const m = await engine.viewingStyle(job, results);
    if (json) {
      process.stdout.write(`${JSON.stringify({ results: results.map((file, i) => ({ file, ratio: m.ratios[i], lossRatio: m.lossRatios[i], layers: m.layers[i] })) })}\n`);
    } else {
      process.stdout.write(`style distance at ${VIEWING_SIDE} px over the photo's (1 = the photo, 0 = the painting's statistics)\n  fire6–9  loss  result\n`);
      results.forEach((file, i) => process.stdout.write(`  ${m.ratios[i].toFixed(3)}    ${m.lossRatios[i].toFixed(3)} ${file}\n`));
    }
    return 0;
  } finally {
    await engine.close();
  }
}

runMain(main);
