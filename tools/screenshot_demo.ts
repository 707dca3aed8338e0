/**
 * npm run screenshots -- [--out DIR] [--size N] [--iters N]
 * Builds the demo page, opens it in headless Chromium (the CPU adapter) at desktop (1280×800) and
 * phone (390×844) width, presses Start with the page's defaults (the embedded SqueezeNet 1.1,
 * chelsea.png in the style of The Starry Night) and saves a screenshot of each once the run is done,
 * on a phone scrolled to the result. What a first-time visitor sees; look at them after changing the page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Args, runMain } from './lib/args.js';
import { launchGpuPage } from './lib/browser.js';
import { buildDemoSite } from './lib/demo_site.js';

const HELP = `Screenshots of the demo page's first run, at desktop and phone width.

usage: npm run screenshots -- [options]
  --out DIR     where to write demo-desktop.png and demo-phone.png (default docs/images)
  --size N      the run's size (default: the page's own)
  --iters N     the run's steps (default: the page's own)
  --verbose     show the browser's console
`;

const VIEWPORTS = [
  { name: 'demo-desktop.png', width: 1280, height: 800 },
  { name: 'demo-phone.png', width: 390, height: 844 },
];

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const a = new Args(argv, ['verbose']);
  const out = a.str('out', 'docs/images')!;
  const size = a.int('size', undefined, 16, 4096);
  const iters = a.int('iters', undefined, 1, 100000);
  a.rejectUnknown();
  const files = await buildDemoSite('dist/demo-screenshots');
  mkdirSync(out, { recursive: true });
  for (const v of VIEWPORTS) {
    const s = await launchGpuPage({ files: { ...files } });
    try {
      const p = s.page;
      if (a.has('verbose')) p.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
      await p.setViewport({ width: v.width, height: v.height });
      await p.goto(`${s.url}index.html`);
      // the bundled pictures are loaded, and the adapter is known (its note sets the defaults)
      await p.waitForFunction(() => (document.querySelector('#pick-style img') as HTMLImageElement | null)?.src.startsWith('blob:') && !(document.querySelector('#start') as HTMLButtonElement).disabled, { timeout: 60_000 });
      for (const [id, value] of [['size', size], ['iters', iters]] as const) {
        if (value !== undefined) await p.$eval(`#${id}`, (el, val) => ((el as HTMLInputElement).value = String(val)), value);
      }
      const estimate = await p.$eval('#estimate', (e) => e.textContent ?? '');
      const estimated = await p.evaluate(() => (window as unknown as { nstEstimateSeconds?: number }).nstEstimateSeconds ?? NaN);
      const t0 = Date.now();
      await p.click('#start');
      await p.waitForFunction(() => /^(Done|Stopped)/.test(document.querySelector('#status')!.textContent ?? '') || !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 0 });
      const status = await p.$eval('#status', (e) => e.textContent ?? '');
      const error = await p.$eval('#error', (e) => ((e as HTMLElement).hidden ? '' : e.textContent ?? ''));
      if (error) throw new Error(`the run failed at ${v.width} px width: ${error}`);
      // on a phone the result sits below the settings: show it, as a visitor would scroll to it
      if (v.width < 700) await p.$eval('#result', (e) => e.scrollIntoView({ block: 'start' }));
      await p.screenshot({ path: join(out, v.name) });
      // how honest the page's estimate was: what it said before Start, and Start to the end of the run
      const real = (Date.now() - t0) / 1000;
      process.stderr.write(`${join(out, v.name)} (${v.width}×${v.height}): ${status}\n  estimate before Start: ${estimate || '(none)'} (${estimated.toFixed(1)} s)\n  Start to the end: ${real.toFixed(1)} s (${(real / estimated).toFixed(2)}× the estimate)\n`);
    } finally {
      await s.close();
    }
  }
  return 0;
}

runMain(main);
