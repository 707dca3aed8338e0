/**
 * The embedded pretrained SqueezeNet 1.1 (weights/squeezenet1_1-deepscale.{json,bin}):
 *  - against its source, DeepScale's Keras HDF5 in ../shared/weights, read by h5py in
 *    test/harness/check_embedded_squeezenet.py (not by the converter): every tensor but conv1's
 *    equal bit for bit; conv1 the fold of Caffe's input convention within 1e-6 relative (float32
 *    rounding of a float64 fold is ~6e-8); the features of two real photos at conv1 … fire9 through
 *    torchvision's squeezenet1_1 module equal those of the source network on Caffe's input
 *    (BGR, 0..255, mean subtracted) within 1e-5 relative (the issue's bar; measured ~1.5e-7);
 *  - damage (truncated, resized, NaN, all-zero kernel, missing) is an error naming the file and
 *    tensor, never a fallback to random weights;
 *  - the default run uses them with no network request at all (a guard preloaded into the CLI
 *    records every fetch / http(s) request / DNS lookup beyond loopback, and the download
 *    mirrors point at a local server that counts requests; the same guard sees a run that was
 *    asked to download);
 *  - their features are real: a fire3 content reconstruction from noise is far closer to the photo
 *    than the seeded random network's (SSIM of luminance, margin below).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedded, EMBEDDED_SQUEEZENET } from '../tools/lib/weights_files.js';
import { parseRawWeights, type Manifest } from '../src/io/raw_weights.js';
import { startWeightsServers, type WeightsServers } from './harness/weights_server.js';

const H5 = resolve('../shared/weights/squeezenet_v1.1_keras_notop.h5');
const PREFIX = EMBEDDED_SQUEEZENET.replace(/\.json$/, '');
const dir = mkdtempSync(join(tmpdir(), 'nst-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the committed file against its HDF5 source', () => {
  for (const photo of ['examples/chelsea.png', '../shared/examples/tubingen.jpg']) {
    it(`every tensor, and the features of ${photo} in Caffe's convention`, () => {
      expect(existsSync(H5), `${H5} (shared/weights) is needed for this check`).toBe(true);
      const r = spawnSync('/usr/bin/python3', ['test/harness/check_embedded_squeezenet.py', H5, PREFIX, photo], { encoding: 'utf8', timeout: 300_000 });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as {
        tensors: Record<string, { exact: boolean; maxRel: number }>;
        missing: string[];
        extra: string[];
        features: Record<string, number>;
      };
      expect(report.missing).toEqual([]);
      expect(report.extra).toEqual([]);
      expect(Object.keys(report.tensors)).toHaveLength(50); // 25 convs: conv1 + 8 Fire modules × 3
      for (const [name, t] of Object.entries(report.tensors)) {
        if (name.startsWith('conv1.')) expect(t.maxRel, name).toBeLessThanOrEqual(1e-6);
        else expect(t.exact, `${name} differs from the source (max rel ${t.maxRel})`).toBe(true);
      }
      expect(Object.keys(report.features)).toEqual(['conv1', 'fire2', 'fire3', 'fire4', 'fire5', 'fire6', 'fire7', 'fire8', 'fire9']);
      for (const [layer, err] of Object.entries(report.features)) expect(err, `${layer} features`).toBeLessThanOrEqual(1e-5);
    }, 300_000);
  }

  it('loads as SqueezeNet 1.1 in the torchvision input convention, every conv present', async () => {
    const raw = await loadEmbedded();
    const w = parseRawWeights(raw.manifest, raw.bin.buffer.slice(raw.bin.byteOffset, raw.bin.byteOffset + raw.bin.byteLength) as ArrayBuffer, raw.name, 'squeezenet');
    expect(w.network).toBe('squeezenet');
    expect(w.layers.size).toBe(25);
    expect(w.input).toEqual({ channelOrder: 'RGB', range: 1, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(w.source).toMatch(/^squeezenet1_1-deepscale \(pretrained SqueezeNet 1\.1 on ImageNet, DeepScale\)$/);
    expect(raw.bin.byteLength).toBe(2_889_984);
  });
});

describe('a damaged embedded file is an error naming it, never random weights', () => {
  const manifest = JSON.parse(readFileSync(EMBEDDED_SQUEEZENET, 'utf8')) as Manifest;
  const bin = readFileSync(`${PREFIX}.bin`);
  const tensor = (name: string) => manifest.tensors.find((t) => t.name === name)!;
  /** A copy of the pair with the .bin replaced. */
  function copyWith(name: string, data: Buffer): string {
    const json = join(dir, `${name}.json`);
    copyFileSync(EMBEDDED_SQUEEZENET, json);
    writeFileSync(join(dir, `${name}.bin`), data);
    return json;
  }
  it.each([
    ['truncated', () => bin.subarray(0, bin.length - 1000), /truncated\.bin: truncated: tensor "fire9\/expand3x3\.bias" needs bytes/],
    ['a byte longer', () => Buffer.concat([bin, Buffer.alloc(1)]), /a byte longer\.bin: holds 2889985 bytes, but the manifest's tensors end at 2889984/],
    [
      'NaN in fire5/expand3x3.weight',
      () => {
        const b = Buffer.from(bin);
        b.writeFloatLE(NaN, tensor('fire5/expand3x3.weight').offset + 4 * 17);
        return b;
      },
      /NaN in fire5_expand3x3\.weight\.bin: tensor "fire5\/expand3x3\.weight" holds NaN at element 17/,
    ],
    [
      'zeros in fire3/squeeze.weight',
      () => {
        const b = Buffer.from(bin);
        const t = tensor('fire3/squeeze.weight');
        b.fill(0, t.offset, t.offset + 4 * t.length);
        return b;
      },
      /tensor "fire3\/squeeze\.weight" is all zeros/,
    ],
  ])('%s', async (name, data, message) => {
    await expect(loadEmbedded(copyWith(name.replace(/\//g, '_'), data()))).rejects.toThrow(message);
  });
  it('missing', async () => {
    await expect(loadEmbedded(join(dir, 'gone.json'))).rejects.toThrow(/the embedded SqueezeNet 1\.1 weights are missing \(.*gone\.json and its \.bin\): restore them/);
  });
});

/** Records, in $NST_NET_LOG, every request this process makes beyond loopback (fetch, http(s), DNS). */
const GUARD = `
import { appendFileSync } from 'node:fs';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
const log = (what) => appendFileSync(process.env.NST_NET_LOG, what + '\\n');
const local = (host) => !host || /^(localhost|127\\.\\d+\\.\\d+\\.\\d+|\\[?::1\\]?)$/.test(host);
const hostOf = (u) => { try { return new URL(String(u instanceof Request ? u.url : u)).hostname; } catch { return ''; } };
const fetch0 = globalThis.fetch;
globalThis.fetch = (u, o) => { log('fetch ' + String(u instanceof Request ? u.url : u)); return fetch0(u, o); };
for (const m of [http, https]) for (const k of ['request', 'get']) {
  const f = m[k];
  m[k] = function (a, ...rest) { const h = typeof a === 'string' || a instanceof URL ? hostOf(a) : a?.hostname ?? a?.host; if (!local(h)) log(k + ' ' + h); return f.call(this, a, ...rest); };
}
const lookup0 = dns.lookup;
dns.lookup = function (h, ...rest) { if (!local(h)) log('dns ' + h); return lookup0.call(this, h, ...rest); };
`;

describe('the default run makes no network request', () => {
  let servers: WeightsServers;
  const guard = join(dir, 'net_guard.mjs');
  beforeAll(async () => {
    writeFileSync(guard, GUARD);
    servers = await startWeightsServers(dir); // serves nothing the runs ask for: any download is a 404
  });
  afterAll(() => servers.close());

  function run(args: string[], log: string): Promise<{ code: number | null; err: string; requests: string[] }> {
    const env = {
      ...process.env,
      XDG_CACHE_HOME: join(dir, `cache-${log}`),
      NODE_OPTIONS: `--import ${guard}`,
      NST_NET_LOG: join(dir, `${log}.log`),
      NST_TORCHVISION_URL: `${servers.origin}/files/vgg19.pth`,
      NST_HF_URL: `${servers.origin}/files/vgg19.safetensors`,
      NST_SQUEEZENET_URL: `${servers.origin}/files/squeezenet1_1.pth`,
    };
    writeFileSync(env.NST_NET_LOG, '');
    return new Promise((done, fail) => {
      const child = spawn('npx', ['tsx', 'tools/stylize.ts', ...args], { env });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.on('error', fail);
      child.on('close', (code) => {
        clearTimeout(timer);
        const requests = readFileSync(env.NST_NET_LOG, 'utf8').split('\n').filter(Boolean);
        done({ code, err, requests });
      });
    });
  }

  it('stylize with no --network and no --weights: the embedded SqueezeNet, one line saying so, no request', async () => {
    const out = join(dir, 'default.png');
    const r = await run(['--content', 'examples/chelsea.png', '--style', 'examples/starry_night.jpg', '--size', '40', '--iters', '2', '--out', out], 'default');
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(/^network: .*$/gm)).toEqual([
      "network: SqueezeNet 1.1 with its embedded ImageNet weights (no pretrained VGG19 is cached) — for the paper's VGG19 fetch it once (~52 MB): npm run weights -- download",
    ]);
    expect(r.err).toMatch(/wrote .*default\.png \(40×27, 2 steps .*weights: squeezenet1_1-deepscale \(pretrained SqueezeNet 1\.1 on ImageNet, DeepScale\)/);
    expect(r.err).not.toMatch(/random/);
    expect(r.requests).toEqual([]);
    expect(servers.totalRequests()).toBe(0);
  }, 300_000);

  it('the guard and the counting server see a run that was asked to download', async () => {
    const r = await run(['--content', 'examples/chelsea.png', '--style', 'examples/starry_night.jpg', '--network', 'squeezenet', '--weights', 'torchvision', '--size', '40', '--iters', '1', '--out', join(dir, 'never.png')], 'asked');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/squeezenet1_1\.pth/);
    expect(r.requests.some((l) => l.startsWith('fetch ') && l.includes('squeezenet1_1.pth'))).toBe(true);
    expect(servers.totalRequests()).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'never.png'))).toBe(false);
  }, 300_000);
});

describe('real features: a fire3 content reconstruction', () => {
  /** SSIM of luminance of the fire3 tile, as the reconstruct tool prints it. */
  async function fire3Ssim(weights: string): Promise<number> {
    const r = spawnSync('npx', ['tsx', 'tools/reconstruct.ts', '--image', 'examples/chelsea.png', '--mode', 'content', '--network', 'squeezenet', '--layers', 'fire3', '--size', '64', '--iters', '200', '--weights', weights, '--out', join(dir, `recon-${weights}.png`)], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache-recon') },
    });
    expect(r.status, r.stderr).toBe(0);
    const m = /fire3 +SSIM (-?[\d.]+)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    return Number(m![1]);
  }
  it('with the embedded weights beats the seeded random SqueezeNet by ≥ 0.15 SSIM (measured 0.35 against 0.06 at 64 px, 200 steps)', async () => {
    const real = await fire3Ssim('embedded');
    const random = await fire3Ssim('random');
    expect(real).toBeGreaterThanOrEqual(random + 0.15);
  }, 600_000);
});
