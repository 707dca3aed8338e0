/** Write the seeded random VGG19 in our raw format: tsx tools/make_random_weights.ts OUT.json [seed] [upTo] */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomVgg19 } from '../src/nst/weights.js';
import { toRawWeights } from '../src/io/raw_weights.js';

export function writeRandomWeights(path: string, seed = 1, upTo = 'conv5_4'): void {
  if (!path.endsWith('.json')) throw new Error('output must be NAME.json (NAME.bin is written beside it)');
  const raw = toRawWeights(randomVgg19(seed, upTo));
  mkdirSync(dirname(path) || '.', { recursive: true });
  writeFileSync(path, raw.manifest);
  writeFileSync(path.replace(/\.json$/, '.bin'), raw.bin);
}

if (process.argv[1]?.endsWith('make_random_weights.ts')) {
  const [out, seed, upTo] = process.argv.slice(2);
  if (!out) {
    process.stderr.write('usage: tsx tools/make_random_weights.ts OUT.json [seed] [upTo]\n');
    process.exit(2);
  }
  writeRandomWeights(out, Number(seed ?? 1), upTo ?? 'conv5_4');
}
