/**
 * Headless Chromium with WebGPU, for tests and the CLI. Uses the system Chromium (Debian's
 * /usr/bin/chromium) or $CHROME; never downloads a browser. The page is served from a tiny
 * server on 127.0.0.1 (a secure context, which WebGPU requires) and gets the given script.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';

export function chromiumPath(): string {
  const candidates = [process.env.CHROME, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `No Chromium found (looked for ${candidates.join(', ')}). Install it (Debian: apt-get install -y chromium) or set CHROME=/path/to/chrome.`,
    );
  }
  return found;
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  url: string;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Script (an IIFE bundle) loaded into the page. */
  script?: string;
  /** false starts Chromium without WebGPU (to test the error path). Default true. */
  webgpu?: boolean;
  /** Extra files served next to the page: path → body (the object is read at each request). */
  files?: Record<string, { body: string | Uint8Array; type: string }>;
  /** Forward the page's console to this function. */
  onConsole?: (text: string) => void;
  /** Serve with COOP/COEP headers (cross-origin isolation, which WASM threads need). */
  isolated?: boolean;
}

export async function launchGpuPage(options: LaunchOptions = {}): Promise<BrowserSession> {
  // served live: files added to options.files later (e.g. a job's images) are served too
  const files = options.files ?? {};
  files['/'] = { body: '<!doctype html><meta charset="utf-8"><title>nst</title><body></body>', type: 'text/html' };
  if (options.script !== undefined) files['/bundle.js'] = { body: options.script, type: 'text/javascript' };
  const server: Server = createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    const isolation = options.isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store', ...isolation }).end(f.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'nst-chromium-'));
  const args = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
  if (options.webgpu !== false) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader');
  else args.push('--disable-features=WebGPU', '--disable-gpu');
  // extra flags for experiments, e.g. NST_CHROME_ARGS="--enable-dawn-features=disable_robustness"
  if (process.env.NST_CHROME_ARGS) args.push(...process.env.NST_CHROME_ARGS.split(/\s+/).filter(Boolean));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args, userDataDir, protocolTimeout: 0 });
  } catch (e) {
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
  const close = async () => {
    await browser.close().catch(() => {});
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(0);
    if (options.onConsole) page.on('console', (m) => options.onConsole!(m.text()));
    page.on('pageerror', (e) => options.onConsole?.(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
    await page.goto(url);
    if (options.script !== undefined) await page.addScriptTag({ url: `${url}bundle.js` });
    return { browser, page, url, close };
  } catch (e) {
    await close();
    throw e;
  }
}
