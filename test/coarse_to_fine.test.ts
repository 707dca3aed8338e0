/**
 * The default at photo size paints, judged at viewing scale (src/job/viewing_style.ts): the README's
 * pair (chelsea, The Starry Night) at 512 px with every default (coarse to fine) is about as
 * stylized at 128 px as the 128 px single-scale run of the README's first command, within the
 * margin below; a single-scale 512 px run is not (docs/coarse-to-fine.md).
 * Two stylize runs (~11 s and ~60 s on lavapipe, 2 cores) and one measure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tool } from './harness/cli_tool.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-c2f-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PAIR = ['--content', 'examples/chelsea.png', '--style', 'examples/starry_night.jpg'];
/**
 * Margin, on the held-out ratio (photo = 1, the painting's statistics = 0). Measured on lavapipe
 * (docs/coarse-to-fine.md): the 128 px run 0.167, the 512 px default 0.333, the single-scale 512 px
 * run 1.79 (further from the painting than the photo itself: a fine grain of swirls that the
 * thumbnail averages away, over the photo's shapes). The 128 px run minimises its loss at exactly
 * the viewing size, so it is the best a run can score here, and the default may trail it; 0.25
 * above it leaves room for other adapters' rounding and fails any default that drifts towards the
 * single-scale result.
 */
const MARGIN = 0.25;

describe('the viewing-scale measure', () => {
  it('scores the photo itself 1 on every layer, and refuses a result of another shape in one line', async () => {
    const m = await tool('tools/viewing_style.ts', [...PAIR, '--result', 'examples/chelsea.png', '--json']);
    expect(m.code, m.err).toBe(0);
    const [self] = (JSON.parse(m.out) as { results: { ratio: number; lossRatio: number; layers: Record<string, number> }[] }).results;
    expect(self.ratio).toBeCloseTo(1, 12);
    expect(self.lossRatio).toBeCloseTo(1, 12);
    expect(Object.keys(self.layers)).toEqual(expect.arrayContaining(['conv1', 'fire5', 'fire6', 'fire9']));
    const wrong = await tool('tools/viewing_style.ts', [...PAIR, '--result', 'examples/starry_night.jpg']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^error: result starry_night\.jpg is 1024×640, not the content image's shape \(128×85 at 128 px\)$/m);
  }, 300_000);
});

describe('coarse to fine by default', () => {
  it('at 512 px the default is as stylized at viewing scale as the 128 px single-scale run', async () => {
    const small = join(dir, 'small.png'), large = join(dir, 'large.png');
    const a = await tool('tools/stylize.ts', [...PAIR, '--size', '128', '--iters', '100', '--out', small]);
    expect(a.code, a.err).toBe(0);
    const b = await tool('tools/stylize.ts', [...PAIR, '--size', '512', '--out', large]);
    expect(b.code, b.err).toBe(0);
    expect(b.err).toMatch(/^coarse to fine: 128 px × 100 steps → 256 px × 60 → 512 px × 30/m);
    const m = await tool('tools/viewing_style.ts', [...PAIR, '--result', `${small},${large}`, '--json']);
    expect(m.code, m.err).toBe(0);
    const [single128, default512] = (JSON.parse(m.out) as { results: { ratio: number; lossRatio: number }[] }).results;
    expect(single128.ratio).toBeLessThan(0.7);
    expect(default512.ratio).toBeLessThanOrEqual(single128.ratio + MARGIN);
  }, 900_000);
});
