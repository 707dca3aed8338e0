/**
 * npm run quality -- [options]
 * How far the network's reconstructions are from noise, measured with the engine (on the adapter
 * --adapter picks): for each image and size, the content reconstructions from the chosen layers (VGG19:
 * conv4_2; SqueezeNet 1.1: conv1, fire2, fire3, fire5, fire9; SSIM of luminance to the original,
 * high-frequency ratio) and the style reconstructions of the network's growing layer sets
 * (high-frequency ratio), against fixed targets (SSIM ≥ 0.5, ratios ≤ 1.5). Prints a Markdown
 * table; --out also writes it to a file.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TileMetrics } from '../src/job/reconstruct.js';
import { DEFAULT_RECONSTRUCTION, defaultReconstructionLayers, type ReconstructionSettings } from '../src/job/reconstruct_targets.js';
import { NETWORK_IDS, networkSpec, type NetworkId } from '../src/model/networks.js';
import { Args, runMain } from './lib/args.js';
import { ADAPTER_HELP, adapterFlag } from './lib/dawn_adapters.js';
import { openEngine } from './lib/dawn_engine.js';
import { checkWritable } from './lib/output_files.js';
import { writePngAtomic } from './lib/png.js';
import { checkWeightsSpec } from './lib/weights_files.js';

const HELP = `Reconstruction quality of a network (SSIM of luminance, high-frequency ratio), with the engine.

usage: npm run quality -- [options]
  --images A,B,…     images (default: the bundled photos, and the photos and paintings in ../shared/examples if present)
  --sizes 128,256    working sizes, longer side (default 128)
  --iters N          Adam steps per reconstruction (default 200)
  --modes content,style   which reconstructions (default both)
  --network vgg19|squeezenet   the feature network (default vgg19)
  --content-layers L,…   content reconstructions, one per layer (default: VGG19 conv4_2;
                     SqueezeNet conv1,fire2,fire3,fire5,fire9)
  --weights W        as for stylize (default random: the network's seeded random weights;
                     embedded: SqueezeNet's pretrained ImageNet weights)
  --pooling max|avg  --tv-weight T   override the network's recommendations
  --out FILE.md      also write the table there
  --grids DIR        also write each labelled grid PNG there
${ADAPTER_HELP}
  --verbose          show the browser's console
`;

const PHOTOS = ['examples/chelsea.png', 'examples/rocket.jpg', ...['coffee.png', 'astronaut.png'].map((f) => join('..', 'shared', 'examples', f))];
const PAINTINGS = ['starry_night.jpg', 'the_scream.jpg', 'shipwreck.jpg'].map((f) => join('examples', f));
const TARGETS = { ssim: 0.5, hf: 1.5 };

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const a = new Args(argv, ['verbose']);
  const images = (a.str('images') ?? [...PHOTOS, ...PAINTINGS].filter((p) => existsSync(p)).join(',')).split(',').filter(Boolean);
  const sizes = a.str('sizes', '128')!.split(',').map(Number);
  const iterations = a.int('iters', 200, 1, 100000)!;
  const modes = a.str('modes', 'content,style')!.split(',');
  const network = a.choice('network', NETWORK_IDS, 'vgg19')! as NetworkId;
  const contentLayers = (a.str('content-layers') ?? (network === 'vgg19' ? 'conv4_2' : defaultReconstructionLayers('content', network).join(','))).split(',');
  const styleLayers = defaultReconstructionLayers('style', network);
  const weights = a.str('weights', 'random')!;
  const pooling = a.choice('pooling', ['max', 'avg'] as const);
  const tvWeight = a.num('tv-weight', undefined, (v) => v >= 0, 'a number ≥ 0');
  const out = a.str('out');
  const grids = a.str('grids');
  const verbose = a.has('verbose');
  const adapter = adapterFlag(a);
  a.rejectUnknown();
  if (sizes.some((s) => !Number.isInteger(s) || s < 32 || s > 4096)) throw new Error(`--sizes must be integers in [32, 4096], got "${sizes.join(',')}"`);
  if (modes.some((m) => m !== 'content' && m !== 'style')) throw new Error(`--modes must list content and/or style, got "${modes.join(',')}"`);
  for (const i of images) if (!existsSync(i)) throw new Error(`image "${i}" does not exist`);
  const known = networkSpec(network).layerNames;
  for (const l of contentLayers) if (!known.includes(l)) throw new Error(`--content-layers: "${l}" is not a ${networkSpec(network).label} layer (known: ${known.join(', ')})`);
  checkWeightsSpec(weights, network);
  if (out) checkWritable(out, '--out');

  const rows: string[] = [];
  const header = ['image', 'size', ...(modes.includes('content') ? contentLayers.flatMap((l) => [`${l} SSIM`, `${l} HF`]) : []), ...(modes.includes('style') ? styleLayers.map((l) => `style ..${l} HF`) : []), 'seconds'];
  rows.push(`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i < 1 ? '---' : '---:')).join(' | ')} |`);
  let failures = 0;
  const mark = (ok: boolean, text: string) => (ok ? text : (failures++, `**${text}**`));
  const session = await openEngine(adapter, verbose);
  let weightsName = '';
  try {
    process.stderr.write(`adapter: ${await session.adapter()}\n`);
    for (const image of images) {
      for (const size of sizes) {
        const cells: string[] = [basename(image), String(size)];
        let seconds = 0;
        for (const mode of modes as ('content' | 'style')[]) {
          const settings: ReconstructionSettings = { ...DEFAULT_RECONSTRUCTION, network, iterations, pooling, tvWeight, layers: mode === 'content' ? contentLayers : styleLayers };
          const r = await session.reconstruct({ image, mode, size, settings, weights, weightsSeed: 1 }, (p) => {
            const q = p as { index: number; count: number; label: string; step: number; iterations: number };
            if (process.stderr.isTTY) process.stderr.write(`\r${basename(image)} ${size}px ${mode} [${q.index + 1}/${q.count}] ${q.label} step ${q.step}/${q.iterations}   `);
          });
          weightsName = r.weights;
          seconds += r.seconds;
          const m = r.metrics as TileMetrics[];
          if (mode === 'content') cells.push(...m.flatMap((t) => [mark(t.ssim! >= TARGETS.ssim, t.ssim!.toFixed(2)), mark(t.highFrequencyRatio <= TARGETS.hf, t.highFrequencyRatio.toFixed(2))]));
          else cells.push(...m.map((t) => mark(t.highFrequencyRatio <= TARGETS.hf, t.highFrequencyRatio.toFixed(2))));
          if (grids) {
            mkdirSync(grids, { recursive: true });
            writePngAtomic(join(grids, `${basename(image).replace(/\.\w+$/, '')}_${size}_${mode}.png`), r.width, r.height, r.rgba);
          }
        }
        cells.push(seconds.toFixed(0));
        rows.push(`| ${cells.join(' | ')} |`);
        process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}${rows[rows.length - 1]}\n`);
      }
    }
  } finally {
    await session.close();
  }
  const table = [
    `Reconstructions from white noise, ${iterations} Adam steps each, weights: ${weightsName}${pooling ? `, pooling ${pooling}` : ''}${tvWeight !== undefined ? `, TV ${tvWeight}` : ''}.`,
    `Targets: SSIM ≥ ${TARGETS.ssim}, high-frequency (HF) ratios ≤ ${TARGETS.hf}; misses in bold (${failures}).`,
    '',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(`\n${table}`);
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, table);
  }
  return 0;
}

runMain(main);
