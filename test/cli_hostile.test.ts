/**
 * The CLIs against a hostile user: outputs that cannot be written, Ctrl-C and SIGTERM mid-run,
 * errors raised in the page, flags in odd places, transparent images.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { randomVgg19 } from '../src/model/weights.js';
import { toRawWeights } from '../src/io/raw_weights.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAST = ['--content-layers', 'conv2_2', '--style-layers', 'conv1_1,conv2_1'];
const IMAGES = ['--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg'];

function cli(tool: 'stylize' | 'reconstruct' | 'gradient', args: string[]) {
  const r = spawnSync('npx', ['tsx', `tools/${tool}.ts`, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A fresh folder holding keep.png = "previous result" (an earlier run's output). */
function outDir(name: string): { d: string; out: string } {
  const d = join(dir, name);
  mkdirSync(d);
  const out = join(d, 'keep.png');
  writeFileSync(out, 'previous result');
  return { d, out };
}

describe('outputs that cannot be written are rejected before any work', () => {
  it.each([
    ['stylize', [...IMAGES, '--out', '/proc/x.png', '--size', '24', '--iters', '2', ...FAST], /cannot write "\/proc\/x\.png" \(--out\): the folder "\/proc" is not writable/],
    ['reconstruct', ['--image', 'examples/chelsea.png', '--mode', 'content', '--out', '/proc/g.png', '--size', '24', '--iters', '2'], /cannot write "\/proc\/g\.png" \(--out\): the folder "\/proc" is not writable/],
    ['gradient', [...IMAGES, '--out-prefix', '/proc/chk', '--size', '24', ...FAST], /cannot write "\/proc\/chk\.json" \(--out-prefix\): the folder "\/proc" is not writable/],
    ['stylize', [...IMAGES, '--out', 'package.json/x.png', '--size', '24', '--iters', '2', ...FAST], /cannot write "package\.json\/x\.png" \(--out\): "package\.json" is not a folder/],
  ] as const)('%s %#', (tool, args, message) => {
    const r = cli(tool, [...args]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/adapter:|ENOENT|partial/); // no browser was started, no raw errno
  });

  it('leaves a writable folder as it was (the probe is removed, --out untouched)', () => {
    const { d, out } = outDir('probe');
    // passes the output check, then fails in the page
    const r = cli('stylize', ['--content', 'package.json', '--style', 'examples/rocket.jpg', '--out', out, '--size', '24', '--iters', '2', ...FAST]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/could not be decoded/);
    expect(readdirSync(d)).toEqual(['keep.png']);
    expect(readFileSync(out, 'utf8')).toBe('previous result');
  });
});

describe('stopping a run with a signal', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: "stopped", exit code %i, no browser profile left, --out untouched', async (signal, code) => {
    // a temp folder of its own, so that other tests' browser profiles do not count
    const tmp = mkdtempSync(join(dir, `tmp-${signal}-`));
    const profiles = () => readdirSync(tmp).filter((f) => f.startsWith('nst-chromium-'));
    const before = profiles();
    const { d, out } = outDir(`signal-${signal}`);
    // node directly (not npx), detached: the group is this CLI (the browser is a group of its own)
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/stylize.ts', ...IMAGES, '--out', out, '--size', '24', '--iters', '100000', ...FAST], {
      detached: true,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (b) => (err += b));
    const exited = new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    try {
      const deadline = Date.now() + 120_000;
      while (!/\] 1\/100000 /.test(err)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no progress: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // a browser runs only where Dawn found no adapter (the engine then runs in a page): images are decoded by sharp in Node
      expect(profiles().length - before.length).toBeLessThanOrEqual(1);
      process.kill(-child.pid!, signal);
      const [status, killedBy] = await exited;
      expect([status, killedBy], err).toEqual([code, null]);
      expect(err).toMatch(new RegExp(`stopped \\(${signal}\\)`));
      expect(err).not.toMatch(/error:|Protocol error|Target closed/);
      expect(profiles()).toEqual(before);
      expect(readdirSync(d)).toEqual(['keep.png']);
      expect(readFileSync(out, 'utf8')).toBe('previous result');
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  }, 180_000);
});

describe('errors raised in the page or the decoder: the stack only with --verbose', () => {
  const svg = join(dir, 'picture.svg');
  writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="red"/></svg>');
  const p = new PNG({ width: 24, height: 24 });
  p.data.fill(128);
  const badCrc = PNG.sync.write(p);
  badCrc[29] ^= 0xff; // the IHDR chunk's CRC
  writeFileSync(join(dir, 'bad_crc.png'), badCrc);
  const oneLayer = toRawWeights(randomVgg19(1, 'conv1_1'));
  writeFileSync(join(dir, 'one_layer.json'), oneLayer.manifest);
  writeFileSync(join(dir, 'one_layer.bin'), oneLayer.bin);
  const frame = /bundle\.js|^\s*(at |async )/m;

  it.each([
    ['an SVG content image', ['--content', svg, '--style', 'examples/rocket.jpg'], /error: content image picture\.svg: could not be decoded/],
    ['a PNG with a bad CRC', ['--content', join(dir, 'bad_crc.png'), '--style', 'examples/rocket.jpg'], /error: content image bad_crc\.png: could not be decoded/],
    ['weights with one layer', [...IMAGES, '--weights', join(dir, 'one_layer.json')], /error: one_layer\.json: missing layer conv1_2/],
  ])('%s', (_what, args, message) => {
    const r = cli('stylize', [...args, '--out', join(dir, 'never.png'), '--size', '24', '--iters', '2', ...FAST]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(frame);
    expect(r.err.trim().split('\n').at(-1)).toMatch(message); // the error is the last line
  });

  it('shows the stack with --verbose', () => {
    const r = cli('stylize', ['--content', svg, '--style', 'examples/rocket.jpg', '--out', join(dir, 'never.png'), '--size', '24', '--iters', '2', '--verbose', ...FAST]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error: content image picture\.svg: could not be decoded/);
    expect(r.err).toMatch(/decodeRgba .*node_decode\.ts:\d+:\d+/); // decoded in Node by sharp (tools/lib/node_decode.ts)
  });
});

describe('flags in odd places', () => {
  const out = join(dir, 'never.png');
  it.each([
    ['an unknown flag followed by a flag', ['--content', 'examples/chelsea.png', '--foo', '--style', 'examples/rocket.jpg', '--out', out], /unknown option\(s\): --foo \(see --help\)/],
    ['an unknown flag at the end', [...IMAGES, '--out', out, '--foo'], /unknown option\(s\): --foo \(see --help\)/],
    ['a known option followed by a flag', ['--content', '--style', 'examples/rocket.jpg', '--out', out], /option --content needs a value/],
    ['a known option at the end', [...IMAGES, '--out', out, '--size'], /option --size needs a value/],
    ['a negative learning rate', [...IMAGES, '--out', out, '--lr', '-1'], /--lr must be a number in \(0, 1000\], got "-1"/],
  ])('stylize: %s', (_what, args, message) => {
    const r = cli('stylize', args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/unexpected argument/);
  });

  it('reconstruct: an unknown flag followed by a flag', () => {
    const r = cli('reconstruct', ['--image', 'examples/chelsea.png', '--bar', '--mode', 'style', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown option\(s\): --bar \(see --help\)/);
  });
});

describe('transparent pixels', () => {
  it('are composited over white (not black) when decoded', () => {
    // top half: alpha 0 over white RGB; bottom half: opaque green
    const p = new PNG({ width: 24, height: 24 });
    for (let i = 0; i < p.data.length; i += 4) p.data.set(i < p.data.length / 2 ? [255, 255, 255, 0] : [10, 200, 30, 255], i);
    const content = join(dir, 'clear.png');
    writeFileSync(content, PNG.sync.write(p));
    const prefix = join(dir, 'clear');
    const r = cli('gradient', ['--content', content, '--style', 'examples/rocket.jpg', '--out-prefix', prefix, '--size', '24', ...FAST]);
    expect(r.code, r.err).toBe(0);
    // the exact RGBA the engine used
    const rgba = readFileSync(`${prefix}.content.rgba`);
    expect(rgba.length).toBe(24 * 24 * 4);
    const pixel = (x: number, y: number) => [...rgba.subarray((y * 24 + x) * 4, (y * 24 + x) * 4 + 3)];
    for (const [x, y] of [[0, 0], [12, 5], [23, 11]]) for (const v of pixel(x, y)) expect(v).toBeGreaterThanOrEqual(250);
    for (const [x, y] of [[0, 12], [23, 23]]) pixel(x, y).forEach((v, c) => expect(Math.abs(v - [10, 200, 30][c])).toBeLessThanOrEqual(2));
  });
});
