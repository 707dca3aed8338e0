/** The engine test page (nst_entry.ts) in headless Chromium, opened before a file's (or describe's) tests and closed after. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { launchGpuPage, type BrowserSession } from '../../tools/lib/browser.js';
import { bundleForBrowser } from '../../tools/lib/bundle.js';
import type { EngineCase, EngineTestApi } from './nst_entry.js';

export function engineTestPage() {
  let s: BrowserSession | undefined;
  beforeAll(async () => {
    s = await launchGpuPage({ script: await bundleForBrowser(fileURLToPath(new URL('./nst_entry.ts', import.meta.url))) });
  });
  afterAll(async () => {
    await s?.close();
  });
  const page = () => {
    if (!s) throw new Error('the engine test page is not open (use it inside a test)');
    return s.page;
  };
  return {
    page,
    run: (c: EngineCase) => page().evaluate((x) => (globalThis as unknown as { engine: EngineTestApi }).engine.run(x), c),
    memory: () => page().evaluate(() => (globalThis as unknown as { engine: EngineTestApi }).engine.memory()),
  };
}
