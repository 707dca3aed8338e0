/**
 * The demo site end to end: built with vite, served statically, driven in headless Chromium.
 * Screenshots go to test-artifacts/ (not committed).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { axeViolations, browserPerBlock as browserPerBlockOf, caption, demoSitePerFile, errorText, freshPage, openDemo, setValue, statusText, tinySettings, waitRunEnd, watchStatus } from './harness/demo_page.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchGpuPage, type BrowserSession } from '../tools/lib/browser.js';
import { createHash } from 'node:crypto';
import type { ElementHandle, Page } from 'puppeteer';
import { loadPretrained } from '../src/io/pretrained.js';
import { RANDOM_NETWORK_DEFAULTS, networkDefaults, JOB_DEFAULTS, LBFGS_LR, PAGE_RECONSTRUCTION_DEFAULTS } from '../src/nst/defaults.js';
import { randomVgg19 } from '../src/model/weights.js';
import { toRawWeights } from '../src/io/raw_weights.js';
import { FileSource } from '../tools/lib/file_source.js';
import { FIXTURE_DIR, FIXTURES, makePretrainedFixtures } from './harness/pretrained_fixtures.js';
import { startWeightsServers, type WeightsServers } from './harness/weights_server.js';
import { Planner } from '../src/kernels/plan.js';
import { parseLayerList, resolveOptions } from '../src/nst/options.js';
import { RUN_DEFAULTS } from '../demo/network_defaults.js';
import { defaultReconstructionLayers } from '../src/job/reconstruct_targets.js';
import { estimateRunBytes, formatBytes, tileForBudget } from '../src/nst/tile_budget.js';
import { planTiles } from '../src/nst/tiles.js';

const built = demoSitePerFile('dist/demo-test');
beforeAll(() => {
  mkdirSync('test-artifacts', { recursive: true });
});
const open = (webgpu = true) => openDemo(built.get(), webgpu);
const browserPerBlock = () => browserPerBlockOf(built.get);

describe('demo site', () => {
  let s: BrowserSession;
  beforeAll(async () => {
    s = await open();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('stylizes a bundled example (the default: the embedded SqueezeNet 1.1): preview changes, loss goes down, the download is a PNG', async () => {
    const p = s.page;
    await p.waitForFunction(() => (document.querySelector('#pick-style img') as HTMLImageElement | null)?.src.startsWith('blob:'));
    const set = async (id: string, v: string) => p.$eval(`#${id}`, (el, val) => ((el as HTMLInputElement).value = val), v);
    await set('size', '32');
    await set('iters', '4');
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
    expect(await p.$eval('#status', (e) => e.textContent)).toMatch(/with SqueezeNet 1\.1, pretrained on ImageNet/);
    await p.screenshot({ path: 'test-artifacts/demo-stylize.png' });
  });

  it('runs multi-scale with original colors and snapshots from the page (the seeded random VGG19)', async () => {
    const p = s.page;
    const set = async (id: string, v: string) => p.$eval(`#${id}`, (el, val) => ((el as HTMLInputElement).value = val), v);
    await p.select('#weights-kind', 'random');
    await set('content-layers', 'conv2_2');
    await set('style-layers', 'conv1_1,conv2_1');
    await set('size', '32');
    await set('iters', '2');
    await set('save-every', '3');
    await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
    await p.select('#scales', '2');
    await p.select('#original-colors', 'luminance');
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
    await p.evaluate(() => [...document.querySelectorAll('#kernel-list button')].find((b) => b.textContent === 'gram_backward/v0_narrow')!.dispatchEvent(new MouseEvent('click')));
    expect(await p.$eval('#kernel-bindings', (t) => t.textContent)).toMatch(/grad_features.*storage/);
    await p.click('#kernel-run');
    await p.waitForFunction(() => /OK|MISMATCH|error/.test(document.querySelector('#kernel-result')!.textContent ?? ''), { timeout: 60_000 });
    expect(await p.$eval('#kernel-result', (e) => e.textContent)).toMatch(/max relative error .* — OK/);
    await p.screenshot({ path: 'test-artifacts/demo-explorer.png' });
  });

  it('every kernel\'s explorer check passes', async () => {
    const p = s.page;
    const names = await p.$$eval('#kernel-list button', (bs) => bs.map((b) => b.textContent!));
    const failed: string[] = [];
    for (const name of names) {
      await p.evaluate((n) => [...document.querySelectorAll('#kernel-list button')].find((b) => b.textContent === n)!.dispatchEvent(new MouseEvent('click')), name);
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
      // and what to do in this browser (headless Chromium on Linux: its flags, not Firefox's prefs)
      const text = await s.page.$eval('#error', (e) => e.textContent ?? '');
      expect(text).toMatch(/WebGPU is (not available|present but no GPU adapter).*needs WebGPU\. In Chrome.*chrome:\/\/(flags|gpu).*#enable-vulkan/);
      expect(text).not.toMatch(/about:config/);
      // no GPU defaults promised under it (was: "512 px … time shows once a first run has timed this GPU")
      expect(await s.page.$eval('#estimate', (e) => e.textContent ?? '')).toMatch(/^Nothing can run in this browser until WebGPU works/);
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
    s = await launchGpuPage({ files: { ...built.get() } });
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
    await set('size', '32'); // VGG19's conv5_1 needs 16 px on each side: The Starry Night at 32 px is 32×20
    await set('iters', '2');
    await p.click('#start');
    await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });
    expect(await p.$eval('#error', (e) => (e as HTMLElement).hidden ? '' : e.textContent)).toBe('');
    return p.$eval('#status', (e) => e.textContent ?? '');
  };

  it('from a fresh profile: one click downloads only the needed tensors, then stylizes with them', async () => {
    const p = s.page;
    await openPage();
    expect(await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).value)).toBe('squeezenet');
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
    expect(await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).value)).toBe('squeezenet');
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
    // the page settles the weights panel after load (it asks the browser's storage what is kept)
    await p.waitForSelector('#weights-pretrained', { visible: true });
    await p.click('#weights-pretrained');
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });
    expect(await p.$eval('#error', (e) => e.textContent)).toMatch(/broke off|asked for \d+ bytes/);
    expect(await p.$eval('#weights-status', (e) => e.textContent)).toMatch(/did not finish \(nothing was kept\)/);
    expect(await p.$eval('#weights-forget', (e) => (e as HTMLElement).hidden)).toBe(true);
  });
});

// ------------------------------------------------------------------ issue 13: state, layout, accessibility

/**
 * A new visit with nothing remembered, Advanced open; the setting found by its accessible name and
 * role must be element #id and have `help` as its accessible description.
 */
async function freshAdvancedSetting(p: Page, url: string, name: string, role: string, id: string, help: RegExp) {
  await freshPage(p, url);
  await p.evaluate(() => localStorage.clear());
  await freshPage(p, url);
  await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
  const element = await p.$(`::-p-aria([name="${name}"][role="${role}"])`);
  expect(await element?.evaluate((e) => e.id)).toBe(id);
  const ax = await p.accessibility.snapshot({ root: element! });
  expect(ax?.description).toMatch(help);
}

/** Put files into the weights picker as a user would (then, optionally, click Start in the same task). */
function pickWeightFiles(p: Page, files: [string, Uint8Array][], thenStart = false): Promise<void> {
  const encoded = files.map(([name, bytes]) => [name, Buffer.from(bytes).toString('base64')]);
  return p.evaluate((list, start) => {
    const input = document.querySelector('#weights-file') as HTMLInputElement;
    const dt = new DataTransfer();
    for (const [name, b64] of list) dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    if (start) (document.querySelector('#start') as HTMLButtonElement).click();
  }, encoded, thenStart);
}

describe('demo: state that cannot go stale', () => {
  const b = browserPerBlock();
  const fresh = b.fresh;

  it('a file dropped on Content shows in the dropdown too', async () => {
    const p = b.s.page;
    await fresh();
    await p.evaluate(async () => {
      const blob = await (await fetch('./rocket.jpg')).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'rocket.jpg', { type: 'image/jpeg' }));
      document.querySelector('#pick-content')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await p.waitForFunction(() => (document.querySelector('#pick-content select') as HTMLSelectElement).selectedOptions[0]?.textContent?.includes('rocket.jpg'), { timeout: 10_000 });
    expect(await p.$eval('#pick-content img', (i) => (i as HTMLImageElement).alt)).toMatch(/rocket\.jpg/);
  });

  it('a non-image file is refused on pick, naming it; the error goes once a valid image is chosen', async () => {
    const p = b.s.page;
    await fresh();
    writeFileSync('test-artifacts/notes.txt', 'not an image\n');
    const input = (await p.$('#pick-content input[type=file]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile('test-artifacts/notes.txt');
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 10_000 });
    expect(await errorText(p)).toMatch(/notes\.txt.*could not be decoded.* The content image stays chelsea\.png\.$/);
    // the thumbnail still shows the last valid image, not a broken one
    expect(await p.$eval('#pick-content img', (i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)).toBe(true);
    await p.select('#pick-content select', 'rocket.jpg');
    await p.waitForFunction(() => (document.querySelector('#error') as HTMLElement).hidden, { timeout: 10_000 });
  });

  it('settings are locked while paused; after Stop the Pause button says Pause again', async () => {
    const p = b.s.page;
    await fresh();
    await tinySettings(p, '400');
    await p.click('#start');
    await p.waitForFunction(() => /step [1-9]/.test(document.querySelector('#status')!.textContent ?? ''), { timeout: 120_000 });
    await p.click('#pause');
    expect(await p.$eval('#pause', (b) => b.textContent)).toBe('Resume');
    const locked = await p.$$eval('#size, #iters, #pick-content select, #pick-style input[type=file], #style-weight', (es) => es.map((e) => e.matches(':disabled')));
    await p.click('#stop');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Stopped after (1 step|\d+ steps) /);
    expect(await p.$eval('#pause', (b) => b.textContent)).toBe('Pause');
    expect(locked).toEqual([true, true, true, true, true]);
    expect(await p.$$eval('#size, #iters, #pick-content select', (es) => es.map((e) => e.matches(':disabled')))).toEqual([false, false, false]);
  });

  it('two clicks on Start in one task start one job', async () => {
    const p = b.s.page;
    await fresh();
    await tinySettings(p, '2');
    await setValue(p, 'save-every', '1');
    await p.evaluate(() => {
      const b = document.querySelector('#start') as HTMLButtonElement;
      b.click();
      b.click();
    });
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await p.$$eval('#snapshots a', (as) => as.map((a) => a.textContent))).toEqual(['step 1']);
    await setValue(p, 'save-every', '0');
  });

  it('steps must be a whole number ≥ 1; the message goes once fixed', async () => {
    const p = b.s.page;
    await fresh();
    await tinySettings(p, '0');
    for (const bad of ['0', '', '2.5']) {
      await setValue(p, 'iters', bad);
      await p.evaluate(() => (document.querySelector('#start') as HTMLButtonElement).click());
      await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 60_000 });
      expect(await errorText(p)).toMatch(/[Ss]teps must be a whole number/);
      expect(await statusText(p)).not.toMatch(/Done/);
    }
    await setValue(p, 'iters', '2');
    await p.waitForFunction(() => (document.querySelector('#error') as HTMLElement).hidden, { timeout: 10_000 });
  });

  it('Start right after picking weight files waits for them; no stale "pick a file" error', async () => {
    const p = b.s.page;
    await fresh();
    const raw = toRawWeights(randomVgg19(7, 'conv2_1'));
    await p.select('#weights-kind', 'file');
    await tinySettings(p, '2'); // VGG19's layers: a file holds VGG19 until one is read
    await pickWeightFiles(p, [['tiny.json', Buffer.from(raw.manifest)], ['tiny.bin', raw.bin]], true);
    await p.waitForFunction(() => /tiny/.test(document.querySelector('#weights-status')!.textContent ?? ''), { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await errorText(p)).toBe('');
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 2 steps .*with tiny/);
    await p.select('#weights-kind', 'squeezenet');
  });

  it('a bad weights file is named and leaves no "Converting…"; switching the menu away and back shows the loaded file again', async () => {
    const p = b.s.page;
    await fresh();
    await p.select('#weights-kind', 'file');
    await pickWeightFiles(p, [['bogus.pth', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]]);
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 30_000 });
    expect(await errorText(p)).toMatch(/bogus\.pth/);
    expect(await p.$eval('#weights-status', (e) => e.textContent)).not.toMatch(/Converting|Reading/);
    const raw = toRawWeights(randomVgg19(7, 'conv2_1'));
    await pickWeightFiles(p, [['tiny.json', Buffer.from(raw.manifest)], ['tiny.bin', raw.bin]]);
    await p.waitForFunction(() => /tiny/.test(document.querySelector('#weights-status')!.textContent ?? ''), { timeout: 30_000 });
    await p.select('#weights-kind', 'random');
    // the line is written once the page has looked in its weights cache (asynchronous)
    await p.waitForFunction(() => /seeded random/.test(document.querySelector('#weights-status')!.textContent ?? ''), { timeout: 10_000 });
    await p.select('#weights-kind', 'file');
    await p.waitForFunction(() => /tiny/.test(document.querySelector('#weights-status')!.textContent ?? ''), { timeout: 10_000 });
    await p.select('#weights-kind', 'squeezenet');
  });

  it('hostile weight files (a header nested 10⁵ deep, a manifest with string means) are each refused in one named line; Start still runs', async () => {
    const p = b.s.page;
    await fresh();
    await p.select('#weights-kind', 'file');
    // a safetensors file whose 8-byte length is right and whose header nests 100 000 arrays deep
    const deepHeader = Buffer.from('{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}');
    const deep = Buffer.concat([Buffer.alloc(8), deepHeader]);
    deep.writeBigUInt64LE(BigInt(deepHeader.length));
    const raw = toRawWeights(randomVgg19(7, 'conv2_1'));
    const manifest = JSON.parse(Buffer.from(raw.manifest).toString());
    manifest.input.mean = ['0.4', '0.4', '0.4'];
    const cases: [[string, Uint8Array][], RegExp][] = [
      [[['deep.safetensors', deep]], /^deep\.safetensors: safetensors header nests deeper than 8 levels/],
      [[['strings.json', Buffer.from(JSON.stringify(manifest))], ['strings.bin', raw.bin]], /^strings\.json: manifest "input" must give .* as numbers/],
    ];
    for (const [files, message] of cases) {
      await pickWeightFiles(p, files);
      await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 30_000 });
      const text = await errorText(p);
      expect(text).toMatch(message);
      expect(text.split('\n')).toHaveLength(1);
      expect(await p.$eval('#weights-status', (e) => e.textContent)).not.toMatch(/Converting|Reading/);
    }
    // nothing was kept: the page goes on with SqueezeNet, and Start runs with no stale error
    await p.select('#weights-kind', 'squeezenet');
    await tinySettings(p, '2', '32');
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 2 steps/);
  });

  it('the Reconstructions tab says which weights it uses', async () => {
    const p = b.s.page;
    await fresh();
    await p.click('#tab-reconstruct');
    const text = await p.$eval('#recon-weights', (e) => ((e as HTMLElement).offsetParent ? e.textContent : ''));
    expect(text).toMatch(/SqueezeNet 1\.1, pretrained on ImageNet \(DeepScale's weights, embedded in this page\), as chosen on the Style transfer tab/);
    await p.click('#tab-stylize');
  });
});

const TABS = ['stylize', 'reconstruct', 'explorer'] as const;
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
  { name: 'narrow', width: 360, height: 740 },
] as const;

describe('demo: layout, accessibility, keyboard', () => {
  let s: BrowserSession;
  const failed: string[] = [];
  beforeAll(async () => {
    s = await open();
    s.page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  });
  afterAll(async () => {
    await s?.close();
  });
  const fresh = () => freshPage(s.page, `${s.url}index.html`);

  it('on a software adapter: says so, smaller defaults, then an estimate from the measured first step', async () => {
    const p = s.page;
    await fresh();
    await p.waitForFunction(() => document.body.dataset.gpu, { timeout: 30_000 });
    expect(await p.evaluate(() => document.body.dataset.gpu)).toBe('software');
    expect(await p.$eval('#adapter-note', (e) => ((e as HTMLElement).offsetParent ? e.textContent : ''))).toMatch(/WebGPU on the CPU.*slow.*about a minute/);
    // the default choice is SqueezeNet: its CPU size and steps; VGG19's once it is chosen, and back
    const sizeSteps = () => p.$$eval('#size, #iters', (es) => es.map((e) => Number((e as HTMLInputElement).value)));
    const { software } = RUN_DEFAULTS;
    expect(await sizeSteps()).toEqual([software.squeezenet.size, software.squeezenet.iters]);
    await p.select('#weights-kind', 'random');
    expect(await sizeSteps()).toEqual([software.vgg19.size, software.vgg19.iters]);
    await p.select('#weights-kind', 'squeezenet');
    expect(await sizeSteps()).toEqual([software.squeezenet.size, software.squeezenet.iters]);
    expect(await statusText(p)).not.toMatch(/maxStorageBufferBindingSize/);
    await tinySettings(p, '4');
    await p.evaluate(() => {
      const w = window as unknown as { statuses: string[] };
      w.statuses = [];
      new MutationObserver(() => w.statuses.push(document.querySelector('#status')!.textContent ?? '')).observe(document.querySelector('#status')!, { childList: true, characterData: true, subtree: true });
    });
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    const statuses = await p.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(statuses.filter((t) => /ETA 0 s|step 0\//.test(t))).toEqual([]);
    // once the weights are in, the status says the run prepares (not "Loading the weights…" through the targets)
    const first = statuses.findIndex((t) => /timing the first step/.test(t));
    expect(statuses[first - 1]).toMatch(/^Preparing the run with SqueezeNet 1\.1: the content and style targets, then the first evaluation…$/);
    expect(statuses.some((t) => /about \d+ s/.test(t))).toBe(true);
    expect(await p.$eval('#estimate', (e) => e.textContent)).toMatch(/about \d+ s/);
    expect(await p.$eval('#result-weights', (e) => e.textContent)).toMatch(/^Made with SqueezeNet 1\.1, pretrained on ImageNet \(DeepScale's weights, embedded in this page\)\.$/);
  });

  it('no horizontal scroll at 390×844, 1280×800 (and 360 wide) on any tab; Start and the result visible (screenshots)', async () => {
    const p = s.page;
    const problems: string[] = [];
    for (const withResult of [false, true]) {
      for (const v of VIEWPORTS) {
        await p.setViewport({ width: v.width, height: v.height });
        if (!withResult) await fresh();
        for (const tab of TABS) {
          await p.click(`#tab-${tab}`);
          const m = await p.evaluate(() => {
            const box = (sel: string) => {
              const r = document.querySelector(sel)!.getBoundingClientRect();
              return r.width > 0 && r.left >= 0 && r.right <= innerWidth;
            };
            return { scroll: document.documentElement.scrollWidth, inner: innerWidth, start: box('#start'), result: box('#result') };
          });
          if (m.scroll > m.inner) problems.push(`${v.name} ${tab}: scrollWidth ${m.scroll} > ${m.inner}`);
          if (tab === 'stylize' && !(m.start && m.result)) problems.push(`${v.name}: Start ${m.start ? '' : 'not '}visible, result ${m.result ? '' : 'not '}visible`);
          if (v.name !== 'narrow' && (!withResult || tab === 'stylize')) {
            const path = `test-artifacts/demo-${v.name}-${withResult ? 'result' : tab}`;
            await p.screenshot({ path: `${path}.png` });
            if (v.name === 'phone') await p.screenshot({ path: `${path}-full.png`, fullPage: true });
          }
        }
        await p.click('#tab-stylize');
      }
      if (!withResult) {
        await p.setViewport({ width: 1280, height: 800 });
        await tinySettings(p, '6', '64');
        await p.click('#start');
        await waitRunEnd(p);
        expect(await errorText(p)).toBe('');
      }
    }
    await p.setViewport({ width: 1280, height: 900 });
    expect(problems).toEqual([]);
  });

  it('axe-core: no serious or critical violations on any tab, after load and after a run', async () => {
    const p = s.page;
    await fresh();
    await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
    const found: string[] = [];
    for (const tab of TABS) {
      await p.click(`#tab-${tab}`);
      found.push(...(await axeViolations(p)).map((v) => `${tab}, after load: ${v}`));
    }
    await p.click('#tab-stylize');
    await tinySettings(p, '2');
    await p.click('#start');
    await waitRunEnd(p);
    found.push(...(await axeViolations(p)).map((v) => `stylize, after a run: ${v}`));
    await p.click('#tab-reconstruct');
    await setValue(p, 'recon-size', '26');
    await setValue(p, 'recon-iters', '1');
    await p.click('#recon-start');
    await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#recon-status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });
    found.push(...(await axeViolations(p)).map((v) => `reconstruct, after a run: ${v}`));
    await p.click('#tab-explorer');
    await p.click('#kernel-run');
    await p.waitForFunction(() => /OK|MISMATCH/.test(document.querySelector('#kernel-result')!.textContent ?? ''), { timeout: 60_000 });
    found.push(...(await axeViolations(p)).map((v) => `explorer, after a check: ${v}`));
    expect(found).toEqual([]);
  });

  it('every visible control has an accessible name, read from the accessibility tree (axe does not see a label that names an <output>)', async () => {
    const p = s.page;
    await fresh();
    await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
    const unnamed: string[] = [];
    for (const el of await p.$$('input, select, textarea, button')) {
      const visible = await el.evaluate((e) => (e as HTMLElement).offsetParent !== null && (e as HTMLInputElement).type !== 'hidden');
      if (!visible) continue;
      const ax = await p.accessibility.snapshot({ root: el, interestingOnly: false });
      if (!ax?.name?.trim()) unnamed.push(await el.evaluate((e) => `${e.tagName.toLowerCase()}#${e.id}`));
    }
    expect(unnamed).toEqual([]);
    // the strength slider is named by its label, and its value is read out in words
    const slider = await p.$('#strength');
    const ax = await p.accessibility.snapshot({ root: slider!, interestingOnly: false });
    expect(ax?.name).toMatch(/^Strength of style/);
    expect(await slider!.evaluate((e) => e.getAttribute('aria-valuetext'))).toMatch(/^medium \(β\u00a0=\u00a0\d+\)$/);
  });

  it('keyboard: Start in a few Tab presses, tabs by arrow keys, kernels by buttons', async () => {
    const p = s.page;
    await fresh();
    let presses = 0;
    while (presses < 30 && (await p.evaluate(() => document.activeElement?.id)) !== 'start') {
      await p.keyboard.press('Tab');
      presses++;
    }
    expect(presses).toBeLessThanOrEqual(9); // the tabs, two pickers (menu + file each), size, steps, strength, Start
    await p.focus('#tab-stylize');
    await p.keyboard.press('ArrowRight');
    expect(await p.evaluate(() => [document.activeElement?.id, document.activeElement?.getAttribute('aria-selected'), (document.querySelector('#view-reconstruct') as HTMLElement).hidden])).toEqual(['tab-reconstruct', 'true', false]);
    await p.keyboard.press('End');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('tab-video');
    expect(await p.$$eval('[role=tablist] [role=tab]', (ts) => ts.map((t) => t.getAttribute('aria-selected')))).toEqual(['false', 'false', 'false', 'true']);
    await p.keyboard.press('ArrowLeft');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('tab-explorer');
    expect(await p.$$eval('[role=tablist] [role=tab]', (ts) => ts.map((t) => t.getAttribute('aria-selected')))).toEqual(['false', 'false', 'true', 'false']);
    await p.focus('#kernel-list button[data-kernel="gram_backward/v0_narrow"]');
    await p.keyboard.press('Enter');
    expect(await p.$eval('#kernel-name', (e) => e.textContent)).toBe('gram_backward/v0_narrow');
    await p.focus('#tab-explorer');
    await p.keyboard.press('Home');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('tab-stylize');
  });

  it('no request fails; the favicon is inline (browsers that ask for /favicon.ico do not get a 404)', async () => {
    expect(failed).toEqual([]);
    expect(await s.page.$eval('link[rel=icon]', (l) => (l as HTMLLinkElement).href)).toMatch(/^data:image\/svg\+xml,/);
  });
});

// ------------------------------------------------------------------ kernel autotuning on the page

describe('demo: kernel autotuning setting', () => {
  const b = browserPerBlock();
  const fresh = b.fresh;
  const mode = (p: Page) => p.$eval('#autotune', (e) => (e as HTMLSelectElement).value);
  const tables = (p: Page) => p.evaluate(() => Object.fromEntries(Object.keys(localStorage).filter((k) => k.startsWith('webgpu-neural-style:autotune:')).map((k) => [k, localStorage.getItem(k)!])));
  const run = async (p: Page) => {
    await tinySettings(p, '2');
    await watchStatus(p);
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 2 steps/);
    return p.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
  };

  it('named and explained; remembered across a reload; "off" stores nothing, "on" tunes on the CPU adapter and keeps the table', async () => {
    const p = b.s.page;
    // found by its accessible name, with the help text as its description
    await freshAdvancedSetting(p, `${b.s.url}index.html`, 'Kernel autotuning', 'combobox', 'autotune', /Times each kernel version on your GPU the first time a layer size is seen and remembers the fastest/);
    expect(await p.$$eval('#autotune option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['auto', 'on', 'off', 'refresh']);
    expect(await mode(p)).toBe('auto');

    // off: the fixed table; nothing is measured or stored
    await p.select('#autotune', 'off');
    const offStatuses = await run(p);
    expect(offStatuses.filter((t) => /Measuring kernel versions/.test(t))).toEqual([]);
    expect(await caption(p)).not.toMatch(/[Kk]ernel versions/);
    expect(await tables(p)).toEqual({});
    await fresh();
    expect(await mode(p)).toBe('off');

    // on: measured on SwiftShader before the first step, said in the status and the caption, kept in localStorage
    await p.select('#autotune', 'on');
    const onStatuses = await run(p);
    const measuring = onStatuses.findIndex((t) => /^Measuring kernel versions on this adapter \(once, for \d+ operation shapes/.test(t));
    expect(measuring).toBeGreaterThanOrEqual(0);
    expect(onStatuses.findIndex((t) => /^step 1\//.test(t))).toBeGreaterThan(measuring);
    expect(await caption(p)).toMatch(/Kernel versions tuned on this adapter for \d+ operation shapes in \d+\.\d s, kept in this browser/);
    const stored = Object.values(await tables(p));
    expect(stored.length).toBe(1);
    const table = JSON.parse(stored[0]) as { format: string; entries: Record<string, unknown> };
    expect(table.format).toBe('webgpu-neural-style autotune table');
    expect(Object.keys(table.entries).length).toBeGreaterThan(0);

    // after a reload: still "on", and the stored table is used without measuring again
    await fresh();
    expect(await mode(p)).toBe('on');
    const againStatuses = await run(p);
    expect(againStatuses.filter((t) => /Measuring kernel versions/.test(t))).toEqual([]);
    expect(await caption(p)).toMatch(/Kernel versions as tuned earlier on this adapter \(\d+ operation shapes\)/);

    // a damaged table is a note in the status, not an error, and is rebuilt
    await p.evaluate((k) => localStorage.setItem(k, '{damaged'), Object.keys(await tables(p))[0]);
    await run(p);
    expect(await statusText(p)).toMatch(/Note: the autotune table in this browser's storage is damaged .*ignored and will be rebuilt\./);
    expect(await caption(p)).toMatch(/Kernel versions tuned on this adapter/);
    expect(JSON.parse(Object.values(await tables(p))[0]).format).toBe('webgpu-neural-style autotune table');
    await p.select('#autotune', 'auto');
  });
});

// ------------------------------------------------------------------ GPU memory budget on the page

describe('demo: GPU memory budget', () => {
  const b = browserPerBlock();
  const fresh = b.fresh;
  const statuses = (p: Page) => p.evaluate(() => (window as unknown as { statuses: string[] }).statuses);

  // the page's run: chelsea.png at 48 px is 48×32; shallow layers; the seeded random network's pooling
  const [W, H, deepest] = [48, 32, 'conv2_1'];
  const options = resolveOptions({ ...RANDOM_NETWORK_DEFAULTS.stylize, iterations: 2, contentLayers: parseLayerList('conv1_2'), styleLayers: parseLayerList('conv1_1,conv2_1') });
  const planner = new Planner({ isSoftware: true });
  const budgetMiB = 8;

  it('named and explained; 0, negative and unreadable values are refused with a message and nothing starts; too small a budget names the smallest that works', async () => {
    const p = b.s.page;
    await freshAdvancedSetting(p, `${b.s.url}index.html`, 'GPU memory budget (MiB)', 'spinbutton', 'max-gpu-memory', /Larger images are computed in tiles that fit this much GPU memory; the result is exactly the same\. Empty: only when the GPU's buffers are too small\./);
    expect(await p.$eval('#max-gpu-memory', (e) => (e as HTMLInputElement).value)).toBe('');

    await p.select('#weights-kind', 'random'); // tiles are VGG19's (remembered for the next test)
    await tinySettings(p, '2', String(W));
    for (const bad of ['0', '-5', 'typed:1e']) {
      if (bad.startsWith('typed:')) {
        // what the browser cannot read as a number: the field's value is '' with badInput, not "no budget"
        await setValue(p, 'max-gpu-memory', '');
        await p.focus('#max-gpu-memory');
        await p.keyboard.type(bad.slice(6));
        expect(await p.$eval('#max-gpu-memory', (e) => (e as HTMLInputElement).validity.badInput)).toBe(true);
      } else await setValue(p, 'max-gpu-memory', bad);
      await watchStatus(p);
      await p.evaluate(() => (document.querySelector('#start') as HTMLButtonElement).click());
      await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 10_000 });
      expect(await errorText(p)).toMatch(/The GPU memory budget must be a number of MiB greater than 0.*or empty for no budget \(got (“-?\d+”|text that is not a number)\)/);
      expect(await statuses(p)).toEqual([]); // nothing started: not even "Preparing…"
      expect(await p.$eval('#pause', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
      expect(await p.evaluate(() => 'nstHistory' in window)).toBe(false);
    }
    // a fixed value clears the message
    await setValue(p, 'max-gpu-memory', '1');
    await p.waitForFunction(() => (document.querySelector('#error') as HTMLElement).hidden, { timeout: 10_000 });

    // 1 MiB is below what even the smallest tiles need: refused before any step, naming the smallest budget, in the page's words
    const smallest = estimateRunBytes(H, W, options, deepest, planner, 2).total;
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toMatch(new RegExp(`budget of 1\\.0 MiB is too small for ${W}×${H}: the smallest tiles \\(2 px\\) need about ${formatBytes(smallest).replace('.', '\\.')}.*raise the budget to at least [\\d.]+ MiB \\(\\d+ MB\\)`));
    expect(await p.evaluate(() => 'nstHistory' in window)).toBe(false);
  });

  it('a budget below the untiled run\'s need: the status says before the run that it goes in tiles; the caption shows the peak, within the budget; remembered across a reload', async () => {
    const p = b.s.page;
    // the budget really makes this run tile: the untiled estimate is over it (also with lean weights,
    // which a budget run tries first), and the tiles the page must name (planned lean, as the page does)
    const budget = budgetMiB * 2 ** 20;
    expect(estimateRunBytes(H, W, options, deepest, planner).total).toBeGreaterThan(budget);
    expect(estimateRunBytes(H, W, options, deepest, planner.with({ lean: true })).total).toBeGreaterThan(budget);
    const { tile } = tileForBudget(H, W, options, deepest, planner.with({ lean: true }), budget, 2 ** 27);
    const count = planTiles(H, W, tile, deepest).tiles.length;
    expect(count).toBeGreaterThan(1);

    await fresh();
    await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
    await tinySettings(p, '2', String(W));
    await setValue(p, 'max-gpu-memory', String(budgetMiB));
    await watchStatus(p);
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 2 steps/);
    const notice = new RegExp(`^Note: ${W}×${H} would need about [\\d.]+ MiB untiled, more than the ${budgetMiB}\\.0 MiB budget: it runs in ${count} tiles of ${tile} px .*the gradient is the same as untiled\\.$`);
    const seen = await statuses(p);
    const noted = seen.findIndex((t) => notice.test(t));
    expect(noted).toBeGreaterThanOrEqual(0);
    expect(seen.findIndex((t) => /^step 1\//.test(t))).toBeGreaterThan(noted);
    // the note stays under the status once the run is going, and after it
    expect(await p.$eval('#run-note', (e) => ((e as HTMLElement).hidden ? '' : (e.textContent ?? '')))).toMatch(notice);
    const m = /Peak GPU memory ([\d.]+) MiB, in (\d+) tiles of (\d+) px\./.exec(await caption(p));
    expect(m).not.toBeNull();
    expect([Number(m![2]), Number(m![3])]).toEqual([count, tile]);
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![1])).toBeLessThanOrEqual(budgetMiB);

    // remembered in this browser; emptied, the next run is untiled and the caption says only the peak
    await fresh();
    expect(await p.$eval('#max-gpu-memory', (e) => (e as HTMLInputElement).value)).toBe(String(budgetMiB));
    await setValue(p, 'max-gpu-memory', '');
    await tinySettings(p, '1', String(W));
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await p.$eval('#run-note', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await caption(p)).toMatch(/Peak GPU memory [\d.]+ MiB\.$/);
    await fresh();
    expect(await p.$eval('#max-gpu-memory', (e) => (e as HTMLInputElement).value)).toBe('');
  });
});

// ------------------------------------------------------------------ fast preview (SqueezeNet) → render with VGG19

describe('demo: fast preview with SqueezeNet, then render with VGG19', () => {
  const b = browserPerBlock();
  interface RunRecord { kind: string; network: string; size: number; style: string; fromPreview: boolean; updates: number }
  const runs = (p: Page) => p.evaluate(() => (window as unknown as { nstRuns?: RunRecord[] }).nstRuns ?? []);
  const history = (p: Page) => p.evaluate(() => (window as unknown as { nstHistory: { content: number[]; total: number[] } }).nstHistory);
  const pressed = (p: Page) => p.$eval('#fast-preview', (e) => e.getAttribute('aria-pressed'));
  const startLabel = (p: Page) => p.$eval('#start', (e) => e.textContent);
  const waitPreviewEnd = (p: Page) =>
    p.waitForFunction(() => /^Fast preview (done|stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });

  it('previews with SqueezeNet, a new image every step, settings open; a new style restarts it, a VGG19-only field does not; Stop keeps the image', async () => {
    const p = b.s.page;
    await b.fresh();
    await p.select('#weights-kind', 'random'); // renders with the seeded random VGG19 (remembered for this block's tests)
    // VGG19-only settings SqueezeNet cannot take: avg pooling (the seeded random VGG19's), VGG19 layer names, a memory budget
    await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
    expect(await p.$eval('#pooling', (e) => (e as HTMLSelectElement).value)).toBe('avg');
    await tinySettings(p, '400', '32');
    await setValue(p, 'max-gpu-memory', '8');
    expect(await startLabel(p)).toBe('Start');
    // a named toggle button, described by the line under it, started from the keyboard
    const button = await p.$('::-p-aria([name="Fast preview"][role="button"])');
    expect(await button?.evaluate((e) => e.id)).toBe('fast-preview');
    const ax = await p.accessibility.snapshot({ root: button! });
    expect(ax?.pressed).toBe(false);
    expect(ax?.description).toMatch(/quick SqueezeNet 1\.1 version .* then render it with VGG19/);
    await watchStatus(p);
    await p.focus('#fast-preview');
    await p.keyboard.press('Enter');
    expect(await pressed(p)).toBe('true');
    await p.waitForFunction(() => ((window as unknown as { nstRuns?: RunRecord[] }).nstRuns ?? []).some((r) => r.updates >= 3) || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Fast preview \(a quick SqueezeNet 1\.1 sketch\): step \d+\/400 at 32×21 — [\d.]+ (steps\/s|s\/step)$/);
    const previews = await p.evaluate(() => (window as unknown as { nstPreviews: string[] }).nstPreviews);
    expect(previews[1]).not.toBe(previews[0]);
    expect(await caption(p)).toMatch(/fast preview with SqueezeNet 1\.1, in progress/);
    expect(await startLabel(p)).toBe('Render with VGG19');
    expect(await p.$eval('#mode-note', (e) => e.textContent)).toMatch(/^Fast preview is on: it starts again when the images, weights, size \(up to 256 px\), steps or strength change, or under Advanced settings the second style, init, optimizer, learning rate, seed, style scale or original colors\. Render with VGG19 continues from the preview at 32 px\.$/);
    // what the VGG19 fields mean now: a note on top of Advanced settings, both β by the strength, the time under the buttons is the render's
    expect(await p.$eval('#advanced-note', (e) => ((e as HTMLElement).hidden ? '' : e.textContent!.replace(/\s+/g, ' ')))).toMatch(/^Fast preview is on\. It uses SqueezeNet's own layers, loss weights \(α, TV\) and pooling: .* apply to Render with VGG19 only\./);
    expect(await p.$eval('#strength-out', (e) => e.textContent)).toBe(`medium (preview β\u00a0=\u00a0${networkDefaults('squeezenet').styleWeight}, VGG19 β\u00a0=\u00a0${RANDOM_NETWORK_DEFAULTS.stylize.styleWeight})`);
    expect(await p.$eval('#estimate', (e) => e.textContent)).toMatch(/^One scale: 32 px × \d+ steps?\.( Render with VGG19 at these settings takes .*)?$/);
    // settings stay open (that is what makes it live); the page still fits a phone
    expect(await p.$$eval('#size, #iters, #strength, #pick-style select', (es) => es.map((e) => e.matches(':disabled')))).toEqual([false, false, false, false]);
    for (const width of [390, 360]) {
      await p.setViewport({ width, height: 800 });
      const m = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth, buttons: ['#start', '#fast-preview', '#stop'].every((q) => document.querySelector(q)!.getBoundingClientRect().right <= innerWidth) }));
      expect(m).toEqual({ scroll: m.inner, inner: width, buttons: true });
    }
    await p.setViewport({ width: 1280, height: 900 });

    // a new style restarts it with that style
    await p.select('#pick-style select', 'rocket.jpg');
    await p.waitForFunction(() => ((window as unknown as { nstRuns?: RunRecord[] }).nstRuns ?? []).some((r) => r.style === 'rocket.jpg' && r.updates >= 2) || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });
    expect(await errorText(p)).toBe('');
    // so does a file dropped on the Style picker (no form event: the new image alone restarts it)
    await p.evaluate(async () => {
      const blob = await (await fetch('./chelsea.png')).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'my-style.png', { type: 'image/png' }));
      document.querySelector('#pick-style')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await p.waitForFunction(() => ((window as unknown as { nstRuns?: RunRecord[] }).nstRuns ?? []).some((r) => r.style === 'my-style.png' && r.updates >= 2) || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });
    expect(await errorText(p)).toBe('');
    expect((await runs(p)).map((r) => [r.kind, r.network, r.size, r.style])).toEqual([
      ['preview', 'squeezenet', 32, 'starry_night.jpg'],
      ['preview', 'squeezenet', 32, 'rocket.jpg'],
      ['preview', 'squeezenet', 32, 'my-style.png'],
    ]);
    // a field only VGG19 uses does not
    await setValue(p, 'style-layers', 'conv1_1');
    await new Promise((r) => setTimeout(r, 800));
    expect((await runs(p)).length).toBe(3);

    // Stop: the preview ends, its image stays, the caption names the network
    await p.click('#stop');
    await waitPreviewEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Fast preview stopped: \d+ steps at 32×21 in [\d.]+ s, [\d.]+ (steps\/s|s\/step) with SqueezeNet 1\.1, pretrained on ImageNet \(DeepScale's weights, embedded in this page\)\. A quick sketch; Render with VGG19 for the full result\.$/);
    expect(await caption(p)).toMatch(/my-style\.png: fast preview, 32×21 px, \d+ steps\. Made with SqueezeNet 1\.1, pretrained on ImageNet \(DeepScale's weights, embedded in this page\): a quick sketch, rougher than the VGG19 result\. Render with VGG19 continues from it for the full result\./);
    expect(await pressed(p)).toBe('false');
    expect(await p.$eval('#advanced-note', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await p.$eval('#strength-out', (e) => e.textContent)).toBe(`medium (β\u00a0=\u00a0${RANDOM_NETWORK_DEFAULTS.stylize.styleWeight})`);
    expect(await startLabel(p)).toBe('Render with VGG19');
    expect(await p.$eval('#download', (e) => ((e as HTMLElement).hidden ? '' : e.textContent))).toBe('Download preview PNG');
    expect(await axeViolations(p)).toEqual([]);
    await setValue(p, 'max-gpu-memory', ''); // forgotten: the renders below run untiled
  });

  it('Render with VGG19 continues from the preview (its first loss has a content term; a run from the content starts at 0) at the full size', async () => {
    const p = b.s.page;
    // the stopped 32×21 preview of the test before is held; the render is larger (48 px: the preview is resized)
    await tinySettings(p, '2', '48');
    await watchStatus(p);
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 2 steps \([\d.]+ s\) with seeded random VGG19 \(seed 1\), continuing from the SqueezeNet 1\.1 preview\.$/);
    const seen = await p.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(seen.some((t) => /^step 1\/2 with VGG19 from the preview — /.test(t))).toBe(true);
    expect(await caption(p)).toMatch(/my-style\.png: 48×32 px, 2 steps with VGG19, continued from the fast preview \(SqueezeNet 1\.1, 32×21, \d+ steps\)\. Made with the seeded random VGG19 \(seed 1\)/);
    expect((await runs(p)).at(-1)).toMatchObject({ kind: 'render', network: 'vgg19', size: 48, fromPreview: true });
    const fromPreview = (await history(p)).content[0];
    expect(fromPreview).toBeGreaterThan(0);
    const href = await p.$eval('#download', (a) => (a as HTMLAnchorElement).href);
    const png = PNG.sync.read(Buffer.from(href.split(',')[1], 'base64'));
    expect([png.width, png.height]).toEqual([48, 32]);

    // the preview is used up: the next Start is a plain run from the content image
    expect(await startLabel(p)).toBe('Start');
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 2 steps \([\d.]+ s\) with seeded random VGG19 \(seed 1\)\.$/);
    expect((await runs(p)).at(-1)).toMatchObject({ kind: 'render', fromPreview: false });
    expect((await history(p)).content[0]).toBe(0);
  });

  it('Render during a live preview stops it and continues from its latest image; a bad step count pauses the preview until fixed', async () => {
    const p = b.s.page;
    await b.fresh();
    await tinySettings(p, '400', '24');
    await p.click('#fast-preview');
    await p.waitForFunction(() => ((window as unknown as { nstRuns?: RunRecord[] }).nstRuns ?? []).some((r) => r.updates >= 2) || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });
    // a step count the preview cannot use: it waits, saying why; fixed, it starts again
    await setValue(p, 'iters', '0');
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 10_000 });
    expect(await errorText(p)).toMatch(/Steps must be a whole number from 1/);
    expect(await statusText(p)).toMatch(/^Fast preview waiting: a setting is not valid/);
    await setValue(p, 'iters', '300');
    await p.waitForFunction(() => ((window as unknown as { nstRuns?: RunRecord[] }).nstRuns ?? []).length === 2 && (document.querySelector('#error') as HTMLElement).hidden, { timeout: 30_000 });
    await p.waitForFunction(() => /^Fast preview \(a quick SqueezeNet 1\.1 sketch\): step \d+\/300/.test(document.querySelector('#status')!.textContent ?? ''), { timeout: 120_000 });
    // Render while it runs (one step; in the same task, so the preview has no time to restart with it)
    await p.evaluate(() => {
      const iters = document.querySelector('#iters') as HTMLInputElement;
      iters.value = '1';
      iters.dispatchEvent(new Event('input', { bubbles: true }));
      (document.querySelector('#start') as HTMLButtonElement).click();
    });
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 1 step .*continuing from the SqueezeNet 1\.1 preview\.$/);
    expect(await pressed(p)).toBe('false');
    const all = await runs(p);
    expect(all.map((r) => [r.kind, r.fromPreview])).toEqual([['preview', false], ['preview', false], ['render', true]]);
    expect((await history(p)).content[0]).toBeGreaterThan(0);
    // the preview stopped for good: no image from it after the render
    const updates = all[1].updates;
    await new Promise((r) => setTimeout(r, 500));
    expect((await runs(p))[1].updates).toBe(updates);
    expect(await p.$eval('#stop', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
  });

  it('a preview restarted by a change and stopped before its first step drops the earlier one: Start again, the content shown, no empty plot; Start runs from the content', async () => {
    const p = b.s.page;
    await b.fresh();
    await tinySettings(p, '3', '32');
    await p.click('#fast-preview');
    await waitPreviewEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Fast preview done: 3 steps .* It follows your changes until you press Stop\.$/);
    expect(await p.$eval('#plot', (e) => (e as HTMLElement).hidden)).toBe(false);
    // the mode is still on: the note on top of Advanced settings shows (and passes axe-core)
    await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
    expect(await p.$eval('#advanced-note', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await axeViolations(p)).toEqual([]);
    // a stronger style restarts it; Stop lands as the new run times its first step (in the status observer's microtask, before that step)
    await p.evaluate(() => {
      const status = document.querySelector('#status')!;
      new MutationObserver((_, o) => {
        if (!/timing the first step/.test(status.textContent ?? '')) return;
        o.disconnect();
        (document.querySelector('#stop') as HTMLButtonElement).click();
      }).observe(status, { childList: true, characterData: true, subtree: true });
      const strength = document.querySelector('#strength') as HTMLInputElement;
      strength.value = '1';
      strength.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await p.waitForFunction(() => (document.querySelector('#stop') as HTMLButtonElement).disabled || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 60_000 });
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toBe('Fast preview stopped before its first step: there is no preview to render from, so Start runs VGG19 from the content image.');
    expect((await runs(p)).map((r) => r.updates > 0)).toEqual([true, false]);
    // what is shown and what Start does agree: the content image, no caption, no plot; "Start", not "Render with VGG19"
    expect(await pressed(p)).toBe('false');
    expect(await startLabel(p)).toBe('Start');
    expect(await p.$eval('#mode-note', (e) => e.textContent)).toMatch(/^Fast preview: a quick SqueezeNet 1\.1 version/);
    expect(await p.evaluate(() => ['#preview', '#before', '#placeholder', '#plot', '#compare-row'].map((q) => (document.querySelector(q) as HTMLElement).hidden))).toEqual([true, false, false, true, true]);
    expect(await p.$eval('#before', (e) => (e as HTMLImageElement).alt)).toMatch(/^Content image chelsea\.png/);
    expect((await caption(p)).trim()).toBe('');
    expect(await p.$eval('#strength-out', (e) => e.textContent)).toBe(`strong (β\u00a0=\u00a0${Number((RANDOM_NETWORK_DEFAULTS.stylize.styleWeight! * 10).toPrecision(3))})`);
    // Start: VGG19 from the content image (its first content loss is 0), not from the earlier preview
    await setValue(p, 'iters', '1');
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 1 step \([\d.]+ s\) with seeded random VGG19 \(seed 1\)\.$/);
    expect((await runs(p)).at(-1)).toMatchObject({ kind: 'render', fromPreview: false });
    expect((await history(p)).content[0]).toBe(0);
    expect(await p.$eval('#plot', (e) => (e as HTMLElement).hidden)).toBe(false);
  });
});

// ------------------------------------------------------------------ the embedded SqueezeNet 1.1 (the default)

describe('demo: the embedded SqueezeNet 1.1 (the default; nothing comes from elsewhere)', () => {
  const b = browserPerBlock();
  interface RunRecord { kind: string; network: string; size: number; fromPreview: boolean; updates: number }
  const runs = (p: Page) => p.evaluate(() => (window as unknown as { nstRuns?: RunRecord[] }).nstRuns ?? []);
  const value = (p: Page, id: string) => p.$eval(`#${id}`, (e) => (e as HTMLInputElement).value);
  const EMBEDDED = "SqueezeNet 1\\.1, pretrained on ImageNet \\(DeepScale's weights, embedded in this page\\)";
  const layerText = (ls: { name: string; weight: number }[]) => ls.map((l) => (l.weight === 1 ? l.name : `${l.name}:${l.weight}`)).join(',');
  const waitPreviewEnd = (p: Page) =>
    p.waitForFunction(() => /^Fast preview (done|stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 120_000 });

  it('a first visit: the menu defaults to it, the fields hold its settings, Start runs it and the caption says so; every request stays on the page\'s origin, the weights are fetched once', async () => {
    const p = b.s.page;
    const requests: string[] = [];
    p.on('request', (r) => requests.push(r.url()));
    await b.fresh();
    expect(await value(p, 'weights-kind')).toBe('squeezenet');
    expect(await p.$eval('#weights-kind', (e) => (e as HTMLSelectElement).selectedOptions[0].textContent)).toBe('SqueezeNet 1.1, pretrained (default)');
    await p.waitForFunction(() => /from this site/.test(document.querySelector('#weights-status')!.textContent ?? ''), { timeout: 10_000 });
    expect(await p.$eval('#weights-status', (e) => e.textContent)).toMatch(new RegExp(`^Weights: ${EMBEDDED}: 2\\.9 MB from this site, fetched at the first run`));
    // SqueezeNet's own settings, as src/nst/defaults.ts has them
    const d = networkDefaults('squeezenet');
    expect(await Promise.all(['content-layers', 'style-layers', 'content-weight', 'style-weight', 'tv-weight', 'pooling'].map((id) => value(p, id)))).toEqual([
      layerText(d.contentLayers), layerText(d.styleLayers), String(d.contentWeight), String(d.styleWeight), String(d.tvWeight), d.pooling,
    ]);
    expect(await p.$eval('#strength-out', (e) => e.textContent)).toBe(`medium (β\u00a0=\u00a0${d.styleWeight})`);
    expect(await p.$eval('#mode-note', (e) => e.textContent)).toMatch(/^Fast preview: the same SqueezeNet 1\.1 run, live \(up to 256 px\): redrawn every step, it follows your changes; then render it at the full size\.$/);
    await setValue(p, 'size', '32');
    await setValue(p, 'iters', '3');
    await watchStatus(p);
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(new RegExp(`^Done after 3 steps \\([\\d.]+ s\\) with ${EMBEDDED}\\.$`));
    const seen = await p.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(seen).toContain('Loading the embedded SqueezeNet 1.1 weights (2.9 MB, from this site)…');
    expect(seen.some((t) => /^step \d+\/3 with SqueezeNet 1\.1 — /.test(t))).toBe(true);
    expect(await caption(p)).toMatch(new RegExp(`^chelsea\\.png in the style of starry_night\\.jpg: 32×21 px, 3 steps with SqueezeNet 1\\.1\\. Made with ${EMBEDDED}\\.`));
    expect((await runs(p)).map((r) => [r.kind, r.network, r.size, r.fromPreview])).toEqual([['render', 'squeezenet', 32, false]]);
    const total = await p.evaluate(() => (window as unknown as { nstHistory: { total: number[] } }).nstHistory.total);
    expect(total.at(-1)).toBeLessThan(total[0]);
    // a second run takes them from memory
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    const origin = new URL(b.s.url).origin;
    expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u))).toEqual([]);
    expect(requests.filter((u) => /\/assets\/squeezenet1_1-deepscale-[\w-]+\.bin$/.test(u)).length).toBe(1);
    expect(requests.filter((u) => /\/assets\/squeezenet1_1-deepscale-[\w-]+\.json$/.test(u)).length).toBe(1);
    expect(await axeViolations(p)).toEqual([]);
  });

  it('switching to VGG19 and back: each network\'s own settings in the fields, with the user\'s edits of them', async () => {
    const p = b.s.page;
    await b.fresh();
    await setValue(p, 'content-weight', '0.5');
    await p.select('#weights-kind', 'random');
    const v = { ...networkDefaults('vgg19'), ...RANDOM_NETWORK_DEFAULTS.stylize };
    expect(await Promise.all(['content-layers', 'content-weight', 'style-weight', 'pooling'].map((id) => value(p, id)))).toEqual([layerText(v.contentLayers), String(v.contentWeight), String(v.styleWeight), v.pooling]);
    expect(await p.$eval('#mode-note', (e) => e.textContent)).toMatch(/^Fast preview: a quick SqueezeNet 1\.1 version .* then render it with VGG19\.$/);
    await p.select('#weights-kind', 'squeezenet');
    expect(await Promise.all(['content-layers', 'content-weight'].map((id) => value(p, id)))).toEqual([layerText(networkDefaults('squeezenet').contentLayers), '0.5']);
  });

  it("the fields start at the defaults module's values; the learning rate follows the network and the optimiser", async () => {
    const p = b.s.page;
    await b.fresh();
    const S = networkDefaults('squeezenet'), V = networkDefaults('vgg19');
    await p.waitForFunction(() => document.body.dataset.gpu, { timeout: 30_000 });
    const recon = PAGE_RECONSTRUCTION_DEFAULTS[(await p.evaluate(() => document.body.dataset.gpu)) === 'software' ? 'software' : 'hardware'];
    expect(await Promise.all(['lr', 'seed', 'style-scale', 'recon-size', 'recon-iters'].map((id) => value(p, id)))).toEqual(
      [S.lr, S.seed, JOB_DEFAULTS.styleScale, recon.size, recon.iters].map(String),
    );
    await p.select('#weights-kind', 'random');
    expect(await value(p, 'lr')).toBe(String(V.lr));
    await p.select('#optimizer', 'lbfgs');
    expect(await value(p, 'lr')).toBe(String(LBFGS_LR));
    await p.select('#optimizer', 'adam');
    expect(await value(p, 'lr')).toBe(String(V.lr));
    await p.select('#weights-kind', 'squeezenet');
    expect(await value(p, 'lr')).toBe(String(S.lr));
  });

  it('with SqueezeNet chosen, Fast preview runs its settings live; Start then reads "Render with SqueezeNet 1.1" and continues from it at the full size', async () => {
    const p = b.s.page;
    await b.fresh();
    await setValue(p, 'size', '32');
    await setValue(p, 'iters', '3');
    await p.click('#fast-preview');
    await waitPreviewEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(new RegExp(`^Fast preview done: 3 steps at 32×21 in [\\d.]+ s, .* with ${EMBEDDED}\\. Render with SqueezeNet 1\\.1 for the full size\\. It follows your changes until you press Stop\\.$`));
    expect(await caption(p)).toMatch(new RegExp(`fast preview, 32×21 px, 3 steps\\. Made with ${EMBEDDED}\\. Render with SqueezeNet 1\\.1 continues it at the full size\\.`));
    expect(await p.$eval('#start', (e) => e.textContent)).toBe('Render with SqueezeNet 1.1');
    expect(await p.$eval('#mode-note', (e) => e.textContent)).toMatch(/^Fast preview is on: .*, or any setting under Advanced settings but multi-scale, save every N steps and the memory budget\. Render with SqueezeNet 1\.1 continues from the preview at 32 px\.$/);
    expect(await p.$eval('#strength-out', (e) => e.textContent)).toBe(`medium (β\u00a0=\u00a0${networkDefaults('squeezenet').styleWeight})`);
    await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
    expect(await p.$eval('#advanced-note', (e) => ((e as HTMLElement).hidden ? '' : e.textContent))).toMatch(/^Fast preview is on\. It uses these settings as they are/);
    expect(await axeViolations(p)).toEqual([]);
    // a SqueezeNet loss setting restarts it (it is this network's)
    await setValue(p, 'content-weight', String(networkDefaults('squeezenet').contentWeight * 2));
    await p.waitForFunction(() => ((window as unknown as { nstRuns?: RunRecord[] }).nstRuns ?? []).length === 2, { timeout: 30_000 });
    await waitPreviewEnd(p);
    expect(await errorText(p)).toBe('');
    await setValue(p, 'size', '48');
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(new RegExp(`^Done after 3 steps \\([\\d.]+ s\\) with ${EMBEDDED}, continuing from the SqueezeNet 1\\.1 preview\\.$`));
    expect((await runs(p)).map((r) => [r.kind, r.network, r.size, r.fromPreview])).toEqual([['preview', 'squeezenet', 32, false], ['preview', 'squeezenet', 32, false], ['render', 'squeezenet', 48, true]]);
    expect(await caption(p)).toMatch(/: 48×32 px, 3 steps with SqueezeNet 1\.1, continued from the fast preview \(SqueezeNet 1\.1, 32×21, 3 steps\)\./);
  });

  it('the Reconstructions tab runs the chosen network: SqueezeNet 1.1\'s layers with the embedded weights', async () => {
    const p = b.s.page;
    await b.fresh();
    await p.click('#tab-reconstruct');
    await p.waitForFunction(() => (document.querySelector('#pick-recon img') as HTMLImageElement | null)?.src.startsWith('blob:'));
    await p.$eval('#recon-mode', (el) => ((el as HTMLSelectElement).value = 'content'));
    await setValue(p, 'recon-size', '26');
    await setValue(p, 'recon-iters', '1');
    await p.click('#recon-start');
    await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#recon-status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 240_000 });
    expect(await errorText(p)).toBe('');
    expect(await p.$eval('#recon-status', (e) => e.textContent)).toMatch(new RegExp(`^Done: 5 reconstructions in [\\d.]+ s with ${EMBEDDED} \\(weights as chosen on the Style transfer tab\\)\\.`));
    const r = await p.evaluate(() => (window as unknown as { nstReconstruction: { labels: string[] } }).nstReconstruction);
    expect(r.labels).toEqual(defaultReconstructionLayers('content', 'squeezenet'));
    await p.click('#tab-stylize');
  });

  it('a damaged, corrupted or missing .bin is an error naming the file (no fallback to other weights), for Start and the fast preview', async () => {
    const p = b.s.page;
    const binName = Object.keys(built.get()).find((f) => /^\/assets\/squeezenet1_1-deepscale-[\w-]+\.bin$/.test(f))!;
    const good = built.get()[binName].body;
    let answer: 'truncated' | 'corrupted' | 'missing' = 'truncated';
    const onRequest = (r: import('puppeteer').HTTPRequest) => {
      if (!r.url().endsWith(binName)) return void r.continue();
      if (answer === 'missing') return void r.respond({ status: 404, contentType: 'text/plain', body: 'not found' });
      const body = Buffer.from(answer === 'truncated' ? good.subarray(0, 1000) : good.map((x, i) => (i === 5000 ? x ^ 1 : x)));
      return void r.respond({ status: 200, contentType: 'application/octet-stream', body });
    };
    await p.setRequestInterception(true);
    p.on('request', onRequest);
    try {
      await b.fresh();
      await setValue(p, 'size', '32');
      await setValue(p, 'iters', '2');
      const file = `weights/squeezenet1_1-deepscale\\.bin \\(http://127\\.0\\.0\\.1:\\d+${binName.replace(/\./g, '\\.')}\\)`;
      const expectError = async (what: string) => {
        await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 60_000 });
        expect(await errorText(p)).toMatch(new RegExp(`^The embedded SqueezeNet 1\\.1 weights could not be loaded: ${file} ${what}\\. The next run fetches it again\\.`));
      };
      await p.click('#start');
      await expectError(`is damaged: 1000 bytes arrived, the file has ${good.byteLength}`);
      await p.waitForFunction(() => (document.querySelector('#status')!.textContent ?? '').startsWith('The run did not finish'), { timeout: 10_000 });
      expect(await p.evaluate(() => 'nstHistory' in window)).toBe(false);
      // nothing stale: the caption no longer says the run is in progress
      expect(await caption(p)).toMatch(/: the run with SqueezeNet 1\.1 did not finish\./);
      expect(await caption(p)).not.toMatch(/in progress/);
      answer = 'corrupted';
      await p.click('#start');
      await expectError("is damaged: its SHA-256 is not the one this page was built with");
      answer = 'missing';
      await p.click('#fast-preview');
      await expectError('was answered with HTTP 404( Not Found)?');
      await p.waitForFunction(() => (document.querySelector('#status')!.textContent ?? '').startsWith('The fast preview stopped'), { timeout: 10_000 });
      expect(await p.evaluate(() => 'nstHistory' in window)).toBe(false);
    } finally {
      p.off('request', onRequest);
      await p.setRequestInterception(false);
    }
  });
});
