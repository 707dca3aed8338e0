/**
 * A new run and the result before it, the texts a run leaves, the estimate against the run, the
 * clock between reports, and the views' own layout (issue 37, the page). Headless Chromium on the
 * CPU adapter; screenshots go to test-artifacts/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { ElementHandle, Page } from 'puppeteer';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserPerBlock, caption, demoSitePerFile, errorText, setValue, statusText, tinySettings, waitRunEnd } from './harness/demo_page.js';
import { describePageSchedule, pageSchedule } from '../demo/run_plan.js';

const built = demoSitePerFile('dist/demo-test-runs');
beforeAll(() => mkdirSync('test-artifacts', { recursive: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What the result area shows: the stage's pixels, the caption, the download, the plot. */
const resultArea = (p: Page) =>
  p.evaluate(() => ({
    stage: (document.querySelector('#preview') as HTMLCanvasElement).toDataURL(),
    caption: document.querySelector('#result-caption')!.textContent,
    download: (document.querySelector('#download') as HTMLAnchorElement).hidden ? null : (document.querySelector('#download') as HTMLAnchorElement).href,
    plot: !(document.querySelector('#plot') as HTMLElement).hidden,
  }));

describe('demo: a new run and the result before it', () => {
  const b = browserPerBlock(built.get);

  it('until its first step a run shows the content, no plot, no download (the clock ticks meanwhile); Stop then, or a refused run, gives the result before back; a failed run\'s texts go with its message', async () => {
    const p = b.s.page;
    await b.fresh();
    await tinySettings(p, '3', '32');
    await p.click('#start');
    await waitRunEnd(p);
    expect(await statusText(p)).toMatch(/^Done after 3 steps/);
    const made = await resultArea(p);
    expect(made.download).toMatch(/^data:image\/png/);
    expect(made.plot).toBe(true);

    // VGG19 at 512 px prepares for minutes on the CPU adapter: look at the page meanwhile, then Stop
    await p.select('#weights-kind', 'random');
    await setValue(p, 'size', '512');
    await setValue(p, 'iters', '5');
    await p.click('#start');
    await p.waitForFunction(() => /^Preparing/.test(document.querySelector('#status')!.textContent ?? ''), { timeout: 10_000 });
    const clockLines: string[] = [];
    for (let i = 0; i < 4; i++) {
      clockLines.push(await p.$eval('#run-clock', (e) => ((e as HTMLElement).hidden ? '' : e.textContent ?? '')));
      await sleep(1100);
    }
    const during = await resultArea(p);
    await p.screenshot({ path: 'test-artifacts/demo-runs-preparing.png' });
    expect(during.stage).not.toBe(made.stage);
    expect(during.plot).toBe(false);
    expect(during.download).toBe(null);
    expect(during.caption).toMatch(/in progress with VGG19/);
    // the clock says something new every second, with no step reported
    expect(clockLines.every((t) => /^\d+:\d\d elapsed · .*preparing$/.test(t))).toBe(true);
    expect(new Set(clockLines).size).toBe(clockLines.length);
    await p.click('#stop');
    await p.waitForFunction(() => /^Stopped/.test(document.querySelector('#status')!.textContent ?? ''), { timeout: 60_000 });
    expect(await statusText(p)).toMatch(/^Stopped before the first step; nothing was made \(the result before is kept\)\./);
    expect(await resultArea(p)).toEqual(made);
    expect(await p.$eval('#run-clock', (e) => (e as HTMLElement).hidden)).toBe(true);

    // a content image no run can use: refused by the run; the result before stays, with its download
    await p.select('#weights-kind', 'squeezenet');
    await tinySettings(p, '3', '32');
    const thin = new PNG({ width: 400, height: 1 });
    thin.data.fill(200);
    writeFileSync('test-artifacts/thin.png', PNG.sync.write(thin));
    const input = (await p.$('#pick-content input[type=file]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile('test-artifacts/thin.png');
    await p.waitForFunction(() => (document.querySelector('#pick-content img') as HTMLImageElement).alt.includes('thin.png'), { timeout: 10_000 });
    // the line under Start says so before Start (not a time for a run that cannot be)
    expect(await p.$eval('#estimate', (e) => e.textContent)).toMatch(/^The content image thin\.png is 400×1 pixels; the chosen layers need at least \d+×\d+: choose a larger image\.$/);
    await p.click('#start');
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 60_000 });
    await p.waitForFunction(() => !(document.querySelector('#start') as HTMLButtonElement).disabled);
    expect(await errorText(p)).toMatch(/thin\.png/);
    expect(await statusText(p)).toMatch(/^The run did not finish \(the message above says why\); the result before is kept\.$/);
    expect(await resultArea(p)).toEqual(made);
    // a good image clears the message, and the texts that pointed at it
    await p.select('#pick-content select', 'chelsea.png');
    await p.waitForFunction(() => (document.querySelector('#error') as HTMLElement).hidden, { timeout: 10_000 });
    expect(await statusText(p)).toBe('Ready.');
    expect(await caption(p)).not.toMatch(/did not finish/);
  });

  it('with no result before, a failed run\'s caption and status go once its message is cleared', async () => {
    const p = b.s.page;
    await b.fresh();
    await tinySettings(p, '3', '32');
    const input = (await p.$('#pick-content input[type=file]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile('test-artifacts/thin.png');
    await p.waitForFunction(() => (document.querySelector('#pick-content img') as HTMLImageElement).alt.includes('thin.png'), { timeout: 10_000 });
    await p.click('#start');
    await p.waitForFunction(() => (document.querySelector('#status')!.textContent ?? '').startsWith('The run did not finish'), { timeout: 60_000 });
    expect(await caption(p)).toMatch(/the run with SqueezeNet 1\.1 did not finish\./);
    // editing a setting clears the run's message: the texts about it go too
    await setValue(p, 'iters', '4');
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toBe('Ready.');
    expect(await caption(p)).not.toMatch(/did not finish/);
  });
});

describe('demo: the schedule and the estimate', () => {
  const b = browserPerBlock(built.get);

  it('the scales default to auto; the line under Start shows the schedule and counts it; after a run the estimate for the same settings is that run\'s time; a run estimated at hours asks first', async () => {
    const p = b.s.page;
    await b.fresh();
    expect(await p.$eval('#scales', (e) => (e as HTMLSelectElement).value)).toBe('auto');
    const estimate = () => p.evaluate(() => ({ text: document.querySelector('#estimate')!.textContent ?? '', seconds: (window as unknown as { nstEstimateSeconds: number }).nstEstimateSeconds }));
    await setValue(p, 'size', '512');
    await setValue(p, 'iters', '100');
    const auto = await estimate();
    expect(auto.text.startsWith(describePageSchedule(pageSchedule(512, 'squeezenet', 'auto', 100)))).toBe(true);
    expect(auto.text).toMatch(/^Coarse to fine \(automatic\): 128 px × 100 steps → 256 px × \d+ → 512 px × \d+;/);
    await p.select('#scales', '1');
    const one = await estimate();
    expect(one.text).toMatch(/^One scale: 512 px × 100 steps\./);
    // the coarse scales are cheap: the schedule costs well under one scale at 512 px
    expect(auto.seconds).toBeLessThan(one.seconds * 0.6);
    expect(auto.seconds).toBeGreaterThan(one.seconds * 0.2);
    await p.select('#scales', 'auto');

    await tinySettings(p, '6', '48');
    await p.click('#start');
    await waitRunEnd(p);
    const took = Number(/^Done after 6 steps \((\d+\.\d) s/.exec(await statusText(p))![1]);
    const after = await estimate();
    expect(after.text).toMatch(/about \d+ s \(from the last SqueezeNet 1\.1 run here\)/);
    expect(Math.abs(after.seconds - took)).toBeLessThan(Math.max(1, 0.1 * took));

    // hours: asked first; "no" starts nothing
    await setValue(p, 'size', '1024');
    await setValue(p, 'iters', '100000');
    await p.select('#scales', '1');
    expect((await estimate()).seconds).toBeGreaterThan(3600);
    const dialogs: string[] = [];
    const onDialog = (d: import('puppeteer').Dialog) => {
      dialogs.push(d.message());
      void d.dismiss();
    };
    p.on('dialog', onDialog);
    try {
      await p.click('#start');
      await sleep(300);
    } finally {
      p.off('dialog', onDialog);
    }
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatch(/^This run is estimated to take [\d.]+ (h|days) on this device\. Start it anyway\?$/);
    expect(await statusText(p)).toMatch(/^Not started: the run was estimated at/);
    expect(await p.$eval('#stop', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
  });
});

describe('demo: the other views, and a phone\'s bottom bar', () => {
  const b = browserPerBlock(built.get);

  it('each tab has its own introduction; the reconstruction grid stays in view on a desktop and is readable on a phone; a focused field is clear of the bottom bar', async () => {
    const p = b.s.page;
    await b.fresh();
    const intro = () => p.$$eval('[data-intro-for]', (es) => es.filter((e) => !(e as HTMLElement).hidden).map((e) => e.textContent ?? ''));
    expect(await intro()).toEqual([expect.stringMatching(/^Repaint a photo/)]);
    await p.click('#tab-explorer');
    expect(await intro()).toEqual([expect.stringMatching(/^The WGSL compute kernels/)]);
    await p.click('#tab-reconstruct');
    expect(await intro()).toEqual([expect.stringMatching(/^Reconstructions, as in Fig\. 1 of Gatys et al\./)]);
    // desktop: scrolled down to the button, the grid's box is still on the screen
    await p.setViewport({ width: 1280, height: 600 });
    await p.evaluate(() => scrollTo(0, document.body.scrollHeight));
    const box = await p.$eval('.recon-output', (e) => ({ top: e.getBoundingClientRect().top, inner: innerHeight }));
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.top).toBeLessThan(box.inner / 2);
    // phone: the grid is drawn at most a little smaller than its pixels
    await p.setViewport({ width: 390, height: 844 });
    try {
      await p.select('#recon-mode', 'style');
      await setValue(p, 'recon-size', '32');
      await setValue(p, 'recon-iters', '2');
      await p.click('#recon-start');
      await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#recon-status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });
      expect(await errorText(p)).toBe('');
      const grid = await p.$eval('#recon-grid', (c) => ({ shown: c.clientWidth, drawn: (c as HTMLCanvasElement).width }));
      expect(grid.shown / grid.drawn).toBeGreaterThan(0.75);
      await p.$eval('#recon-grid', (e) => e.scrollIntoView({ block: 'start' }));
      await p.screenshot({ path: 'test-artifacts/demo-runs-recon-phone.png' });
      // a field far down the style-transfer settings, focused by the keyboard: above the fixed bar
      await p.click('#tab-stylize');
      await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
      await p.evaluate(() => scrollTo(0, 0));
      for (const id of ['#seed', '#scales', '#max-gpu-memory']) {
        // the field just behind the bar (in the viewport, so focusing it need not scroll without scroll-padding), then focused
        await p.$eval('#start', (e) => (e as HTMLElement).blur());
        await p.evaluate((sel) => scrollBy(0, document.querySelector(sel)!.getBoundingClientRect().bottom - innerHeight + 20), id);
        await p.focus(id);
        const r = await p.evaluate((sel) => ({ field: document.querySelector(sel)!.getBoundingClientRect().bottom, bar: document.querySelector('.run-bar')!.getBoundingClientRect().top }), id);
        expect(r.field, id).toBeLessThanOrEqual(r.bar);
      }
      await p.screenshot({ path: 'test-artifacts/demo-runs-focus-phone.png' });
    } finally {
      await p.setViewport({ width: 1280, height: 900 });
    }
  });
});
