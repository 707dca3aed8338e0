/**
 * Headless Chromium with WebGPU, for tests and the CLI (or Firefox, for the tests that check the
 * engine under wgpu). Uses the system Chromium (Debian's /usr/bin/chromium) or $CHROME, and
 * Debian's firefox-esr or $FIREFOX; never downloads a browser. The page is served from a tiny
 * server on 127.0.0.1 (a secure context, which WebGPU requires) and gets the given script.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { handlingSignals, onCleanup } from './cleanup.js';
import { lavapipeIcds } from './dawn_adapters.js';

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

/** Firefox (Debian's firefox-esr, or $FIREFOX), for the tests that check the engine under wgpu. */
export function firefoxPath(): string | null {
  return [process.env.FIREFOX, '/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p) => !!p && existsSync(p)) ?? null;
}

/** Why Firefox with WebGPU cannot run here (null: it can): it needs the browser and lavapipe's Vulkan ICD. */
export function firefoxMissing(): string | null {
  if (!firefoxPath()) return 'no Firefox (Debian: apt-get install firefox-esr, which tools/setup.sh does; or set FIREFOX)';
  if (lavapipeIcds().length === 0) return 'no lavapipe Vulkan driver for Firefox\'s WebGPU (tools/lavapipe.sh unpacks it)';
  return null;
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
  /**
   * 'firefox': Firefox (WebDriver BiDi) with WebGPU switched on by its two prefs, on lavapipe
   * (VK_ICD_FILENAMES); its WebGPU is wgpu's, and shaders compile through naga. Default 'chromium'.
   */
  browser?: 'chromium' | 'firefox';
  /** Extra Chromium command-line flags (e.g. a fake camera: --use-fake-device-for-media-stream). */
  args?: string[];
}

/** Close gracefully; kill the browser (its process group) if it has not gone after 5 s. */
async function closeBrowser(browser: Browser): Promise<void> {
  const proc = browser.process();
  const running = () => !!proc && proc.exitCode === null && proc.signalCode === null;
  const exited = running() ? once(proc!, 'exit') : null;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([browser.close().catch(() => {}), new Promise((r) => (timer = setTimeout(r, 5000)))]);
  clearTimeout(timer);
  if (running()) {
    try {
      process.kill(-proc!.pid!, 'SIGKILL');
    } catch {
      proc!.kill('SIGKILL');
    }
    await exited;
  }
}

/**
 * Remove a (closed) browser's profile, and the folder where Chromium keeps its singleton socket
 * (/tmp/org.chromium.Chromium.*, linked from the profile), which only a graceful exit removes.
 */
function removeProfile(userDataDir: string): void {
  try {
    const socketDir = dirname(readlinkSync(join(userDataDir, 'SingletonSocket')));
    if (basename(socketDir).startsWith('org.chromium.')) rmSync(socketDir, { recursive: true, force: true });
  } catch {
    // no link: nothing to remove there
  }
  rmSync(userDataDir, { recursive: true, force: true });
}

/**
 * The browser's profile is a temporary folder (nst-chromium-*) that close() removes. A CLI
 * stopped by a signal closes it through runMain's cleanups; an exit without close() (an uncaught
 * error, puppeteer's own Ctrl-C handling outside runMain) still kills the browser and removes the
 * profile in an exit hook.
 */
export async function launchGpuPage(options: LaunchOptions = {}): Promise<BrowserSession> {
  const firefox = options.browser === 'firefox';
  if (firefox && firefoxMissing()) throw new Error(`Firefox cannot run here: ${firefoxMissing()}`);
  const executablePath = firefox ? firefoxPath()! : chromiumPath();
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
  const userDataDir = mkdtempSync(join(tmpdir(), firefox ? 'nst-firefox-' : 'nst-chromium-'));
  const args = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
  if (options.webgpu !== false) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader');
  else args.push('--disable-features=WebGPU', '--disable-gpu');
  if (options.args) args.push(...options.args);
  // extra flags for experiments, e.g. NST_CHROME_ARGS="--enable-dawn-features=disable_robustness"
  if (process.env.NST_CHROME_ARGS) args.push(...process.env.NST_CHROME_ARGS.split(/\s+/).filter(Boolean));
  // under runMain, signals close the browser through its cleanups; elsewhere puppeteer handles them
  const own = !handlingSignals();
  const common = { executablePath, headless: true, userDataDir, protocolTimeout: 0, handleSIGINT: own, handleSIGTERM: own, handleSIGHUP: own } as const;
  const launching = firefox
    ? puppeteer.launch({
        ...common,
        browser: 'firefox',
        extraPrefsFirefox: { 'dom.webgpu.enabled': options.webgpu !== false, 'gfx.webgpu.ignore-blocklist': true },
        env: { ...process.env, VK_ICD_FILENAMES: lavapipeIcds()[0] },
      })
    : puppeteer.launch({ ...common, args });
  let browserPid: number | undefined;
  const atExit = () => {
    if (browserPid) {
      try {
        process.kill(-browserPid, 'SIGKILL');
      } catch {}
    }
    removeProfile(userDataDir);
  };
  process.on('exit', atExit);
  let closing: Promise<void> | undefined;
  // idempotent: a signal's cleanup and the tool's own `finally` may both call it
  const close = () =>
    (closing ??= (async () => {
      unregister();
      const b = await launching.catch(() => undefined);
      if (b) await closeBrowser(b);
      server.close();
      removeProfile(userDataDir);
      process.off('exit', atExit);
    })());
  const unregister = onCleanup(close);
  let browser: Browser;
  try {
    browser = await launching;
  } catch (e) {
    await close();
    throw e;
  }
  browserPid = browser.process()?.pid;
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
