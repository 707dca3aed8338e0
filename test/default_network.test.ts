/**
 * The offline default network: the same seed gives the same weights bit for bit (in Node and in
 * the page), it brings its recommended settings (avg pooling, TV prior, larger β), the user's
 * settings win over them, and loaded weights run as they are, with the engine's defaults.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/nst/options.js';
import { randomVgg19 } from '../src/model/weights.js';
import { RANDOM_NETWORK_DEFAULTS, withNetworkDefaults } from '../src/nst/defaults.js';
import { parseRawWeights, toRawWeights } from '../src/io/raw_weights.js';
import { launchGpuPage, type BrowserSession } from '../tools/lib/browser.js';
import { bundleForBrowser } from '../tools/lib/bundle.js';
import type { EngineTestApi } from './harness/nst_entry.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-default-net-'));
let s: BrowserSession;
beforeAll(async () => {
  s = await launchGpuPage({ script: await bundleForBrowser(fileURLToPath(new URL('./harness/nst_entry.ts', import.meta.url))) });
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const digest = (seed: number, upTo: string) => createHash('sha256').update(toRawWeights(randomVgg19(seed, upTo)).bin).digest('hex');
// recorded once; a change here changes every default result (update the numbers in README.md and docs/ with it)
const SEED1_CONV5_1 = 'b6b52fbda53fea64badd108df7621331d2ea4f8c1a16af7a02c331e724a93a77';

describe('the offline default network', () => {
  it('is the same, bit for bit, for a seed: across runs, in Node and in the page', async () => {
    expect(digest(1, 'conv5_1')).toBe(SEED1_CONV5_1);
    expect(digest(2, 'conv5_1')).not.toBe(SEED1_CONV5_1);
    const inPage = await s.page.evaluate(() => (globalThis as unknown as { engine: EngineTestApi }).engine.randomWeightsDigest(1, 'conv5_1'));
    expect(inPage).toBe(SEED1_CONV5_1);
  });

  it('brings its settings; the user\'s win; loaded weights keep the engine\'s defaults', () => {
    const random = randomVgg19(1, 'conv2_2');
    const o = resolveOptions(withNetworkDefaults({ iterations: 3 }, random, 'stylize'));
    expect([o.pooling, o.styleWeight, o.tvWeight]).toEqual(['avg', 1e6, 0.1]);
    const mine = resolveOptions(withNetworkDefaults({ pooling: 'max', styleWeight: 5, tvWeight: undefined }, random, 'stylize'));
    expect([mine.pooling, mine.styleWeight, mine.tvWeight]).toEqual(['max', 5, RANDOM_NETWORK_DEFAULTS.stylize.tvWeight]);
    const raw = toRawWeights(random);
    const loaded = parseRawWeights(raw.manifest, raw.bin.buffer as ArrayBuffer, 'file');
    const l = resolveOptions(withNetworkDefaults({}, loaded, 'stylize'));
    expect([l.pooling, l.styleWeight, l.tvWeight]).toEqual(['max', 1e4, 1]);
    // the values themselves are not touched (no normalisation)
    expect(loaded.layers.get('conv2_2')!.weight).toEqual(random.layers.get('conv2_2')!.weight);
  });

  it('the CLI uses them for the random default only (gradient tool, options written to its header)', () => {
    const raw = toRawWeights(randomVgg19(1));
    writeFileSync(join(dir, 'w.json'), raw.manifest);
    writeFileSync(join(dir, 'w.bin'), raw.bin);
    const options = (weights: string) => {
      const prefix = join(dir, weights.replace(/\W/g, ''));
      const r = spawnSync('npx', ['tsx', 'tools/gradient.ts', '--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--size', '24', '--content-layers', 'conv2_2', '--style-layers', 'conv1_1', '--weights', weights, '--out-prefix', prefix], { encoding: 'utf8', timeout: 300_000 });
      expect(r.status, r.stderr).toBe(0);
      const o = JSON.parse(readFileSync(`${prefix}.json`, 'utf8')).options;
      return [o.pooling, o.styleWeight, o.tvWeight];
    };
    expect(options('random')).toEqual(['avg', 1e6, 0.1]);
    expect(options(join(dir, 'w.json'))).toEqual(['max', 1e4, 1]);
  });
});
