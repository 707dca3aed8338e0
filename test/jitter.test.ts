/** The one-pixel jitter option (options.jitter): checked, runs, converges, keeps memory flat, is reproducible. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/nst/defaults.js';
import { resolveOptions, type StyleTransferOptions } from '../src/nst/options.js';
import { engineTestPage } from './harness/engine_test_page.js';

describe('jitter option', () => {
  it('is a boolean, off for VGG19', () => {
    expect(DEFAULT_OPTIONS.jitter).toBe(false);
    expect(() => resolveOptions({ jitter: 'yes' as unknown as boolean })).toThrow(/jitter must be true or false/);
    expect(resolveOptions({ jitter: true }).jitter).toBe(true);
  });
});

describe('jitter on the GPU (seeded random SqueezeNet)', () => {
  const { page, run } = engineTestPage();
  const opts = (o: Partial<StyleTransferOptions>): Partial<StyleTransferOptions> => ({
    network: 'squeezenet',
    contentLayers: [{ name: 'fire2', weight: 1 }],
    styleLayers: [{ name: 'conv1', weight: 1 }, { name: 'fire3', weight: 1 }],
    styleWeight: 1e3,
    init: 'content',
    lr: 0.05,
    ...o,
  });

  it('Adam with jitter decreases the loss, keeps memory flat and is reproducible', async () => {
    const c = { width: 37, height: 29, steps: 12, everyStep: true, options: opts({ jitter: true }) };
    const a = await run(c);
    expect(a.totals.every(Number.isFinite)).toBe(true);
    expect(a.totals[12]).toBeLessThan(a.totals[1]);
    expect(a.afterSteps.liveBuffers).toBe(a.afterSetup.liveBuffers);
    expect(a.afterSteps.inUseBuffers).toBe(a.afterSetup.inUseBuffers);
    expect(a.pixelsLength).toBe(37 * 29 * 4);
    const b = await run(c);
    expect(b.totals).toEqual(a.totals);
    // the shifts change the trajectory (the objective differs per shift), but not by much
    const plain = await run({ ...c, options: opts({ jitter: false }) });
    expect(plain.totals[0]).toBe(a.totals[0]);
    expect(plain.totals[12]).not.toBe(a.totals[12]);
    expect(Math.abs(plain.totals[12] / a.totals[12] - 1)).toBeLessThan(0.5);
  });

  it('is ignored by L-BFGS', async () => {
    const r = await run({ width: 24, height: 24, steps: 3, options: opts({ jitter: true, optimizer: 'lbfgs', lr: 1 }) });
    expect(r.totals.every(Number.isFinite)).toBe(true);
  });
});
