/**
 * The engine under Firefox's WebGPU (wgpu; every WGSL file compiled by naga) on lavapipe, driven
 * through WebDriver BiDi: every kernel's explorer check against its plain CPU reference, one small
 * run on the page, the page's advice when WebGPU is off, and the same pixels for the same file in
 * Firefox and Chromium (the page's decoder; the CLI's, sharp, is compared with Chromium in node_decode.test.ts). Where Firefox or lavapipe is missing,
 * one line says so and the tests are skipped (tools/setup.sh installs Debian's firefox-esr).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firefoxMissing, launchGpuPage, type BrowserSession } from '../tools/lib/browser.js';
import { bundleForBrowser } from '../tools/lib/bundle.js';
import type { DecodeApi } from '../tools/lib/decode_page.js';
import { demoSitePerFile, errorText, freshPage, openDemo, statusText, tinySettings, waitRunEnd } from './harness/demo_page.js';

const missing = firefoxMissing();
if (missing) console.log(`firefox: the Firefox tests are skipped: ${missing}`);
const built = missing ? { get: () => ({}) } : demoSitePerFile('dist/demo-test-firefox');

describe.skipIf(!!missing)('the page in Firefox (wgpu on lavapipe)', () => {
  let s: BrowserSession;
  beforeAll(async () => {
    s = await openDemo(built.get(), true, 'firefox');
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('every kernel passes its CPU reference, and the four subgroup versions say they need a feature wgpu does not offer', async () => {
    const p = s.page;
    await freshPage(p, `${s.url}index.html`);
    expect(await p.evaluate(() => document.body.dataset.gpu)).toBe('software');
    await p.click('#tab-explorer');
    const names = await p.$$eval('#kernel-list button', (bs) => bs.map((b) => b.textContent!));
    expect(names.length).toBeGreaterThan(25);
    expect(names.filter((n) => /subgroup/.test(n))).toHaveLength(4);
    const failed: string[] = [];
    for (const name of names) {
      await p.evaluate((n) => [...document.querySelectorAll('#kernel-list button')].find((b) => b.textContent === n)!.dispatchEvent(new MouseEvent('click')), name);
      await p.click('#kernel-run');
      await p.waitForFunction(() => /OK|MISMATCH|not run/.test(document.querySelector('#kernel-result')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 60_000 });
      const result = await p.$eval('#kernel-result', (e) => e.textContent ?? '');
      const subgroups = /subgroup/.test(name);
      const expected = subgroups ? /^not run: this version needs the WebGPU "subgroups" feature/ : / — OK$/;
      if (!expected.test(result) || (await errorText(p)) !== '') failed.push(`${name}: ${result} ${await errorText(p)}`);
    }
    expect(failed).toEqual([]);
  }, 600_000);

  it('stylizes a bundled example with the embedded SqueezeNet 1.1, and the loss goes down', async () => {
    const p = s.page;
    await freshPage(p, `${s.url}index.html`);
    await tinySettings(p, '4', '32');
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 4 steps/);
    const total = await p.evaluate(() => (window as unknown as { nstHistory: { total: number[] } }).nstHistory.total);
    expect(total[total.length - 1]).toBeLessThan(total[0]);
  }, 300_000);
});

describe.skipIf(!!missing)('Firefox with WebGPU switched off', () => {
  it('says what to do in Firefox: about:config and its two prefs', async () => {
    const s = await openDemo(built.get(), false, 'firefox');
    try {
      await s.page.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 60_000 });
      const text = await errorText(s.page);
      expect(text).toMatch(/needs WebGPU\. In Firefox: open about:config, set dom\.webgpu\.enabled and gfx\.webgpu\.ignore-blocklist to true/);
      expect(text).not.toMatch(/chrome:/);
    } finally {
      await s.close();
    }
  }, 120_000);
});

describe.skipIf(!!missing)('the same pixels in every browser', () => {
  /** The images as the engine draws them (decode_page.ts: bitmapPicture) in `browser`, as base64 RGBA. */
  let bundle: Promise<string> | undefined;
  async function drawn(browser: 'chromium' | 'firefox'): Promise<string[]> {
    const script = await (bundle ??= bundleForBrowser(fileURLToPath(new URL('../tools/lib/decode_page.ts', import.meta.url))));
    const files = {
      '/chelsea.png': { body: readFileSync('examples/chelsea.png'), type: 'image/png' },
      '/starry_night.jpg': { body: readFileSync('examples/starry_night.jpg'), type: 'image/jpeg' },
    };
    const s = await launchGpuPage({ script, files, webgpu: false, browser });
    try {
      return await s.page.evaluate(async () => {
        const api = (globalThis as unknown as { nstDecode: DecodeApi }).nstDecode;
        const out: string[] = [];
        for (const [url, sizes] of [['/chelsea.png', [[128, 85], [451, 300], [600, 399]]], ['/starry_night.jpg', [[256, 160], [1024, 640]]]] as const) {
          const { id } = await api.open(url, url);
          for (const [w, h] of sizes) out.push(await api.rasterize(id, w, h));
        }
        return out;
      });
    } finally {
      await s.close();
    }
  }
  const bytes = (b64: string) => Uint8Array.from(Buffer.from(b64, 'base64'));

  it('decodes and resizes a PNG to identical pixels in Firefox and Chromium, a JPEG within 1/255', async () => {
    const [fx, cr] = [await drawn('firefox'), await drawn('chromium')];
    expect(fx.length).toBe(5);
    // the PNG at 128 px, its own size and enlarged: bit for bit
    for (let k = 0; k < 3; k++) expect(bytes(fx[k]), `chelsea.png #${k}`).toEqual(bytes(cr[k]));
    // the JPEG: browsers' JPEG decoders may round differently, by one level at most
    for (let k = 3; k < 5; k++) {
      const a = bytes(fx[k]), b = bytes(cr[k]);
      expect(a.length).toBe(b.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst, `starry_night.jpg #${k}`).toBeLessThanOrEqual(1);
    }
  }, 120_000);
});
