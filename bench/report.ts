/** Print a benchmark result as a table and keep it under bench/results (JSON + markdown). */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { ConvVariant } from '../src/kernels/conv2d.js';
import { markdownTable, type BenchResult } from './table.js';

export function saveResult(r: BenchResult, name: string): void {
  mkdirSync('bench/results', { recursive: true });
  const md = markdownTable(r);
  writeFileSync(`bench/results/${name}.json`, JSON.stringify(r, null, 1));
  writeFileSync(`bench/results/${name}.md`, md);
  process.stdout.write(`\n${md}\nwrote bench/results/${name}.json and .md\n`);
}

/** Conv versions the whole-step rows can be forced to: those that apply to every VGG19 layer. */
const CONV_VARIANTS: ConvVariant[] = ['auto', 'reference', 'winograd'];

export function parseBenchArgs(argv: string[], defaults: { sizes: number[] }) {
  const get = (k: string) => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (get('sizes') ?? defaults.sizes.join(',')).split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 16)) throw new Error('--sizes must be integers ≥ 16, e.g. 64,128');
  const conv = get('conv') ?? 'auto';
  if (!CONV_VARIANTS.includes(conv as ConvVariant)) throw new Error(`--conv must be one of ${CONV_VARIANTS.join(', ')}, got "${conv}"`);
  return { sizes, name: get('name'), perOp: argv.includes('--ops'), conv: conv as ConvVariant };
}
