/**
 * The page never hangs and never shows stale state: Stop at every stage, pause, a size that cannot
 * fit, an offline download, a refused file, a phone's screen, a preview's download, leaving mid-run.
 * Headless Chromium on the CPU adapter; screenshots go to test-artifacts/.
 */
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { ElementHandle, Page } from 'puppeteer';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { STOP_GRACE_MS } from '../demo/stopping.js';
import { browserPerBlock, caption, demoSitePerFile, errorText, freshPage, setValue, statusText, tinySettings, waitRunEnd, watchStatus } from './harness/demo_page.js';

const built = demoSitePerFile('dist/demo-test-stops');
beforeAll(() => mkdirSync('test-artifacts', { recursive: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statuses = (p: Page) => p.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
const startEnabled = (p: Page) => p.$eval('#start', (e) => !(e as HTMLButtonElement).disabled);

/** A local port with nothing listening (a host that cannot be reached). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('demo: Stop, pause and sizes', () => {
  const b = browserPerBlock(built.get);

  it('Stop while a large run prepares ends it within seconds, with nothing stale; the next run starts at once', async () => {
    const p = b.s.page;
    await b.fresh();
    // VGG19 at 512 px on the CPU adapter: preparing (the targets, the first evaluation) takes minutes
    await p.select('#weights-kind', 'random');
    await setValue(p, 'size', '512');
    await setValue(p, 'iters', '5');
    await watchStatus(p);
    await p.click('#start');
    await p.waitForFunction(() => /^Preparing/.test(document.querySelector('#status')!.textContent ?? ''), { timeout: 10_000 });
    await sleep(1500);
    const t0 = Date.now();
    await p.click('#stop');
    await p.waitForFunction(() => /^Stopped/.test(document.querySelector('#status')!.textContent ?? ''), { timeout: 60_000 });
    const stopSeconds = (Date.now() - t0) / 1000;
    // it stopped at a check between paced passes (not by dropping the device after the grace period)
    expect(await statusText(p)).toBe('Stopped before the first step; nothing was made.');
    expect(stopSeconds).toBeLessThan(STOP_GRACE_MS / 1000);
    expect((await statuses(p)).filter((t) => /^step \d/.test(t))).toEqual([]);
    expect(await errorText(p)).toBe('');
    expect(await caption(p)).toMatch(/the run with VGG19 was stopped before its first step/);
    expect(await caption(p)).not.toMatch(/in progress/);
    expect(await startEnabled(p)).toBe(true);
    // the page is usable at once: little GPU work was left queued behind the stop
    await tinySettings(p, '3', '32');
    const t1 = Date.now();
    await p.click('#start');
    await waitRunEnd(p);
    expect(await statusText(p)).toMatch(/^Done after 3 steps/);
    expect((Date.now() - t1) / 1000).toBeLessThan(90);
  });

  it('while paused the status says so throughout, and the paused time is counted in no timing', async () => {
    const p = b.s.page;
    await b.fresh();
    await tinySettings(p, '40', '32');
    await p.evaluate(() => delete (window as unknown as { nstProgress?: unknown }).nstProgress);
    await p.click('#start');
    await p.waitForFunction(() => ((window as unknown as { nstProgress?: unknown[] }).nstProgress?.length ?? 0) >= 2, { timeout: 120_000 });
    await p.click('#pause');
    await watchStatus(p);
    await sleep(3000);
    const during = await statuses(p);
    expect(await statusText(p)).toMatch(/^Paused/);
    expect(during.filter((t) => !/^Paused/.test(t))).toEqual([]);
    await p.click('#pause');
    await waitRunEnd(p);
    const progress = await p.evaluate(() => (window as unknown as { nstProgress: { step: number; secondsPerStep: number }[] }).nstProgress);
    expect(progress.at(-1)!.step).toBe(40);
    // a 3-second pause counted as step time would make one report at least 3 s per step
    expect(Math.max(...progress.map((q) => q.secondsPerStep))).toBeLessThan(2.5);
    expect(await statusText(p)).toMatch(/^Done after 40 steps \(\d+\.\d s, not counting [34] s paused\)/);
  });

  it('a size that fits this GPU in no way is said under Start and refused before anything runs', async () => {
    const p = b.s.page;
    await b.fresh();
    // SqueezeNet 1.1 runs untiled: its limit is the largest buffer's side
    await p.select('#weights-kind', 'squeezenet');
    await setValue(p, 'size', '8192');
    expect(await p.$eval('#estimate', (e) => e.textContent)).toMatch(/^At 8192 px SqueezeNet 1\.1 does not fit this GPU's buffers \(its largest side here is \d+ px\)/);
    await watchStatus(p);
    await p.click('#start');
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 5000 });
    expect(await errorText(p)).toMatch(/At 8192 px SqueezeNet 1\.1 does not fit this GPU's buffers/);
    expect(await statuses(p)).toEqual([]); // nothing started
    expect(await startEnabled(p)).toBe(true);
    // VGG19 runs it in tiles (its full-size buffers, 3×H×W each, fit this GPU's 1 GiB binding)
    await p.select('#weights-kind', 'random');
    await setValue(p, 'size', '8192');
    expect(await p.$eval('#estimate', (e) => e.textContent)).toMatch(/tiles/);
    expect(await p.$eval('#estimate', (e) => e.textContent)).not.toMatch(/cannot run/);
    await p.screenshot({ path: 'test-artifacts/demo-vgg19-8192.png' });
    // a size that fits clears the message
    await setValue(p, 'size', '128');
    expect(await errorText(p)).toBe('');
  });
});

describe('demo: nothing stale, nothing lost', () => {
  const b = browserPerBlock(built.get);

  it('a refused file\'s error goes when the next run starts', async () => {
    const p = b.s.page;
    await b.fresh();
    writeFileSync('test-artifacts/not-an-image.txt', 'not an image\n');
    const input = (await p.$('#pick-content input[type=file]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile('test-artifacts/not-an-image.txt');
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 10_000 });
    expect(await errorText(p)).toMatch(/not-an-image\.txt/);
    await tinySettings(p, '2');
    await p.click('#start');
    expect(await errorText(p)).toBe('');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done/);
  });

  it('offline, pretrained VGG19 says once what happened and falls back to SqueezeNet 1.1, remembered: the next Start does not try again', async () => {
    const p = b.s.page;
    const port = await closedPort();
    const url = `${b.s.url}index.html?weights-url=${encodeURIComponent(`http://127.0.0.1:${port}/vgg19.pth`)}`;
    await freshPage(p, url);
    await p.evaluate(() => localStorage.clear());
    await freshPage(p, url);
    const tries: string[] = [];
    const onRequest = (r: { url(): string }) => r.url().includes(`:${port}/`) && tries.push(r.url());
    p.on('request', onRequest);
    try {
      await p.select('#weights-kind', 'pretrained');
      await tinySettings(p, '2');
      await p.click('#start');
      await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 60_000 });
      await sleep(500);
      const shown = await p.$$eval('#error p', (ps) => ps.map((e) => e.textContent ?? ''));
      expect(shown).toHaveLength(1);
      expect(shown[0]).toMatch(/^The pretrained VGG19 could not be downloaded \(.+\); nothing was kept\. The network is set back to SqueezeNet 1\.1.*press Start to run it/);
      expect(await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).value)).toBe('squeezenet');
      expect(tries.length).toBeGreaterThan(0);
      // a reload keeps the fallback; Start runs the embedded network and asks the host for nothing
      tries.length = 0;
      await freshPage(p, url);
      expect(await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).value)).toBe('squeezenet');
      await tinySettings(p, '2');
      await p.click('#start');
      await waitRunEnd(p);
      expect(await errorText(p)).toBe('');
      expect(await statusText(p)).toMatch(/^Done after 2 steps .* with SqueezeNet 1\.1/);
      expect(tries).toEqual([]);
    } finally {
      p.off('request', onRequest);
    }
  });

  it('a fast preview\'s result can be downloaded', async () => {
    const p = b.s.page;
    await b.fresh();
    await tinySettings(p, '3');
    await p.click('#fast-preview');
    await p.waitForFunction(() => /^Fast preview done/.test(document.querySelector('#status')!.textContent ?? ''), { timeout: 120_000 });
    const a = await p.$eval('#download', (e) => ({ hidden: (e as HTMLElement).hidden, text: e.textContent, name: (e as HTMLAnchorElement).download, href: (e as HTMLAnchorElement).href }));
    expect(a).toMatchObject({ hidden: false, text: 'Download preview PNG', name: 'preview.png' });
    const png = PNG.sync.read(Buffer.from(a.href.split(',')[1], 'base64'));
    expect(Math.max(png.width, png.height)).toBe(24);
    await p.click('#fast-preview'); // the mode off
  });

  it('leaving during a run asks first; after the run it does not', async () => {
    const p = b.s.page;
    await b.fresh();
    await tinySettings(p, '400', '48');
    const dialogs: string[] = [];
    const onDialog = (d: import('puppeteer').Dialog) => {
      dialogs.push(d.type());
      void d.dismiss();
    };
    p.on('dialog', onDialog);
    try {
      await p.click('#start');
      await p.waitForFunction(() => /^step \d/.test(document.querySelector('#status')!.textContent ?? ''), { timeout: 60_000 });
      await p.reload({ timeout: 3000 }).catch(() => undefined); // dismissed: the page stays
      expect(dialogs).toEqual(['beforeunload']);
      expect(await statusText(p)).toMatch(/^step \d/);
      await p.click('#stop');
      await waitRunEnd(p);
      expect(await statusText(p)).toMatch(/^Stopped after/);
      await freshPage(p, `${b.s.url}index.html`);
      expect(dialogs).toEqual(['beforeunload']);
    } finally {
      p.off('dialog', onDialog);
    }
  });

  it('on a phone: Start is on the first screen; after Start the result is scrolled into view and the status stays in sight', async () => {
    const p = b.s.page;
    await p.setViewport({ width: 390, height: 844 });
    try {
      await b.fresh();
      const inView = (sel: string) =>
        p.$eval(sel, (e) => {
          const r = e.getBoundingClientRect();
          return { top: Math.round(r.top), bottom: Math.round(r.bottom), inner: innerHeight, scrollY };
        });
      const start = await inView('#start');
      expect(start.scrollY).toBe(0);
      expect(start.top).toBeGreaterThanOrEqual(0);
      expect(start.bottom).toBeLessThanOrEqual(start.inner);
      await p.screenshot({ path: 'test-artifacts/demo-phone-first-screen.png' });
      await tinySettings(p, '3');
      await p.evaluate(() => scrollTo(0, document.body.scrollHeight)); // down among the settings, as after editing them
      await p.click('#start');
      await waitRunEnd(p);
      await sleep(800); // the smooth scroll
      const result = await inView('#result');
      expect(result.top).toBeGreaterThanOrEqual(-2);
      expect(result.top).toBeLessThan(result.inner / 2);
      const status = await inView('#status');
      expect(status.top).toBeGreaterThanOrEqual(0);
      expect(status.bottom).toBeLessThanOrEqual(status.inner);
      await p.screenshot({ path: 'test-artifacts/demo-phone-after-start.png' });
    } finally {
      await p.setViewport({ width: 1280, height: 900 });
    }
  });
});
