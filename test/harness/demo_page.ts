/**
 * Driving the demo page in headless Chromium (the CPU adapter): the built site, a browser per
 * describe block, a fresh visit, and the small actions and reads the page tests share.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll } from 'vitest';
import { launchGpuPage, type BrowserSession } from '../../tools/lib/browser.js';
import { buildDemoSite } from '../../tools/lib/demo_site.js';

export type Site = Record<string, { body: Uint8Array; type: string }>;

/** Build the site once for a test file (before its tests); `get()` is the built files. */
export function demoSitePerFile(outDir: string): { get(): Site } {
  let site: Site = {};
  beforeAll(async () => {
    site = await buildDemoSite(outDir);
  }, 120_000);
  return { get: () => site };
}

/** A headless Chromium (or Firefox) serving `site`, at 1280×900, on the page. */
export async function openDemo(site: Site, webgpu = true, browser: 'chromium' | 'firefox' = 'chromium'): Promise<BrowserSession> {
  const s = await launchGpuPage({ files: { ...site }, webgpu, browser });
  await s.page.setViewport({ width: 1280, height: 900 });
  await s.page.goto(`${s.url}index.html`);
  return s;
}

/** One headless Chromium for a describe block (opened before its tests, closed after); `fresh()` is a new visit. */
export function browserPerBlock(site: () => Site) {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openDemo(site());
  });
  afterAll(async () => {
    await session?.close();
  });
  return {
    get s() {
      return session;
    },
    fresh: () => freshPage(session.page, `${session.url}index.html`),
  };
}

/** Set a field as a user would (input and change events). */
export const setValue = (p: Page, id: string, v: string) =>
  p.$eval(`#${id}`, (el, val) => {
    (el as HTMLInputElement).value = val;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, v);
export const errorText = (p: Page) => p.$eval('#error', (e) => ((e as HTMLElement).hidden ? '' : (e.textContent ?? '')));
export const statusText = (p: Page) => p.$eval('#status', (e) => e.textContent ?? '');
export const caption = (p: Page) => p.$eval('#result-caption', (e) => e.textContent ?? '');
export const waitRunEnd = (p: Page) =>
  p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });

/** Shallow layers (of the chosen network: SqueezeNet 1.1 or VGG19) and a tiny size: a run of a few steps takes seconds on SwiftShader. */
export async function tinySettings(p: Page, iters: string, size = '24') {
  const squeezenet = (await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).value)) === 'squeezenet';
  await setValue(p, 'size', size);
  await setValue(p, 'iters', iters);
  await setValue(p, 'content-layers', squeezenet ? 'fire2' : 'conv1_2');
  await setValue(p, 'style-layers', squeezenet ? 'conv1,fire3' : 'conv1_1,conv2_1');
}

/** Load the page and wait until its example images are in and the adapter is known. */
export async function freshPage(p: Page, url: string) {
  await p.goto(url);
  await p.waitForFunction(() => ['#pick-content img', '#pick-style img'].every((s) => (document.querySelector(s) as HTMLImageElement | null)?.src.startsWith('blob:')));
  // the adapter's note shows once the GPU is known, moving what is below it: clicks must come after
  await p.waitForFunction(() => document.body.dataset.gpu, { timeout: 30_000 });
}

/** Record every text #status shows from now on, in window.statuses. */
export const watchStatus = (p: Page) =>
  p.evaluate(() => {
    const w = window as unknown as { statuses: string[] };
    w.statuses = [];
    new MutationObserver(() => w.statuses.push(document.querySelector('#status')!.textContent ?? '')).observe(document.querySelector('#status')!, { childList: true, characterData: true, subtree: true });
  });

/** axe-core's serious and critical violations on the page as it is now (rule: nodes). */
export async function axeViolations(p: Page): Promise<string[]> {
  if (!(await p.evaluate(() => 'axe' in window))) await p.addScriptTag({ content: readFileSync('node_modules/axe-core/axe.min.js', 'utf8') });
  return p.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}
