/**
 * Node side of the kernel tests: one headless Chromium per test file, running the cases in
 * src/kernels/cases.ts; arrays travel as base64 float32.
 */
import { fileURLToPath } from 'node:url';
import { bundleForBrowser } from '../../tools/lib/bundle.js';
import { launchGpuPage, type BrowserSession } from '../../tools/lib/browser.js';
import { base64ToF32, f32ToBase64 } from './codec.js';
import type { Arrays, CaseParams } from '../../src/kernels/cases.js';

export interface GpuPage {
  session: BrowserSession;
  run(name: string, inputs: Record<string, ArrayLike<number>>, params?: CaseParams): Promise<Arrays>;
  close(): Promise<void>;
}

export async function openGpuPage(): Promise<GpuPage> {
  const script = await bundleForBrowser(fileURLToPath(new URL('./page_entry.ts', import.meta.url)));
  const session = await launchGpuPage({ script, onConsole: (t) => { if (!t.includes('404')) console.log('[page]', t); } });
  return {
    session,
    async run(name, inputs, params = {}) {
      const enc = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, f32ToBase64(v)]));
      const out = await session.page.evaluate(
        (n, i, p) => (globalThis as unknown as { harness: { run: (a: string, b: unknown, c: unknown) => Promise<Record<string, string>> } }).harness.run(n, i, p),
        name,
        enc,
        params,
      );
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, base64ToF32(v)]));
    },
    close: () => session.close(),
  };
}
