/** The page's advice when WebGPU is missing, per browser (demo/webgpu_advice.ts), on real user-agent strings. */
import { describe, expect, it } from 'vitest';
import { browserKind, webGpuAdvice } from '../demo/webgpu_advice.js';

const UA = {
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:141.0) Gecko/20100101 Firefox/141.0',
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  headlessChromium: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  chromeIos: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  other: 'Mozilla/5.0 (compatible; Konqueror/5.0; Linux) KHTML/5.0 (like Gecko)',
};

describe('WebGPU advice by browser', () => {
  it('tells the browser family from its user agent (Chrome on iOS, Edge and headless Chromium are Chromium; Android is not Linux)', () => {
    expect(Object.fromEntries(Object.entries(UA).map(([k, v]) => [k, browserKind(v)]))).toEqual({
      firefoxLinux: 'firefox', firefoxWindows: 'firefox', chromeLinux: 'chromium', headlessChromium: 'chromium', edgeWindows: 'chromium',
      chromeAndroid: 'chromium', chromeIos: 'chromium', safariMac: 'safari', other: 'other',
    });
  });
  it('names the steps of the browser at hand: about:config and its two prefs in Firefox, the flags in Chromium, the version in Safari', () => {
    expect(webGpuAdvice(UA.firefoxLinux, false)).toMatch(/about:config, set dom\.webgpu\.enabled and gfx\.webgpu\.ignore-blocklist to true/);
    expect(webGpuAdvice(UA.firefoxLinux, true)).toMatch(/gfx\.webgpu\.ignore-blocklist.*Vulkan driver/);
    expect(webGpuAdvice(UA.chromeLinux, false)).toMatch(/#enable-unsafe-webgpu and #enable-vulkan/);
    expect(webGpuAdvice(UA.chromeAndroid, false)).toMatch(/from version 113 \(Android: 121\)/);
    expect(webGpuAdvice(UA.edgeWindows, true)).toMatch(/^In Chrome, Edge or Chromium: chrome:\/\/gpu says why.*ignore-gpu-blocklist lets a blocked GPU run\.$/);
    expect(webGpuAdvice(UA.headlessChromium, true)).toMatch(/#enable-vulkan/);
    expect(webGpuAdvice(UA.safariMac, false)).toMatch(/Safari 26.*Feature Flags → WebGPU/);
    expect(webGpuAdvice(UA.other, false)).toMatch(/^Use a browser with WebGPU/);
    // no browser gets another's steps
    expect(webGpuAdvice(UA.firefoxWindows, false)).not.toMatch(/chrome:/);
    expect(webGpuAdvice(UA.chromeLinux, false)).not.toMatch(/about:config/);
  });
});
