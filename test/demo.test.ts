/**
 * The demo site end to end: built with vite, served statically, driven in headless Chromium.
 * Screenshots go to test-artifacts/ (not committed).
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { PNG } from 'pngjs';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchGpuPage, type BrowserSession } from '../tools/lib/browser.js';
import { createHash } from 'node:crypto';
import type { Page } from 'puppeteer';
import { loadPretrained } from '../src/nst/pretrained.js';
import { toRawWeights } from '../src/nst/weights.js';
import { FileSource } from '../tools/lib/file_source.js';
import { FIXTURE_DIR, FIXTURES, makePretrainedFixtures } from './harness/pretrained_fixtures.js';
import { startWeightsServers, type WeightsServers } from './harness/weights_server.js';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.jpg': 'image/jpeg', '.md': 'text/plain' };
let site: Record<string, { body: Uint8Array; type: string }> = {};

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f), root) : [join(dir, f)]));
}

beforeAll(async () => {
  await build({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir: '../dist/demo-test', emptyOutDir: true } });
  site = Object.fromEntries(walk('dist/demo-test').map((f) => [`/${relative('dist/demo-test', f)}`, { body: new Uint8Array(readFileSync(f)), type: TYPES[extname(f)] ?? 'application/octet-stream' }]));
  mkdirSync('test-artifacts', { recursive: true });
}, 120_000);

async function open(webgpu = true): Promise<BrowserSession> {
  const s = await launchGpuPage({ files: { ...site }, webgpu });
  await s.page.setViewport({ width: 1280, height: 900 });
  await s.page.goto(`${s.url}index.html`);
  return s;
}

describe('demo site', () => {
  let s: BrowserSession;
  beforeAll(async () => {
    s = await open();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('stylizes a bundled example: preview changes, loss goes down, the download is a PNG', async () => {
    const p = s.page;
    await p.waitForFunction(() => (document.querySelector('#pick-style img') as HTMLImageElement | null)?.src.startsWith('blob:'));
    const set = async (id: string, v: string) => p.$eval(`#${id}`, (el, val) => ((el as HTMLInputElement).value = val), v);
    await set('size', '32');
    await set('iters', '4');
    await set('content-layers', 'conv2_2');
    await set('style-layers', 'conv1_1,conv2_1');
    await set('init', 'noise');
    await p.click('#start');
    await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });
    expect(await p.$eval('#error', (e) => (e as HTMLElement).hidden ? '' : e.textContent)).toBe('');
    const hist = await p.evaluate(() => (window as unknown as { nstHistory: { total: number[] } }).nstHistory.total);
    expect(hist.length).toBeGreaterThanOrEqual(2);
    expect(hist[hist.length - 1]).toBeLessThan(hist[0]);
    const previews = await p.evaluate(() => (window as unknown as { nstPreviews: string[] }).nstPreviews);
    expect(previews[1]).not.toBe(previews[0]);
    const href = await p.$eval('#download', (a) => (a as HTMLAnchorElement).href);
    const png = PNG.sync.read(Buffer.from(href.split(',')[1], 'base64'));
    expect([png.width, png.height]).toEqual([32, 21]);
    await p.screenshot({ path: 'test-artifacts/demo-stylize.png' });
  });

  it('runs multi-scale with original colors and snapshots from the page', async () => {
    const p = s.page;
    const set = async (id: string, v: string) => p.$eval(`#${id}`, (el, val) => ((el as HTMLInputElement).value = val), v);
    await set('size', '32');
    await set('iters', '2');
    await set('save-every', '3');
    await set('scales', '2');
    await p.click('#multiscale');
    await p.click('#original-colors');
    await p.click('#start');
    await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });
    expect(await p.$eval('#error', (e) => (e as HTMLElement).hidden ? '' : e.textContent)).toBe('');
    expect(await p.$eval('#status', (e) => e.textContent)).toMatch(/Done after 4 steps .*sizes 16 → 32/);
    expect(await p.$$eval('#snapshots a', (as) => as.map((a) => a.textContent))).toEqual(['step 3']);
    const href = await p.$eval('#download', (a) => (a as HTMLAnchorElement).href);
    const png = PNG.sync.read(Buffer.from(href.split(',')[1], 'base64'));
    expect([png.width, png.height]).toEqual([32, 21]);
  });

  it('makes a labelled reconstruction grid in its tab', async () => {
    const p = s.page;
    await p.click('#tab-reconstruct');
    await p.waitForFunction(() => (document.querySelector('#pick-recon img') as HTMLImageElement | null)?.src.startsWith('blob:'));
    await p.$eval('#recon-mode', (el) => ((el as HTMLSelectElement).value = 'style'));
    await p.$eval('#recon-size', (el) => ((el as HTMLInputElement).value = '24'));
    await p.$eval('#recon-iters', (el) => ((el as HTMLInputElement).value = '2'));
    await p.click('#recon-start');
    await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#recon-status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });
    expect(await p.$eval('#error', (e) => (e as HTMLElement).hidden ? '' : e.textContent)).toBe('');
    const r = await p.evaluate(() => (window as unknown as { nstReconstruction: { labels: string[]; width: number } }).nstReconstruction);
    expect(r.labels).toEqual(['conv1_1', 'conv1_1..conv2_1', 'conv1_1..conv3_1', 'conv1_1..conv4_1', 'conv1_1..conv5_1']);
    expect(r.width).toBeGreaterThan(6 * 128);
    await p.screenshot({ path: 'test-artifacts/demo-reconstruct.png' });
  });

  it('runs a kernel check in the explorer', async () => {
    const p = s.page;
    await p.click('#tab-explorer');
    await p.evaluate(() => [...document.querySelectorAll('#kernel-list li')].find((li) => li.textContent === 'gram_backward')!.dispatchEvent(new MouseEvent('click')));
    expect(await p.$eval('#kernel-bindings', (t) => t.textContent)).toMatch(/grad_features.*storage/);
    await p.click('#kernel-run');
    await p.waitForFunction(() => /OK|MISMATCH|error/.test(document.querySelector('#kernel-result')!.textContent ?? ''), { timeout: 60_000 });
    expect(await p.$eval('#kernel-result', (e) => e.textContent)).toMatch(/max relative error .* — OK/);
    await p.screenshot({ path: 'test-artifacts/demo-explorer.png' });
  });

  it('every kernel\'s explorer check passes', async () => {
    const p = s.page;
    const names = await p.$$eval('#kernel-list li', (lis) => lis.map((li) => li.textContent!));
    const failed: string[] = [];
    for (const name of names) {
      await p.evaluate((n) => [...document.querySelectorAll('#kernel-list li')].find((li) => li.textContent === n)!.dispatchEvent(new MouseEvent('click')), name);
      await p.click('#kernel-run');
      await p.waitForFunction(() => /OK|MISMATCH/.test(document.querySelector('#kernel-result')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 60_000 });
      const result = await p.$eval('#kernel-result', (e) => e.textContent ?? '');
      if (!/ — OK$/.test(result)) failed.push(`${name}: ${result || (await p.$eval('#error', (e) => e.textContent))}`);
    }
    expect(names.length).toBeGreaterThan(25);
    expect(failed).toEqual([]);
  });
});

describe('demo without WebGPU', () => {
  it('says so in plain words', async () => {
    const s = await open(false);
    try {
      await s.page.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 30_000 });
      expect(await s.page.$eval('#error', (e) => e.textContent)).toMatch(/WebGPU is (not available|present but no GPU adapter).*needs WebGPU/);
      await s.page.screenshot({ path: 'test-artifacts/demo-no-webgpu.png' });
    } finally {
      await s.close();
    }
  });
});

describe('demo with pretrained weights (local servers standing in for the Hugging Face hub)', () => {
  let servers: WeightsServers;
  let s: BrowserSession;
  let expectedSha = '';
  beforeAll(async () => {
    makePretrainedFixtures();
    servers = await startWeightsServers(FIXTURE_DIR);
    // what the page must store: the fixture's conv1_1..conv5_1 in our raw format, read here from disk
    const src = new FileSource(join(FIXTURE_DIR, FIXTURES.safetensors));
    expectedSha = createHash('sha256').update(toRawWeights(await loadPretrained(src, 'conv5_1')).bin).digest('hex');
    src.close();
    s = await launchGpuPage({ files: { ...site } });
    await s.page.setViewport({ width: 1280, height: 900 });
  }, 600_000);
  afterAll(async () => {
    await s?.close();
    await servers?.close();
  });
  const openPage = () => s.page.goto(`${s.url}index.html?weights-url=${encodeURIComponent(`${servers.origin}/resolve/${FIXTURES.safetensors}`)}`);
  const stylizeTiny = async (p: Page) => {
    await p.waitForFunction(() => (document.querySelector('#pick-style img') as HTMLImageElement | null)?.src.startsWith('blob:'));
    const set = async (id: string, v: string) => p.$eval(`#${id}`, (el, val) => ((el as HTMLInputElement).value = val), v);
    await set('size', '24');
    await set('iters', '2');
    await p.click('#start');
    await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });
    expect(await p.$eval('#error', (e) => (e as HTMLElement).hidden ? '' : e.textContent)).toBe('');
    return p.$eval('#status', (e) => e.textContent ?? '');
  };

  it('from a fresh profile: one click downloads only the needed tensors, then stylizes with them', async () => {
    const p = s.page;
    await openPage();
    expect(await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).value)).toBe('random');
    servers.reset();
    await p.click('#weights-pretrained');
    await p.waitForFunction(() => /downloaded\.|did not finish/.test(document.querySelector('#weights-status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });
    expect(await p.$eval('#error', (e) => (e as HTMLElement).hidden ? '' : e.textContent)).toBe('');
    expect(await p.$eval('#weights-status', (e) => e.textContent)).toMatch(/pretrained VGG19 \(13 layers, 51\.\d MB kept in this browser\) — downloaded\./);
    const served = servers.stats(FIXTURES.safetensors);
    expect(served.bytes / statSync(join(FIXTURE_DIR, FIXTURES.safetensors)).size).toBeLessThan(0.6);
    // stored bit for bit as the source holds them
    const sha = await p.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('weights');
      const bin = await (await dir.getFileHandle('vgg19-hf.bin')).getFile();
      return [...new Uint8Array(await crypto.subtle.digest('SHA-256', await bin.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');
    });
    expect(sha).toBe(expectedSha);
    servers.reset();
    expect(await stylizeTiny(p)).toMatch(/^Done after 2 steps .* with vgg19-hf \(pretrained VGG19 from http:\/\/127\.0\.0\.1:\d+\/resolve\/model\.safetensors\)\.$/);
    expect(servers.totalRequests()).toBe(0);
    await p.screenshot({ path: 'test-artifacts/demo-pretrained.png' });
  });

  it('remembers the choice; the next visit makes no request; "forget" empties the cache', async () => {
    const p = s.page;
    servers.reset();
    await openPage();
    await p.waitForFunction(() => /kept in this browser/.test(document.querySelector('#weights-status')!.textContent ?? ''));
    expect(await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).value)).toBe('pretrained');
    expect(await stylizeTiny(p)).toMatch(/with vgg19-hf \(pretrained/);
    expect(servers.totalRequests()).toBe(0);
    await p.click('#weights-forget');
    await p.waitForFunction(() => /forgotten/.test(document.querySelector('#weights-status')!.textContent ?? ''));
    expect(await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).value)).toBe('random');
    const left = await p.evaluate(async () => {
      const names: string[] = [];
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('weights', { create: true });
      for await (const n of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(n);
      return names;
    });
    expect(left).toEqual([]);
  });

  it('a download that breaks off keeps nothing and says so', async () => {
    const p = s.page;
    await p.goto(`${s.url}index.html?weights-url=${encodeURIComponent(`${servers.origin}/drop/${FIXTURES.safetensors}`)}`);
    await p.click('#weights-pretrained');
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });
    expect(await p.$eval('#error', (e) => e.textContent)).toMatch(/broke off|asked for \d+ bytes/);
    expect(await p.$eval('#weights-status', (e) => e.textContent)).toMatch(/did not finish \(nothing was kept\)/);
    expect(await p.$eval('#weights-forget', (e) => (e as HTMLElement).hidden)).toBe(true);
  });
});
