/** Print a benchmark result as a table and keep it under bench/results (JSON + markdown). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { markdownTable, type BenchResult } from './table.js';

export function saveResult(r: BenchResult, name: string): void {
  mkdirSync('bench/results', { recursive: true });
  const md = markdownTable(r);
  writeFileSync(`bench/results/${name}.json`, JSON.stringify(r, null, 1));
  writeFileSync(`bench/results/${name}.md`, md);
  process.stdout.write(`\n${md}\nwrote bench/results/${name}.json and .md\n`);
}

export function parseBenchArgs(argv: string[], defaults: { sizes: number[] }) {
  const get = (k: string) => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (get('sizes') ?? defaults.sizes.join(',')).split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 16)) throw new Error('--sizes must be integers ≥ 16, e.g. 64,128');
  return { sizes, name: get('name'), perOp: argv.includes('--ops') };
}
