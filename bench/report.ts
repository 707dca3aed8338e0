/** Print a benchmark result as a table and keep it under bench/results (JSON + markdown). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { AUTOTUNE_MODES, checkAutotuneMode } from '../src/kernels/autotune_modes.js';
import { REGISTRY, type ConvVersion } from '../src/kernels/registry.js';
import { markdownTable, type BenchResult } from './table.js';
import { ADAPTER_CHOICES, type AdapterChoice } from '../tools/lib/dawn_adapters.js';

export function saveResult(r: BenchResult, name: string): void {
  mkdirSync('bench/results', { recursive: true });
  const md = markdownTable(r);
  writeFileSync(`bench/results/${name}.json`, JSON.stringify(r, null, 1));
  writeFileSync(`bench/results/${name}.md`, md);
  process.stdout.write(`\n${md}\nwrote bench/results/${name}.json and .md\n`);
}

/** Conv versions the whole-step rows can be forced to: those that run every VGG19 layer (any map size). */
const CONV_VERSIONS = ['auto', ...REGISTRY.conv_forward.filter((v) => v.unfit({ R: 3, N: 64, K: 3, H: 2, W: 2 }) === null && v.unfit({ R: 64, N: 3, K: 3, H: 2, W: 2 }) === null).map((v) => v.id)];

export const BENCH_USAGE = `Kernel throughput at the networks' layer shapes and whole Gatys steps; writes bench/results/NAME.{json,md}.
options:
  --sizes 64,128          image sizes of the whole steps
  --name NAME             result file name (default: by runner and adapter)
  --ops                   also each op's milliseconds per step
  --by-kernel             also each WGSL kernel's share of the step: the step timed without its
                          dispatches (adds up on CPU adapters, where --ops rows do not)
  --conv ${CONV_VERSIONS.join('|')}   force one conv version in the whole steps
  --autotune ${AUTOTUNE_MODES.join('|')}   tune the whole steps' kernel versions first (default off)
  --tile N                whole steps in tiles of N px (VGG19)
  --steps-only            skip the per-kernel rows
  --network vgg19|squeezenet   squeezenet: also SqueezeNet 1.1's kernels and steps, each size next
                          to VGG19's, with FLOPs per step and the speed-up
  --adapter auto|gpu|lavapipe|swiftshader   where it runs, as for the CLI (default auto, or $NST_ADAPTER)
  --no-torch              skip PyTorch CPU's steps (timed in the same run where Debian's torch is installed)`;

export function parseBenchArgs(argv: string[], defaults: { sizes: number[] }) {
  if (argv.includes('--help')) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    process.exit(0);
  }
  const get = (k: string) => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (get('sizes') ?? defaults.sizes.join(',')).split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 16)) throw new Error('--sizes must be integers ≥ 16, e.g. 64,128');
  const conv = get('conv') ?? 'auto';
  if (!CONV_VERSIONS.includes(conv)) throw new Error(`--conv must be one of ${CONV_VERSIONS.join(', ')}, got "${conv}"`);
  const autotune = checkAutotuneMode(get('autotune') ?? 'off');
  const tileText = get('tile');
  const tile = tileText === undefined ? undefined : Number(tileText);
  if (tile !== undefined && !(Number.isInteger(tile) && tile > 0)) throw new Error(`--tile must be a positive integer, got "${tileText}"`);
  const network = get('network') ?? 'vgg19';
  if (network !== 'vgg19' && network !== 'squeezenet') throw new Error(`--network must be vgg19 or squeezenet (squeezenet: SqueezeNet 1.1's steps next to VGG19's), got "${network}"`);
  const adapter = get('adapter') ?? (process.env.NST_ADAPTER || 'auto');
  if (!(ADAPTER_CHOICES as readonly string[]).includes(adapter)) throw new Error(`--adapter must be one of ${ADAPTER_CHOICES.join(', ')}, got "${adapter}"`);
  return {
    sizes, name: get('name'), network: network as 'vgg19' | 'squeezenet', perOp: argv.includes('--ops'), byKernel: argv.includes('--by-kernel'), conv: conv as ConvVersion | 'auto', autotune, tile, stepsOnly: argv.includes('--steps-only'),
    adapter: adapter as AdapterChoice, torch: !argv.includes('--no-torch'),
  };
}

