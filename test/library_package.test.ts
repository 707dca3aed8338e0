/**
 * The package as a user gets it: `npm pack` (its prepack builds lib/), the tarball's contents
 * checked, then installed into an empty folder (offline: it has no dependencies; the optional
 * peer `webgpu` and the example's `sharp` are linked from this repository) where
 *  - examples/library/node.mjs stylizes a photo in Node (Dawn on lavapipe);
 *  - a TypeScript file type-checks against the package's declarations;
 *  - vite builds examples/library/index.html with no settings (the weights become an asset) and
 *    the built page paints in headless Chromium.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { launchGpuPage } from '../tools/lib/browser.js';
import { lavapipeIcds } from '../tools/lib/dawn_adapters.js';

const ROOT = resolve('.');
const EX = resolve('../shared/examples');
const icd = lavapipeIcds().find((f) => existsSync(f));
let dir = '';
let tarball = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nst-package-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  tarball = join(dir, JSON.parse(out)[0].filename);
  const app = join(dir, 'app');
  cpSync(join(ROOT, 'examples/library'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, join(ROOT, 'node_modules/webgpu'), join(ROOT, 'node_modules/sharp')], { cwd: app, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`npm install in an empty folder failed: ${install.stderr}`);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('ships the bundle, its types, the weights with both licences, and nothing of the repository', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'docs/library.md', 'examples/library/node.mjs', 'examples/library/index.html', 'lib/index.js', 'lib/types/index.d.ts', 'lib/weights/squeezenet1_1-deepscale.bin', 'lib/weights/LICENSE-SqueezeNet.txt', 'lib/weights/LICENSE-keras-squeezenet.txt', 'lib/weights/README.md']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|tools|demo|bench|shaders|weights)\//.test(f) || (f.startsWith('examples/') && !f.startsWith('examples/library/')))).toEqual([]);
    const bytes = statSync(tarball).size;
    process.stdout.write(`package: ${tarball.split('/').pop()} ${(bytes / 1e6).toFixed(2)} MB, ${files.length} files\n`);
    expect(bytes).toBeLessThan(4e6);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    // no runtime dependencies: only the WebGPU type declarations its own types name
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['@webgpu/types']);
    expect(pkg.peerDependenciesMeta.webgpu.optional).toBe(true);
  });

  it.skipIf(!icd)('examples/library/node.mjs stylizes a photo in Node from the installed package', () => {
    const app = join(dir, 'app');
    const r = spawnSync(process.execPath, ['node.mjs', join(EX, 'chelsea.png'), join(EX, 'starry_night.jpg'), 'out.png', '64'], { cwd: app, encoding: 'utf8', env: { ...process.env, VK_ICD_FILENAMES: icd, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir() }, timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/step 100\/100/);
    const png = PNG.sync.read(readFileSync(join(app, 'out.png')));
    expect([png.width, png.height]).toEqual([64, 43]);
  });

  it('without the optional webgpu package, Node says what to install (one line, a WebGpuUnavailableError)', () => {
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'bare', private: true, type: 'module' }));
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: bare, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const script = `import { stylize } from 'webgpu-neural-style';
const img = { width: 64, height: 64, data: new Uint8ClampedArray(64 * 64 * 4).fill(200) };
stylize({ content: img, style: img }).then(() => console.log('ran'), (e) => console.log(e.name + ': ' + e.message));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: bare, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim()).toMatch(/^WebGpuUnavailableError: no WebGPU: in Node install the optional peer dependency "webgpu" \(npm install webgpu\), or pass the option gpu or device/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('its types check: a TypeScript user gets the API and its option types', () => {
    const app = join(dir, 'app');
    writeFileSync(join(app, 'use.ts'), `import { stylize, createStylizer, type StylizeOptions, type StylizeResult } from 'webgpu-neural-style';
const o: StylizeOptions = { content: { width: 1, height: 1, data: new Uint8ClampedArray(4) }, style: [], size: 256, styleWeight: 1e3, signal: new AbortController().signal };
const r: Promise<StylizeResult> = stylize(o);
void r; void createStylizer;
// @ts-expect-error an option that does not exist
stylize({ ...o, iteration: 5 });
`);
    // an ordinary strict Node setup: the package brings the WebGPU types it names (@webgpu/types)
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false }, files: ['use.ts'] }));
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('vite bundles the page with no settings (the weights become an asset) and it paints in Chromium', async () => {
    const app = join(dir, 'app');
    await build({ root: app, logLevel: 'error', build: { outDir: join(app, 'dist'), emptyOutDir: true } });
    const assets = readdirSync(join(app, 'dist/assets'));
    expect(assets.some((f) => /^squeezenet1_1-deepscale-.*\.bin$/.test(f)), assets.join(', ')).toBe(true);
    const files: Record<string, { body: Uint8Array; type: string }> = {};
    const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', bin: 'application/octet-stream' };
    for (const f of ['index.html', ...assets.map((a) => `assets/${a}`)]) files[`/${f}`] = { body: readFileSync(join(app, 'dist', f)), type: types[f.split('.').pop()!] ?? 'application/octet-stream' };
    const session = await launchGpuPage({ files });
    try {
      const { page, url } = session;
      await page.goto(`${url}index.html?size=32`);
      await (await page.$('input#content'))!.uploadFile(join(EX, 'chelsea.png'));
      await (await page.$('input#style'))!.uploadFile(join(EX, 'starry_night.jpg'));
      await page.click('#go');
      await page.waitForFunction(() => /done|rror|option/.test((document.getElementById('status') as HTMLOutputElement).value), { timeout: 240_000 });
      expect(await page.$eval('#status', (e) => (e as HTMLOutputElement).value)).toMatch(/^done in/);
      expect(await page.$eval('#result', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([32, 21]);
    } finally {
      await session.close();
    }
  });
});
