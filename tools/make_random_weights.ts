/**
 * Write a network's seeded random weights in our raw format:
 *   tsx tools/make_random_weights.ts OUT.json [seed] [upTo] [vgg19|squeezenet]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { networkSpec, type NetworkId } from '../src/model/networks.js';
import { randomNetwork } from '../src/model/weights.js';
import { toRawWeights } from '../src/io/raw_weights.js';

/** The network's seeded random weights (randomNetwork) up to layer `upTo` (default: all), as OUT.json + OUT.bin. */
export function writeRandomWeights(path: string, seed = 1, upTo?: string, network: NetworkId = 'vgg19'): void {
  if (!path.endsWith('.json')) throw new Error('output must be NAME.json (NAME.bin is written beside it)');
  const spec = networkSpec(network);
  const raw = toRawWeights(randomNetwork(spec.id, seed, upTo ?? spec.layerNames[spec.layerNames.length - 1]));
  mkdirSync(dirname(path) || '.', { recursive: true });
  writeFileSync(path, raw.manifest);
  writeFileSync(path.replace(/\.json$/, '.bin'), raw.bin);
}

if (process.argv[1]?.endsWith('make_random_weights.ts')) {
  const [out, seed, upTo, network] = process.argv.slice(2);
  if (!out) {
    process.stderr.write('usage: tsx tools/make_random_weights.ts OUT.json [seed] [upTo] [vgg19|squeezenet]\n');
    process.exit(2);
  }
  writeRandomWeights(out, Number(seed ?? 1), upTo || undefined, networkSpec(network ?? 'vgg19').id);
}
