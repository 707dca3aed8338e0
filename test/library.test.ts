/**
 * The library's API (src/index.ts) in Node on lavapipe through Dawn: bad options are refused with
 * an OptionError naming the option before any GPU work; a run paints (the loss falls) and gives
 * RGBA; a session's runs equal one-call runs (nothing stale between calls); an abort rejects with
 * an AbortError promptly and leaves no GPU buffer behind; a lost device is named; reconstructions.
 * The packed package itself is tested by test/library_package.test.ts.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStylizer, OptionError, reconstruct, stylize, type Stylizer, DeviceLostError, type StylizeOptions } from '../src/index.js';
import { findLavapipe, type DawnAdapter } from '../tools/lib/dawn_adapters.js';

const EX = '../shared/examples';
const photo = (f: string) => {
  const p = PNG.sync.read(readFileSync(`${EX}/${f}`));
  return { width: p.width, height: p.height, data: new Uint8ClampedArray(p.data.buffer, p.data.byteOffset, p.data.length) };
};
const content = photo('chelsea.png');
const style = photo('coffee.png');

/** A GPU that must not be reached: options are checked before any GPU work. */
const untouchable = { requestAdapter: () => Promise.reject(new Error('the GPU was opened before the options were checked')) } as unknown as GPU;

describe('bad options: one OptionError naming the option, before the GPU is opened', () => {
  const base = { gpu: untouchable, content, style, size: 64, iterations: 2 };
  const cases: [string, Partial<StylizeOptions> & Record<string, unknown>, RegExp][] = [
    ['data of the wrong length', { content: { width: 10, height: 10, data: new Uint8ClampedArray(399) } }, /^option content: data has 399 bytes; a 10×10 RGBA image has 400/],
    ['a zero width', { content: { width: 0, height: 10, data: new Uint8ClampedArray(0) } }, /^option content: width must be a whole number of pixels > 0, got 0/],
    ['float pixels', { style: { width: 1, height: 1, data: new Float32Array(4) as never } }, /^option style: data must be a Uint8ClampedArray or Uint8Array.*got Float32Array/],
    ['no content', { content: undefined }, /^option content: is required/],
    ['an empty style list', { style: [] }, /^option style: is an empty array/],
    ['a second style with a bad blend', { style: [style, { image: style, blend: -1 }] }, /^option style\[1\]\.blend: must be a number ≥ 0, got -1/],
    ['a mask on one of two styles', { style: [{ image: style, mask: style }, style] }, /^option style: give a mask for every style image or for none/],
    ['a misspelt option', { iteration: 5 }, /^option iteration: is not an option of stylize \(did you mean iterations\?\)/],
    ['a size too small', { size: 8 }, /^option size: must be a whole number in \[16, 8192\], got 8/],
    ['an unknown layer', { styleLayers: 'conv9' }, /^option styleLayers: unknown SqueezeNet 1.1 layer "conv9"/],
    ['VGG19 without weights', { network: 'vgg19' }, /^option weights: VGG19 needs weights/],
    ['a bad learning rate', { lr: -1 }, /^option lr: must be in \(0, 1000\], got -1/],
    ['not a device', { device: {} as GPUDevice }, /^option device: is not a GPUDevice/],
    ['a file path as content', { content: 'chelsea.png' as never }, /^option content: a file path or URL is not read here: decode the image to RGBA first/],
    ['bare bytes as style', { style: new Uint8Array(16) as never }, /^option style: bare bytes have no width and height/],
    ['a number given as a string', { styleWeight: '1e4' as never }, /^option styleWeight: must be a number, got "1e4"/],
    ['a size that is not a number', { size: NaN }, /^option size: must be a whole number in \[16, 8192\], got NaN/],
    ['a temporal term without an image', { temporal: { weight: 1 } as never }, /^option temporal: must be \{ image, mask\?, weight \}/],
    ['a negative temporal weight', { temporal: { image: style, weight: -1 } }, /^option temporal\.weight: must be a finite number ≥ 0, got -1/],
    ['a misspelt key of the temporal term', { temporal: { image: style, wight: 1 } as never }, /^option wight: is not an option of the temporal option \(did you mean weight\?\)/],
    ['a temporal mask that is not pixels', { temporal: { image: style, mask: 'mask.png' as never, weight: 1 } }, /^option temporal\.mask: a file path or URL is not read here/],
    ['steps for another number of scales', { scales: 2, iterations: [1, 2, 3] }, /^option iterations: has 3 step counts for 2 scales/],
  ];
  for (const [what, change, message] of cases) {
    it(what, async () => {
      const e = await stylize({ ...base, ...change } as StylizeOptions).then(() => null, (err) => err);
      expect(e, what).toBeInstanceOf(Error);
      expect((e as Error).message).toMatch(message);
      expect(e).toBeInstanceOf(OptionError);
    });
  }
});

it('a call option given to createStylizer says where it belongs', async () => {
  const e = await createStylizer({ gpu: untouchable, iterations: 5 } as never).then(() => null, (err) => err);
  expect((e as Error).message).toBe('option iterations: is an option of each call (stylizer.stylize({ … })), not of createStylizer');
});

describe('runs on lavapipe through Dawn', () => {
  let found: DawnAdapter | null = null;
  let s: Stylizer;
  beforeAll(async () => {
    found = await findLavapipe();
    if (found) s = await createStylizer({ gpu: found.gpu });
  });
  afterAll(() => s?.destroy());
  const job = { content, style, size: 64, iterations: 12 } as const;

  it('paints: RGBA of the asked size, the loss falls, progress is reported', async ({ skip }) => {
    if (!found) skip();
    const totals: number[] = [];
    const r = await s.stylize({ ...job, onProgress: (p) => void totals.push(p.losses.total) });
    expect([r.width, r.height]).toEqual([64, 43]);
    expect(r.data).toBeInstanceOf(Uint8ClampedArray);
    expect(r.data.length).toBe(64 * 43 * 4);
    expect(r.steps).toBe(12);
    expect(totals.length).toBe(13);
    expect(totals[12]).toBeLessThan(0.7 * totals[0]);
    // not the content returned unchanged: the style moved pixels
    const resized = await s.stylize({ ...job, iterations: 0 });
    let diff = 0;
    for (let i = 0; i < r.data.length; i++) diff += Math.abs(r.data[i] - resized.data[i]);
    expect(diff / r.data.length).toBeGreaterThan(2);
  });

  it('a session gives what one-call runs give, run after run (nothing stale between calls)', async ({ skip }) => {
    if (!found) skip();
    const a = await s.stylize(job);
    const b = await s.stylize({ ...job, style: photo('astronaut.png') });
    const hits = s.styleTargets.hits;
    const c = await s.stylize(job);
    // the style's Grams at this size came from the session's cache, and gave the same result
    expect(s.styleTargets.hits).toBe(hits + 1);
    const once = await stylize({ gpu: found!.gpu, ...job });
    expect(Buffer.from(c.data).equals(Buffer.from(a.data))).toBe(true);
    expect(Buffer.from(once.data).equals(Buffer.from(a.data))).toBe(true);
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(false);
  });

  it('warm start: initImage is where the run starts', async ({ skip }) => {
    if (!found) skip();
    const first = await s.stylize(job);
    const again = await s.stylize({ ...job, iterations: 0, scales: 1, initImage: first });
    let diff = 0;
    for (let i = 0; i < first.data.length; i++) diff = Math.max(diff, Math.abs(first.data[i] - again.data[i]));
    expect(diff).toBeLessThanOrEqual(1);
  });

  it('temporal term: the run holds the warped previous result where the mask trusts it, and paints where it does not', async ({ skip }) => {
    if (!found) skip();
    const [w, h] = [64, 43];
    const grey = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : 128)) };
    // trusted (white) on the left half, not at all (black) on the right
    const mask = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
    for (let p = 0; p < w * h; p++) mask.data.fill(p % w < w / 2 ? 255 : 0, 4 * p, 4 * p + 3), (mask.data[4 * p + 3] = 255);
    // a frame starts from the warped previous result (grey here), as npm run video's later frames do
    const frame = { ...job, scales: 1, initImage: grey } as const;
    // mean distance from grey on the left and right halves (RGB)
    const fromGrey = (r: { data: Uint8ClampedArray }) => {
      const d = [0, 0];
      for (let p = 0; p < w * h; p++) for (let k = 0; k < 3; k++) d[p % w < w / 2 ? 0 : 1] += Math.abs(r.data[4 * p + k] - 128) / ((w * h * 3) / 2);
      return d;
    };
    const free = fromGrey(await s.stylize(frame));
    const held = await s.stylize({ ...frame, temporal: { image: grey, mask, weight: 1e9 } });
    const [left, right] = fromGrey(held);
    expect(held.losses.temporal).toBeGreaterThan(0);
    expect(left).toBeLessThan(0.3 * free[0]);
    expect(right).toBeGreaterThan(0.8 * free[1]);
    // without a mask the whole frame is held
    const all = fromGrey(await s.stylize({ ...frame, temporal: { image: grey, weight: 1e9 } }));
    expect(all[1]).toBeLessThan(0.3 * free[1]);
  });

  it('abort: rejects with an AbortError within seconds and frees every GPU buffer', async ({ skip }) => {
    if (!found) skip();
    const before = s.lib.memory.stats().liveBytes - s.styleTargets.bytes;
    const ac = new AbortController();
    let abortedAt = 0;
    const run = s.stylize({ ...job, size: 128, iterations: 5000, signal: ac.signal, onProgress: (p) => {
      if (p.step >= 3 && !abortedAt) {
        abortedAt = performance.now();
        ac.abort();
      }
    } });
    const e = await run.then(() => null, (err) => err);
    const seconds = (performance.now() - abortedAt) / 1000;
    expect(e).toBeInstanceOf(DOMException);
    expect((e as DOMException).name).toBe('AbortError');
    expect(seconds).toBeLessThan(5);
    expect(s.lib.memory.stats().liveBytes - s.styleTargets.bytes).toBe(before);
    // an already aborted signal: nothing runs
    const pre = await s.stylize({ ...job, signal: AbortSignal.abort() }).then(() => null, (err) => err);
    expect((pre as DOMException).name).toBe('AbortError');
    // abort(reason): the call rejects with that reason, as fetch does
    const reason = new Error('the user closed the tab');
    expect(await s.stylize({ ...job, signal: AbortSignal.abort(reason) }).then(() => null, (err) => err)).toBe(reason);
  });

  it('memory stays flat over many runs: the style-target cache keeps at most its capacity', async ({ skip }) => {
    if (!found) skip();
    const base = s.lib.memory.stats().liveBytes - s.styleTargets.bytes;
    for (const styleScale of [0.5, 0.6, 0.7, 0.8, 0.9, 1.1]) await s.stylize({ ...job, size: 48, iterations: 1, styleScale });
    expect(s.styleTargets.misses).toBeGreaterThanOrEqual(6);
    expect(s.lib.memory.stats().liveBytes - s.styleTargets.bytes).toBe(base);
    // 4 entries of SqueezeNet's five style layers' Grams (64², 128² ×2, 256² ×2 floats)
    expect(s.styleTargets.bytes).toBe(4 * 4 * (64 * 64 + 2 * 128 * 128 + 2 * 256 * 256));
  });

  it('one call at a time per session; a second session may run beside it', async ({ skip }) => {
    if (!found) skip();
    const first = s.stylize(job);
    const second = await s.stylize(job).then(() => null, (err) => err);
    expect((second as Error).message).toMatch(/^stylize: this stylizer is running another call; await it first/);
    await first;
  });

  it('reconstructions from noise', async ({ skip }) => {
    if (!found) skip();
    const r = await reconstruct({ gpu: found!.gpu, image: content, mode: 'content', size: 48, iterations: 5, layers: ['conv1', 'fire2'] });
    expect(r.tiles.map((t) => t.label)).toEqual(['conv1', 'fire2']);
    expect(r.tiles[0].image.width).toBe(48);
    expect(r.grid.data.length).toBe(r.grid.width * r.grid.height * 4);
  });

  it('a lost device is named, and so is a destroyed stylizer', async ({ skip }) => {
    if (!found) skip();
    const t = await createStylizer({ gpu: found!.gpu });
    t.device.destroy();
    await t.device.lost;
    await expect(t.stylize(job)).rejects.toThrow(DeviceLostError);
    t.destroy();
    await expect(t.stylize(job)).rejects.toThrow(/^stylize: this stylizer was destroyed; create a new one/);
  });
});
