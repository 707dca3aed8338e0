/**
 * Bad input and long sessions, through the same page the CLI drives (tools/lib/engine_page.ts):
 * broken or degenerate images fail with clear errors before any GPU work, 20 runs in one page
 * leave GPU memory where it started, a device lost mid-run ends the run with a clear error (no
 * hang) and the page carries on with a new device, and a failing CLI run never touches --out.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchGpuPage, type BrowserSession } from '../tools/lib/browser.js';
import { bundleForBrowser } from '../tools/lib/bundle.js';
import { EngineSession, type JobFiles } from '../tools/lib/engine_session.js';
import { randomVgg19 } from '../src/model/weights.js';
import { toRawWeights } from '../src/io/raw_weights.js';
import { DirStore } from '../tools/lib/weights_store.js';
import type { EngineTestApi } from './harness/nst_entry.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-robust-'));
const SHALLOW = { contentLayers: [{ name: 'conv2_2', weight: 1 }], styleLayers: [{ name: 'conv1_1', weight: 1 }] };

function png(width: number, height: number, name: string): string {
  const p = new PNG({ width, height });
  for (let i = 0; i < p.data.length; i++) p.data[i] = (i * 37) % 256;
  const path = join(dir, name);
  writeFileSync(path, PNG.sync.write(p));
  return path;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A well-formed PNG whose header says 0×0 (valid CRC, so only the size is wrong). */
function zeroSizePng(): string {
  const b = new Uint8Array(readFileSync(png(1, 1, 'one.png')));
  const view = new DataView(b.buffer);
  view.setUint32(16, 0); // IHDR width
  view.setUint32(20, 0); // IHDR height
  view.setUint32(29, crc32(b.subarray(12, 29))); // IHDR CRC over type + data
  const path = join(dir, 'zero.png');
  writeFileSync(path, b);
  return path;
}

function job(content: string, over: Partial<JobFiles['config']> = {}, options: JobFiles['config']['options'] = SHALLOW): JobFiles {
  return {
    content,
    styles: [{ path: 'examples/rocket.jpg', blend: 1 }],
    weights: 'random',
    weightsSeed: 1,
    config: { size: 16, styleScale: 1, options: { iterations: 1, ...options }, reportEvery: 1, saveEvery: 0, scales: 1, ...over },
  };
}

describe('engine page: bad images and long sessions', () => {
  let engine: EngineSession;
  beforeAll(async () => {
    engine = await EngineSession.open();
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const stylize = (j: JobFiles) => engine.stylize(j, () => {}, () => {});
  const memory = () => engine.session.page.evaluate(() => (globalThis as unknown as { nst: { memory(): Promise<Record<string, number>> } }).nst.memory());

  it.each([
    ['not an image', () => 'package.json', /content image package\.json: could not be decoded as an image/],
    ['a truncated PNG', () => { const p = join(dir, 'cut.png'); writeFileSync(p, readFileSync('examples/chelsea.png').subarray(0, 20000)); return p; }, /cut\.png: could not be decoded .*no IEND chunk.*truncated/],
    ['a truncated JPEG', () => { const p = join(dir, 'cut.jpg'); writeFileSync(p, readFileSync('examples/rocket.jpg').subarray(0, 30000)); return p; }, /cut\.jpg: could not be decoded .*no end-of-image marker.*truncated/],
    ['a 0×0 PNG', zeroSizePng, /zero\.png: could not be decoded/],
    ['a 1×1 PNG', () => png(1, 1, 'tiny.png'), /content image tiny\.png is 1×1 pixels; images need at least 16×16/],
    ['an extreme aspect ratio', () => png(3000, 20, 'strip.png'), /strip\.png: at size 64 it would be 64×[01], and the chosen layers need at least 16 px on each side; use a size of at least 2400 or crop it \(its aspect ratio, 3000×20, is extreme\)/],
  ])('rejects %s clearly', async (_what, make, message) => {
    // default layers (down to conv5_1) need 16 px per side
    await expect(stylize(job(make(), { size: 64 }, {}))).rejects.toThrow(message);
  });

  it('rejects a size beyond the device limits before allocating anything', async () => {
    const before = await memory();
    // tiles lift the one-buffer limit of untiled runs, up to the longest side any run accepts
    await expect(stylize(job('examples/chelsea.png', { size: 8193 }))).rejects.toThrow(/content image chelsea\.png: 8193×\d+ is larger than this GPU allows \(max side 8192\); choose a smaller size/);
    expect(await memory()).toEqual(before);
  });

  it('says which size would do when the shorter side ends up too small', async () => {
    // chelsea.png is 451×300: at 20 px it would be 20×13; 16 px on the shorter side needs 25
    await expect(stylize(job('examples/chelsea.png', { size: 20 }, {}))).rejects.toThrow(/at size 20 it would be 20×13, and the chosen layers need at least 16 px on each side; use a size of at least 25(?!\d)/);
  });

  it('rejects too many scales for the size', async () => {
    await expect(stylize(job('examples/chelsea.png', { size: 64, scales: 4 }, {}))).rejects.toThrow(/4 scales from size 64 start at 8 px, below the 16 px/);
  });

  it('20 consecutive runs, half with cached pretrained weights, leave GPU buffers and bytes where they started', async () => {
    // a cache entry as `npm run weights -- download` leaves it (values: a seeded init, as nothing can be fetched here)
    const cache = join(dir, 'xdg-cache');
    const before = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    const origin = { source: 'torchvision', url: 'http://127.0.0.1/vgg19.pth', format: 'torch-legacy', fetched: new Date().toISOString() };
    const raw = toRawWeights(randomVgg19(7, 'conv2_2'), { dtype: 'float16', origin });
    await new DirStore().write('vgg19-torchvision', raw.manifest, raw.bin);
    const start = await memory();
    const seen: Record<string, number>[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        // vary what is allocated: sizes, optimizer, scales, original colors, weights
        const j = job('examples/chelsea.png', { size: 16 + (i % 3) * 8, scales: i % 4 === 3 ? 2 : 1 }, { ...SHALLOW, iterations: 2, optimizer: i % 2 ? 'lbfgs' : 'adam', lr: i % 2 ? 1 : 0.05, originalColors: i % 5 === 0 });
        if (i % 2) j.weights = 'auto';
        const r = await stylize(j);
        expect(r.weights).toMatch(i % 2 ? /^vgg19-torchvision \(pretrained VGG19 from http:\/\/127\.0\.0\.1\/vgg19\.pth, stored as float16\)$/ : /seeded random/);
        expect(r.steps).toBeGreaterThan(0);
        seen.push(await memory());
      }
    } finally {
      if (before === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = before;
    }
    for (const m of seen) {
      expect(m.liveBuffers).toBe(start.liveBuffers);
      expect(m.liveBytes).toBe(start.liveBytes);
      expect(m.inUseBuffers).toBe(start.inUseBuffers);
      expect(m.uniformBuffers).toBe(start.uniformBuffers);
    }
    // and something was allocated along the way (the counters are not stuck at zero)
    expect(seen[seen.length - 1].peakBytes).toBeGreaterThan(start.peakBytes);
  });
});

describe('device lost mid-run', () => {
  let s: BrowserSession;
  beforeAll(async () => {
    s = await launchGpuPage({ script: await bundleForBrowser(fileURLToPath(new URL('./harness/nst_entry.ts', import.meta.url))) });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('ends the run with a DeviceLostError (no hang), and the next run gets a new device', async () => {
    const api = (f: (e: EngineTestApi) => Promise<unknown>) => s.page.evaluate(`(${f.toString()})(globalThis.engine)`);
    const c = { width: 20, height: 20, steps: 5, options: SHALLOW };
    const outcome = await Promise.race([
      api((e) => e.loseDeviceMidRun({ width: 20, height: 20, steps: 5, options: { contentLayers: [{ name: 'conv2_2', weight: 1 }], styleLayers: [{ name: 'conv1_1', weight: 1 }] } }, 2)),
      new Promise((r) => setTimeout(() => r('hung for 60 s'), 60_000)),
    ]);
    expect(outcome).toMatch(/^DeviceLostError: The GPU device was lost \(destroyed/);
    const again = (await s.page.evaluate((x) => (globalThis as unknown as { engine: EngineTestApi }).engine.run(x), { ...c, steps: 2 })) as { totals: number[] };
    expect(again.totals.every(Number.isFinite)).toBe(true);
  });
});

describe('CLI: a run that fails half-way', () => {
  it('leaves the existing output and no partial files', () => {
    const d = mkdtempSync(join(tmpdir(), 'nst-cli-fail-'));
    try {
      const out = join(d, 'result.png');
      writeFileSync(out, 'previous result');
      // finite but enormous conv1_1 weights: valid to load, the activations overflow float32 on the GPU
      const w = randomVgg19(1, 'conv2_2');
      w.layers.get('conv1_1')!.weight.forEach((v, i, a) => (a[i] = v * 1e30));
      const raw = toRawWeights(w);
      writeFileSync(join(d, 'huge.json'), raw.manifest);
      writeFileSync(join(d, 'huge.bin'), raw.bin);
      const r = spawnSync('npx', ['tsx', 'tools/stylize.ts', '--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--out', out, '--size', '16', '--iters', '5', '--save-every', '2', '--weights', join(d, 'huge.json'), '--content-layers', 'conv2_2', '--style-layers', 'conv1_1'], { encoding: 'utf8', timeout: 300_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/loss became NaN\/Inf at step \d/);
      expect(readFileSync(out, 'utf8')).toBe('previous result');
      expect(readdirSync(d).sort()).toEqual(['huge.bin', 'huge.json', 'result.png']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
