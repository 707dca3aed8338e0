/** GPU context: adapter info, and a clear error where the browser has no WebGPU. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { launchGpuPage } from '../tools/lib/browser.js';
import { bundleForBrowser } from '../tools/lib/bundle.js';

const entry = fileURLToPath(new URL('./harness/context_entry.ts', import.meta.url));

describe('createGpuContext', () => {
  it('reports the adapter and its limits when WebGPU is there', async () => {
    const s = await launchGpuPage({ script: await bundleForBrowser(entry) });
    try {
      const r = await s.page.evaluate(() => (globalThis as unknown as { probe: () => Promise<string> }).probe());
      expect(r).toMatch(/maxStorageBufferBindingSize=\d+/);
    } finally {
      await s.close();
    }
  });
  it('fails with a clear message when the browser has no WebGPU', async () => {
    const s = await launchGpuPage({ script: await bundleForBrowser(entry), webgpu: false });
    try {
      const r = await s.page.evaluate(() => (globalThis as unknown as { probe: () => Promise<string> }).probe());
      expect(r).toMatch(/^WebGpuUnavailableError: WebGPU is (not available|present but no GPU adapter)/);
    } finally {
      await s.close();
    }
  });
});
