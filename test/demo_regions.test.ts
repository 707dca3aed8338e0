/**
 * The page's controls of Gatys et al. 2017: where each style goes (regions painted over the
 * content by mouse, touch or keyboard, or loaded as mask images) and how the photo's colours are
 * kept (off / luminance / histogram). Headless Chromium on the CPU adapter; screenshots go to
 * test-artifacts/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, browserPerBlock, caption, demoSitePerFile, errorText, statusText, tinySettings, waitRunEnd } from './harness/demo_page.js';

const built = demoSitePerFile('dist/demo-test-regions');
beforeAll(() => mkdirSync('test-artifacts', { recursive: true }));

const summary = (p: Page) => p.$eval('#regions-summary', (e) => e.textContent ?? '');
/** The share (%) the summary gives a style ("2nd") or "no style". */
const share = async (p: Page, who: '1st' | '2nd' | '3rd' | 'no') => {
  const m = (await summary(p)).match(who === 'no' ? /no style (\d+)%/ : new RegExp(`${who} style \\([^)]*\\) (\\d+)%`));
  return m ? Number(m[1]) : NaN;
};

/** Advanced settings open, a second style chosen, regions on (scrolled to the canvas). */
async function regionsOn(p: Page) {
  await p.$eval('#advanced', (d) => ((d as HTMLDetailsElement).open = true));
  await p.select('#pick-style2 select', 'the_scream.jpg');
  await p.waitForFunction(() => (document.querySelector('#pick-style2 img') as HTMLImageElement).src.startsWith('blob:'));
  await p.click('#regions-on');
  await p.waitForFunction(() => /2nd style/.test(document.querySelector('#regions-summary')?.textContent ?? ''));
  await p.$eval('#regions-canvas', (c) => c.scrollIntoView({ block: 'center' }));
}

/** Drag across the canvas from (x0, y0) to (x1, y1), in fractions of its size. */
async function stroke(p: Page, x0: number, y0: number, x1: number, y1: number) {
  const b = (await (await p.$('#regions-canvas'))!.boundingBox())!;
  await p.mouse.move(b.x + x0 * b.width, b.y + y0 * b.height);
  await p.mouse.down();
  await p.mouse.move(b.x + x1 * b.width, b.y + y1 * b.height, { steps: 12 });
  await p.mouse.up();
}

function pngFile(name: string, w: number, h: number, v: (x: number) => number): string {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([v(i % w), v(i % w), v(i % w), 255], 4 * i);
  const path = join('test-artifacts', name);
  writeFileSync(path, PNG.sync.write(png));
  return path;
}

describe('demo: where each style goes', () => {
  const b = browserPerBlock(built.get);

  it('side by side at first; a brush stroke, a tap, the eraser and Fill change the map and its description; a run with two regions and histogram colours finishes', async () => {
    const p = b.s.page;
    await b.fresh();
    await regionsOn(p);
    expect(await share(p, '1st')).toBe(50);
    expect(await share(p, '2nd')).toBe(50);
    expect(await p.$eval('#blend', (e) => (e as HTMLInputElement).disabled)).toBe(true);
    // the brush paints the 2nd style over the left half's bottom
    await p.click('#regions-tools [data-region="1"]');
    expect(await p.$eval('#regions-tools [data-region="1"]', (e) => e.getAttribute('aria-pressed'))).toBe('true');
    await stroke(p, 0.02, 0.8, 0.45, 0.8);
    expect(await share(p, '2nd')).toBeGreaterThan(55);
    // a finger: a tap with the eraser leaves a spot with no style
    await p.click('#regions-tools [data-region="-1"]');
    const c = (await (await p.$('#regions-canvas'))!.boundingBox())!;
    await p.touchscreen.tap(c.x + 0.3 * c.width, c.y + 0.3 * c.height);
    expect(await share(p, 'no')).toBeGreaterThan(0);
    expect(await p.$eval('#regions-canvas', (e) => e.getAttribute('aria-label'))).toMatch(/^Regions over the content image: 1st style \(starry_night\.jpg\) \d+%, 2nd style \(the_scream\.jpg\) \d+%; no style [1-9]\d*%$/);
    // keyboard only: the 1st style's brush, then Fill
    await p.focus('#regions-tools [data-region="0"]');
    await p.keyboard.press('Enter');
    await p.focus('#regions-fill');
    await p.keyboard.press('Enter');
    expect([await share(p, '1st'), await share(p, '2nd'), await share(p, 'no')]).toEqual([100, 0, 0]);
    await p.click('#regions-across');
    expect([await share(p, '1st'), await share(p, '2nd')]).toEqual([50, 50]);
    await p.select('#original-colors', 'histogram');
    await tinySettings(p, '3');
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 3 steps/);
    expect(await caption(p)).toMatch(/chelsea\.png in the style of starry_night\.jpg \| the_scream\.jpg \(each in its region\)/);
    await p.screenshot({ path: 'test-artifacts/demo-regions.png' });
  });

  it('a style without a region, or a black mask file, is named in one message; fixing it clears the message; Start then runs', async () => {
    const p = b.s.page;
    await b.fresh();
    await regionsOn(p);
    await p.click('#regions-tools [data-region="0"]');
    await p.click('#regions-fill');
    await tinySettings(p, '2');
    await p.click('#start');
    await p.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden);
    expect(await errorText(p)).toMatch(/Regions: the second style has no region yet\. Paint where it goes \(or Fill\), or turn regions off\./);
    expect(await statusText(p)).not.toMatch(/^Done/);
    // a mask file for the 2nd style: black everywhere is refused, naming it; a half-white one is taken
    await p.click('#regions-tools [data-region="1"]');
    const input = (await p.$('#regions-file')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(pngFile('black-mask.png', 40, 30, () => 0));
    await p.waitForFunction(() => /black-mask\.png is black everywhere/.test(document.querySelector('#error')?.textContent ?? ''));
    await input.uploadFile(pngFile('right-mask.png', 40, 30, (x) => (x >= 20 ? 255 : 0)));
    await p.waitForFunction(() => !/black-mask/.test(document.querySelector('#error')?.textContent ?? ''));
    expect(await share(p, '2nd')).toBe(50);
    await p.click('#start');
    await waitRunEnd(p);
    expect(await errorText(p)).toBe('');
    expect(await statusText(p)).toMatch(/^Done after 2 steps/);
  });

  it('named, axe-clean and without horizontal scroll at phone and desktop width with the regions open (screenshots)', async () => {
    const p = b.s.page;
    await b.fresh();
    await regionsOn(p);
    expect(await axeViolations(p)).toEqual([]);
    for (const id of ['regions-on', 'regions-size', 'regions-file', 'regions-fill', 'original-colors']) {
      const ax = await p.accessibility.snapshot({ root: (await p.$(`#${id}`))!, interestingOnly: false });
      expect(ax?.name?.trim(), id).toBeTruthy();
    }
    for (const [w, h] of [[390, 844], [1280, 800]]) {
      await p.setViewport({ width: w, height: h });
      await p.$eval('#regions-canvas', (c) => c.scrollIntoView({ block: 'center' }));
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${w} px`).toBe(true);
      await p.screenshot({ path: `test-artifacts/demo-regions-${w}.png` });
    }
    await p.setViewport({ width: 1280, height: 900 });
  });
});
