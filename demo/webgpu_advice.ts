/**
 * What to do to get WebGPU in the browser at hand, when the page finds none (no navigator.gpu) or
 * no adapter: the steps differ by browser, so they are chosen from its user agent. Plain text, one
 * short paragraph; the page shows it after the engine's own message (dom.ts: explain).
 */

export type BrowserKind = 'firefox' | 'chromium' | 'safari' | 'other';

/** The browser family from a user-agent string (Edge, Opera and Brave count as Chromium). */
export function browserKind(userAgent: string): BrowserKind {
  if (/\bFirefox\/\d+/.test(userAgent)) return 'firefox';
  if (/\b(Chrome|Chromium|HeadlessChrome|CriOS|Edg)\/\d+/.test(userAgent)) return 'chromium';
  if (/\bVersion\/\d+.*\bSafari\/\d+/.test(userAgent)) return 'safari';
  return 'other';
}

const onLinux = (ua: string) => /\bLinux\b/.test(ua) && !/\bAndroid\b/.test(ua);

/**
 * The advice for `userAgent`. `noAdapter`: WebGPU is there but gave no adapter (a blocked or
 * missing GPU driver) rather than missing altogether (switched off, or too old a browser).
 */
export function webGpuAdvice(userAgent: string, noAdapter: boolean): string {
  const linux = onLinux(userAgent);
  switch (browserKind(userAgent)) {
    case 'firefox':
      return noAdapter
        ? 'In Firefox: open about:config, set gfx.webgpu.ignore-blocklist to true and reload; on Linux WebGPU also needs a Vulkan driver (Mesa\'s lavapipe runs it on the CPU).'
        : 'In Firefox: open about:config, set dom.webgpu.enabled and gfx.webgpu.ignore-blocklist to true, then reload (Firefox 141 and later have WebGPU on by default on Windows only).';
    case 'chromium':
      if (noAdapter) {
        return 'In Chrome, Edge or Chromium: chrome://gpu says why the GPU is not used; chrome://flags/#ignore-gpu-blocklist lets a blocked GPU run' +
          (linux ? ', and on Linux chrome://flags/#enable-vulkan turns on the Vulkan driver WebGPU needs.' : '.');
      }
      return linux
        ? 'In Chrome or Chromium on Linux: open chrome://flags, enable #enable-unsafe-webgpu and #enable-vulkan, then restart the browser (or start it with --enable-unsafe-webgpu --enable-features=Vulkan).'
        : 'Chrome and Edge have WebGPU from version 113 (Android: 121): update the browser; if it is current, chrome://flags/#enable-unsafe-webgpu turns it on.';
    case 'safari':
      return noAdapter
        ? 'In Safari: WebGPU found no usable GPU; restart Safari, or try Chrome.'
        : 'Safari has WebGPU on by default from Safari 26 (macOS, iOS and iPadOS 26): update; in Safari 17–18 turn on Develop → Feature Flags → WebGPU.';
    default:
      return 'Use a browser with WebGPU: Chrome or Edge 113 and later, Safari 26, or Firefox with WebGPU enabled (about:config: dom.webgpu.enabled).';
  }
}
