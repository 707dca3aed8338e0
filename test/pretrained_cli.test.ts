/**
 * Pretrained weights through the CLI, against local servers standing in for download.pytorch.org
 * (the legacy .pth) and the Hugging Face hub (safetensors behind a redirect to another origin):
 * one flag downloads only what is needed into the cache, the next run makes no request,
 * `--weights auto` finds the cache, failures leave nothing behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_DIR, FIXTURES, makePretrainedFixtures } from './harness/pretrained_fixtures.js';
import { startWeightsServers, type WeightsServers } from './harness/weights_server.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-pretrained-cli-'));
let servers: WeightsServers;

beforeAll(async () => {
  makePretrainedFixtures();
  servers = await startWeightsServers(FIXTURE_DIR);
}, 600_000);
afterAll(async () => {
  await servers?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Run a CLI asynchronously (the servers live in this process), with its own cache directory. */
function run(tool: string, args: string[], cache: string, env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('npx', ['tsx', `tools/${tool}.ts`, ...args], {
      env: {
        ...process.env,
        XDG_CACHE_HOME: cache,
        NST_TORCHVISION_URL: `${servers.origin}/files/${FIXTURES.legacy}`,
        NST_HF_URL: `${servers.origin}/resolve/${FIXTURES.safetensors}`,
        ...env,
      },
    });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const FAST = ['--content-layers', 'conv2_2', '--style-layers', 'conv1_1,conv2_1'];
const stylizeArgs = (out: string, weights?: string) => [
  '--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--out', out, '--size', '16', '--iters', '1', ...FAST, ...(weights ? ['--weights', weights] : []),
];

describe('pretrained weights from the CLI', () => {
  const cache = join(dir, 'cache');

  it('weights download fetches only conv1_1..conv5_1 of torchvision\'s file, with progress, into the cache', async () => {
    servers.reset();
    const r = await run('weights', ['download'], cache);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/fetching conv1_1\.\.conv5_1 from http:\/\/127\.0\.0\.1:\d+\/files\/vgg19-legacy\.pth \(torch-legacy\): 51\.\d MB in \d ranged request\(s\)/);
    expect(r.err).toMatch(/downloaded VGG19 \(torchvision\): 51\.\d \/ 51\.\d MB \(100%\) at [\d.]+ MB\/s in [\d.]+ s/);
    const served = servers.stats(FIXTURES.legacy);
    expect(served.bytes / statSync(join(FIXTURE_DIR, FIXTURES.legacy)).size).toBeLessThan(0.6);
    expect(served.requests).toBeLessThanOrEqual(8);
    expect(readdirSync(join(cache, 'webgpu-neural-style', 'weights')).sort()).toEqual(['vgg19-torchvision.bin', 'vgg19-torchvision.json']);
    const list = await run('weights', ['list'], cache);
    expect(list.out).toMatch(/vgg19-torchvision {2}VGG19 {2}conv1_1\.\.conv5_1 \(13 layers\) {2}float32 {2}51\.\d MB {2}from http.*vgg19-legacy\.pth \(torch-legacy\) on \d{4}-\d\d-\d\d/);
  });

  it('a second download, stylize --weights torchvision and the default (auto) make no request at all', async () => {
    servers.reset();
    const again = await run('weights', ['download'], cache);
    expect(again.err).toMatch(/already cached: vgg19-torchvision \(13 layers, no download\)/);
    const out = join(dir, 'tv.png');
    const named = await run('stylize', stylizeArgs(out, 'torchvision'), cache);
    expect(named.code, named.err).toBe(0);
    expect(named.err).toMatch(/weights: vgg19-torchvision \(pretrained VGG19 from http.*vgg19-legacy\.pth\)/);
    const auto = await run('stylize', stylizeArgs(join(dir, 'auto.png')), cache);
    expect(auto.code, auto.err).toBe(0);
    expect(auto.err).toMatch(/weights: vgg19-torchvision \(pretrained/);
    expect(servers.totalRequests()).toBe(0);
  });

  it('--weights hf downloads the safetensors through the hub\'s redirect, only up to the layers the run uses', async () => {
    servers.reset();
    const r = await run('stylize', stylizeArgs(join(dir, 'hf.png'), 'hf'), cache);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/fetching conv1_1\.\.conv2_2 from .*\/resolve\/model\.safetensors \(safetensors\)/);
    expect(r.err).toMatch(/weights: vgg19-hf \(pretrained/);
    // conv1_1..conv2_2 are ~1.1 MB of the 575 MB file
    expect(servers.stats(FIXTURES.safetensors).bytes).toBeLessThan(2e6);
  });

  it('with nothing cached, auto runs the seeded random VGG19 and says how to get the real one', async () => {
    const r = await run('stylize', stylizeArgs(join(dir, 'random.png')), join(dir, 'empty-cache'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/weights: seeded random VGG19 \(seed 1\) — for the paper's painterly results fetch pretrained VGG19 once \(~52 MB\): npm run weights -- download/);
  });

  it.each([
    ['a 404', `${'ORIGIN'}/files/nope.pth`, /not found \(HTTP 404\)/],
    ['an HTML page', `${'ORIGIN'}/html/x.pth`, /sent an HTML page/],
    ['a redirect loop', `${'ORIGIN'}/loop/x.pth`, /could not fetch/],
    ['a connection cut half-way', `${'ORIGIN'}/drop/${FIXTURES.legacy}`, /broke off|asked for \d+ bytes/],
  ])('a download that fails (%s) says so, caches nothing and leaves the output alone', async (_what, url, message) => {
    const c = join(dir, 'fail-cache');
    const out = join(dir, 'keep.png');
    writeFileSync(out, 'previous result');
    const r = await run('stylize', stylizeArgs(out, url.replace('ORIGIN', servers.origin)), c);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(readFileSync(out, 'utf8')).toBe('previous result');
    const d = join(c, 'webgpu-neural-style', 'weights');
    expect(existsSync(d) ? readdirSync(d) : []).toEqual([]);
  });

  it('weights clear forgets the cache', async () => {
    const r = await run('weights', ['clear'], cache);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/removed vgg19-hf, vgg19-torchvision/);
    expect((await run('weights', ['list'], cache)).out).toMatch(/no cached weights/);
  });
});
