/** The stylize CLI end to end: a tiny real run, and clear errors that never clobber the output. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { networkDefaults } from '../src/nst/defaults.js';
import { tool } from './harness/cli_tool.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stylize = (args: string[], env: Record<string, string> = {}) => tool('tools/stylize.ts', args, env);

const FAST = ['--content-layers', 'conv2_2', '--style-layers', 'conv1_1,conv2_1'];

describe('reconstruct CLI', () => {
  const reconstruct = (args: string[]) => tool('tools/reconstruct.ts', args);
  it('writes a labelled grid: the original and one tile per layer', async () => {
    const out = join(dir, 'grid.png');
    const r = await reconstruct(['--image', 'examples/chelsea.png', '--mode', 'content', '--layers', 'conv1_2,conv2_2', '--size', '24', '--iters', '3', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/\[2\/2\] conv2_2 +step 3\/3/);
    const png = PNG.sync.read(readFileSync(out));
    // three tiles enlarged ×6 (24 px → 144) in one row, with padding, title and labels (the title may be wider)
    expect(png.width).toBeGreaterThanOrEqual(8 + 3 * (144 + 8));
    expect(r.err).toMatch(/wrote .*grid\.png \(\d+×\d+: original, conv1_2, conv2_2;/);
    expect(png.height).toBeGreaterThan(96);
  });
  it.each([
    ['a missing mode', ['--image', 'examples/chelsea.png', '--out', 'x.png'], /--mode content\|style is required/],
    ['a wrong mode', ['--image', 'examples/chelsea.png', '--mode', 'texture', '--out', 'x.png'], /--mode must be one of content, style, got "texture"/],
    ['an unknown layer', ['--image', 'examples/chelsea.png', '--mode', 'style', '--layers', 'conv1_1,pool2', '--out', 'x.png'], /unknown VGG19 layer "pool2"/],
    ['a missing image', ['--image', 'nope.jpg', '--mode', 'style', '--out', 'x.png'], /image "nope\.jpg" does not exist/],
  ])('rejects %s', async (_what, args, message) => {
    const r = await reconstruct(args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
  });
});

describe('stylize CLI', () => {
  it('stylizes a bundled photo, reports progress, saves snapshots and a valid PNG', async () => {
    const out = join(dir, 'result.png');
    const r = await stylize(['--content', 'examples/chelsea.png', '--style', 'examples/hubble_deep_field.jpg', '--out', out, '--size', '24', '--iters', '4', '--save-every', '2', ...FAST]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/\] 4\/4 +total \d/);
    expect(r.err).toMatch(/s\/step +ETA/);
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([24, 16]); // chelsea is 451×300
    expect(existsSync(join(dir, 'result_step2.png'))).toBe(true);
    // not a flat image
    const px = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) px.add(png.data[i]);
    expect(px.size).toBeGreaterThan(10);
  });

  it.each([
    ['a missing content image', ['--content', 'nope.png'], /content image "nope\.png" does not exist/],
    ['a text file posing as an image', ['--content', 'package.json'], /content image package\.json: could not be decoded as an image/],
    ['a truncated PNG', ['--content', 'TRUNCATED'], /could not be decoded as an image/],
    ['an empty style file', ['--style', 'EMPTY'], /style image ".*empty\.jpg" is empty/],
    ['a negative size', ['--size', '-5'], /--size must be an integer in \[16, 8192\] or full, got "-5"/],
    ['a non-numeric iteration count', ['--iters', 'lots'], /--iters must be an integer/],
    ['an unknown layer', ['--style-layers', 'conv1_1,relu9'], /unknown VGG19 layer "relu9"/],
    ['an unknown option', ['--colour', 'red'], /unknown option\(s\): --colour/],
    ['a missing weights file', ['--weights', 'missing.json'], /weights file "missing\.json" does not exist/],
    ['an absurd size', ['--size', '100000'], /--size must be an integer in \[16, 8192\] or full, got "100000"/],
    ['an absurd iteration count', ['--iters', '1e9'], /--iters must be an integer in \[0, 100000\]/],
    ['a negative style weight', ['--style-weight', '-1'], /--style-weight must be a number ≥ 0, got "-1"/],
    ['a zero learning rate', ['--lr', '0'], /--lr must be a number in \(0, 1000\], got "0"/],
    ['a bad layer weight', ['--content-layers', 'conv4_2:-3'], /invalid option: layer weight "-3" for conv4_2/],
    ['no scales', ['--scales', '0'], /--scales must be an integer in \[1, 8\] or auto, got "0"/],
    ['too many scales', ['--scales', '20'], /--scales must be an integer in \[1, 8\] or auto, got "20"/],
    ['per-scale iterations that do not match --scales', ['--scales', '2', '--iters', '5,5,5'], /--iters has 3 entries for --scales 2: give one number, or one per scale \(coarsest first\)/],
    ['a zero style scale', ['--style-scale', '0'], /--style-scale must be a number in \(0, 10\], got "0"/],
    ['an unknown autotune mode', ['--autotune', 'fast'], /--autotune must be one of auto, on, off, refresh, got "fast"/],
    ['a zero GPU memory budget', ['--max-gpu-memory', '0MB'], /--max-gpu-memory must be more than 0, got "0MB"/],
    ['a negative GPU memory budget', ['--max-gpu-memory', '-2GB'], /--max-gpu-memory must be a size with a unit, such as 1GB, 512MB or 1\.5GiB .*got "-2GB"/],
    ['a GPU memory budget without a unit', ['--max-gpu-memory', '0.5'], /--max-gpu-memory must be a size with a unit/],
    ['a budget smaller than the smallest tiles', ['--max-gpu-memory', '1MB'], /a GPU memory budget of 1\.0 MiB is too small for \d+×\d+: the smallest tiles \(2 px\) need about [\d.]+ MiB.*raise the budget to at least [\d.]+ MiB \(\d+ MB\)/],
    ['a tile that does not line up with the pooling', ['--tile', '15'], /--tile must be a multiple of 2 with these layers \(the downsampling of conv2_2, the deepest one used\), got 15/],
  ])('rejects %s and leaves the existing output alone', async (_what, override, message) => {
    const out = join(dir, 'keep.png');
    writeFileSync(out, 'previous result');
    const truncated = join(dir, 'truncated.png');
    writeFileSync(truncated, readFileSync('examples/chelsea.png').subarray(0, 3000));
    writeFileSync(join(dir, 'empty.jpg'), '');
    const base: Record<string, string> = { '--content': 'examples/chelsea.png', '--style': 'examples/rocket.jpg', '--out': out, '--size': '16', '--iters': '1' };
    for (let i = 0; i < override.length; i += 2) base[override[i]] = override[i + 1].replace('TRUNCATED', truncated).replace('EMPTY', join(dir, 'empty.jpg'));
    const r = await stylize([...FAST, ...Object.entries(base).flat()]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(readFileSync(out, 'utf8')).toBe('previous result');
  });
});

describe('stylize in tiles', () => {
  it('says it runs in tiles, and reports the peak GPU memory', async () => {
    const out = join(dir, 'tiled.png');
    const r = await stylize(['--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--out', out, '--size', '48', '--iters', '2', ...FAST, '--tile', '16']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/48×32 runs in \d+ tiles of 16 px \(windows \d+×\d+, as asked\)/);
    expect(r.err).toMatch(/wrote .*tiled\.png \(48×32, .*peak GPU memory [\d.]+ MiB, tiled\)/);
  });
  it('multi-scale with a budget: only the scale that needs it runs in tiles', async () => {
    const out = join(dir, 'tiled_scales.png');
    // about 13 MiB untiled at 48×32 with these layers, less at 24×16: a 10 MB budget tiles the big scale only
    const r = await stylize(['--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--out', out, '--size', '48', '--iters', '1', ...FAST, '--scales', '2', '--max-gpu-memory', '10MB']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/48×32 would need about [\d.]+ MiB untiled, more than the 9\.5 MiB budget: it runs in \d+ tiles/);
    expect(r.err).not.toMatch(/24×16 .*tiles/);
    expect(r.err).toMatch(/peak GPU memory [\d.]+ MiB, tiled\)/);
  });
});

describe('stylize --autotune', () => {
  // a cache directory of its own; on the CPU adapter only "on" and "refresh" time kernels
  const cache = join(dir, 'cache');
  const tables = join(cache, 'webgpu-neural-style', 'autotune');
  const run = (mode: string) =>
    stylize(['--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--out', join(dir, 'tuned.png'), '--size', '16', '--iters', '1', '--content-layers', 'conv1_2', '--style-layers', 'conv1_1', '--autotune', mode], { XDG_CACHE_HOME: cache });
  const tableFiles = () => (existsSync(tables) ? readdirSync(tables).filter((f) => f.endsWith('.json')) : []);

  it('times the kernel versions once, keeps the table in the cache directory, and reuses it', async () => {
    const auto = await run('auto');
    expect(auto.code, auto.err).toBe(0);
    expect(auto.err).not.toMatch(/autotune/); // software adapter: the fixed table, nothing stored
    expect(tableFiles()).toEqual([]);
    const first = await run('on');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/autotune: timed the kernel versions of \d+ layer shapes in [\d.]+ s; the fastest are kept in .*webgpu-neural-style\/autotune/);
    const [file] = tableFiles();
    const table = JSON.parse(readFileSync(join(tables, file), 'utf8'));
    expect(Object.keys(table.entries).some((k) => k.startsWith('conv_forward R3 N64 K3'))).toBe(true);
    const second = await run('on');
    expect(second.code, second.err).toBe(0);
    expect(second.err).not.toMatch(/autotune/);
    expect(readFileSync(join(tables, file), 'utf8')).toBe(JSON.stringify(table));
  });

  it('says so and measures again when the stored table is damaged', async () => {
    const [file] = tableFiles();
    writeFileSync(join(tables, file), '{"format": "webgpu-neural-style autotune table", "entr');
    const r = await run('on');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/the autotune table in .* is damaged .*ignored and will be rebuilt/);
    expect(r.err).toMatch(/autotune: timed/);
    expect(JSON.parse(readFileSync(join(tables, file), 'utf8')).format).toBe('webgpu-neural-style autotune table');
  });
});

describe('--network squeezenet', () => {
  // an empty cache: --weights auto runs the embedded pretrained SqueezeNet 1.1
  const env = () => ({ XDG_CACHE_HOME: mkdtempSync(join(dir, 'cache-')) });

  it('stylize runs SqueezeNet 1.1 with its default layers and names it', async () => {
    const out = join(dir, 'squeezenet.png');
    const r = await stylize(['--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--network', 'squeezenet', '--size', '40', '--iters', '3', '--out', out], env());
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/^network: /m); // asked for by name: nothing to explain
    expect(r.err).toMatch(/wrote .*squeezenet\.png \(40×27, 3 steps .*weights: squeezenet1_1-deepscale \(pretrained SqueezeNet 1\.1 on ImageNet, DeepScale\)/);
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([40, 27]);
  });

  it('gradient reports SqueezeNet\'s default loss terms', async () => {
    const prefix = join(dir, 'sq-grad');
    const r = await tool('tools/gradient.ts', ['--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--network', 'squeezenet', '--size', '33', '--out-prefix', prefix], env());
    expect(r.code, r.err).toBe(0);
    const terms = r.out.split('\n').filter((l) => /^(content|style) /.test(l)).map((l) => l.split(/\s+/).slice(0, 2).join(' '));
    const d = networkDefaults('squeezenet');
    expect(terms).toEqual([...d.contentLayers.map((l) => `content ${l.name}`), ...d.styleLayers.map((l) => `style ${l.name}`)]);
    expect(JSON.parse(readFileSync(`${prefix}.json`, 'utf8')).options.network).toBe('squeezenet');
  });

  it('reconstruct uses SqueezeNet\'s layers', async () => {
    const out = join(dir, 'sq-grid.png');
    const r = await tool('tools/reconstruct.ts', ['--image', 'examples/chelsea.png', '--mode', 'content', '--network', 'squeezenet', '--layers', 'conv1,fire3', '--size', '24', '--iters', '2', '--out', out], env());
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/conv1 .*\n.*fire3 /);
    expect(existsSync(out)).toBe(true);
  });

  it.each([
    [['--content-layers', 'conv4_2'], /unknown SqueezeNet 1\.1 layer "conv4_2" \(known: conv1, fire2, fire3, fire4, fire5, fire6, fire7, fire8, fire9\); conv4_2 is a VGG19 layer \(--network vgg19\)/],
    [['--pooling', 'avg'], /SqueezeNet pools with 3×3 max windows only/],
    [['--tile', '32'], /--tile: tiles are implemented for VGG19 only; SqueezeNet runs untiled/],
    [['--max-gpu-memory', '1GB'], /--max-gpu-memory: a budget tiles VGG19 runs only/],
    [['--network', 'resnet'], /--network must be one of vgg19, squeezenet, got "resnet"/],
  ])('refuses %j before starting the browser', async (extra, message) => {
    const out = join(dir, 'never.png');
    const r = await stylize(['--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--network', 'squeezenet', '--size', '40', '--iters', '1', '--out', out, ...extra], env());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/adapter:/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses VGG19 weights for a SqueezeNet run, naming both', async () => {
    const weights = join(dir, 'vgg-small.json');
    const { writeRandomWeights } = await import('../tools/make_random_weights.js');
    writeRandomWeights(weights, 1, 'conv2_1');
    const r = await stylize(['--content', 'examples/chelsea.png', '--style', 'examples/rocket.jpg', '--network', 'squeezenet', '--weights', weights, '--size', '40', '--iters', '1', '--out', join(dir, 'never2.png')], env());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/VGG19/);
    expect(r.err).toMatch(/squeezenet|SqueezeNet/);
  });
});

describe('bench CLI', () => {
  const bench = (args: string[]) => tool('bench/main.ts', args);
  it('--help lists the options, with the conv versions that run every layer in both directions', async () => {
    const r = await bench(['--help']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/--conv auto\|v0_naive\|v1_direct\|v5_winograd\|v6_winograd4\|v7_winograd_subgroups\|v8_winograd4_subgroups /);
    expect(r.out).toMatch(/--sizes 64,128/);
  });
  it('refuses a bad option in one line, before any work', async () => {
    const r = await bench(['--conv', 'fastest']);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(/^[^\n]*--conv must be one of auto, v0_naive, .*got "fastest"$/);
  });
});

describe('stylize with spatial and colour control (Gatys et al. 2017)', () => {
  /** A w×h PNG from f(x, y) → [r, g, b] (seeded noise for textures). */
  const png = (name: string, w: number, h: number, f: (x: number, y: number, r: () => number) => number[]) => {
    let s = 7;
    const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const p = new PNG({ width: w, height: h });
    for (let i = 0; i < w * h; i++) p.data.set([...f(i % w, Math.floor(i / w), r).map(Math.round), 255], 4 * i);
    const path = join(dir, name);
    writeFileSync(path, PNG.sync.write(p));
    return path;
  };
  const red = png('red.png', 64, 64, (_x, _y, r) => [180 + 70 * r(), 40 * r(), 30 * r()]);
  const blue = png('blue.png', 64, 64, (_x, _y, r) => [30 * r(), 60 * r(), 170 + 80 * r()]);
  const left = png('left.png', 40, 30, (x) => (x < 20 ? [255, 255, 255] : [0, 0, 0]));
  const right = png('right.png', 40, 30, (x) => (x >= 20 ? [255, 255, 255] : [0, 0, 0]));
  const black = png('black.png', 40, 30, () => [0, 0, 0]);
  /** Mean red − blue of the output's columns [x0, x1). */
  const redness = (file: string, x0: number, x1: number) => {
    const img = PNG.sync.read(readFileSync(file));
    let sum = 0, n = 0;
    for (let y = 0; y < img.height; y++)
      for (let x = Math.floor(x0 * img.width); x < Math.floor(x1 * img.width); x++, n++) sum += img.data[4 * (y * img.width + x)] - img.data[4 * (y * img.width + x) + 2];
    return sum / n;
  };

  it('two styles split by masks: each half takes its own style (red left, blue right)', async () => {
    const out = join(dir, 'masked.png');
    const r = await stylize(['--content', 'examples/chelsea.png', '--style', `${red},${blue}`, '--style-masks', `${left},${right}`, '--size', '64', '--iters', '60', '--out', out]);
    expect(r.code, r.err).toBe(0);
    // the output's left third is red, its right third blue, far apart (the photo itself is grey-brown)
    expect(redness(out, 0, 1 / 3)).toBeGreaterThan(60);
    expect(redness(out, 2 / 3, 1)).toBeLessThan(-60);
    // coarse to fine with L-BFGS: the masks are resized to each scale's content
    const ms = await stylize(['--content', 'examples/chelsea.png', '--style', `${red},${blue}`, '--style-masks', `${left},${right}`, '--size', '64', '--scales', '2', '--optimizer', 'lbfgs', '--iters', '3', '--out', join(dir, 'masked-lbfgs.png')]);
    expect(ms.code, ms.err).toBe(0);
    expect(ms.err).toMatch(/wrote .*masked-lbfgs\.png \(64×43, 6 steps/);
  });

  it('--original-colors histogram: the style is recoloured to the photo first, so the result keeps the photo\'s colours', async () => {
    const plain = join(dir, 'plain-blue.png'), kept = join(dir, 'histogram-blue.png');
    const args = ['--content', 'examples/chelsea.png', '--style', blue, '--size', '64', '--iters', '60'];
    expect((await stylize([...args, '--out', plain])).code).toBe(0);
    const r = await stylize([...args, '--original-colors', 'histogram', '--out', kept]);
    expect(r.code, r.err).toBe(0);
    const photo = redness('examples/chelsea.png', 0, 1);
    expect(redness(plain, 0, 1)).toBeLessThan(photo - 60);
    expect(Math.abs(redness(kept, 0, 1) - photo)).toBeLessThan(25);
    // coarse to fine with luminance transfer: the finer scale's anchored targets do not bring the style's colours back
    const lum = join(dir, 'luminance-2-scales.png');
    const l = await stylize([...args, '--scales', '2', '--original-colors', 'luminance', '--out', lum]);
    expect(l.code, l.err).toBe(0);
    expect(Math.abs(redness(lum, 0, 1) - photo)).toBeLessThan(25);
  });

  it.each([
    ['a mask that is not an image', () => [`${join(dir, 'left.txt')}`, right], /^error: style mask left\.txt: could not be decoded as an image/m],
    ['an all-black mask', () => [black, right], /^error: style mask black\.png is black everywhere at 64×\d+: its style would apply nowhere/m],
    ['a missing mask', () => [join(dir, 'nope.png'), right], /^error: style mask ".*nope\.png" does not exist$/m],
  ])('refuses %s, naming the file, and writes nothing', async (_what, masks, message) => {
    writeFileSync(join(dir, 'left.txt'), 'not a picture');
    const out = join(dir, 'refused.png');
    const r = await stylize(['--content', 'examples/chelsea.png', '--style', `${red},${blue}`, '--style-masks', masks().join(','), '--size', '64', '--iters', '2', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});

describe('stylize --plan', () => {
  const mib = (text: string, re: RegExp) => {
    const m = text.match(re);
    if (!m) throw new Error(`no ${re} in:\n${text}`);
    return Number(m[1]) * (m[2] === 'GiB' ? 1024 : 1);
  };
  const VGG = ['--content', 'examples/chelsea.png', '--style', 'examples/starry_night.jpg', '--network', 'vgg19', '--iters', '2'];

  it('prints each scale\'s size, tiles, memory and time without running (no --out); an untiled estimate is within 1.15× of the run\'s measured peak', async () => {
    const plan = await stylize([...VGG, '--size', '64', '--scales', '2', '--plan']);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toMatch(/^plan: VGG19 to conv5_1, weights seeded random VGG19 \(seed \d+\)$/m);
    expect(plan.out).toMatch(/^ {2}scale 1\/2: 32×21, 2 steps, untiled$/m);
    expect(plan.out).toMatch(/^ {2}scale 2\/2: 64×43, 2 steps, untiled$/m);
    expect(plan.out).toMatch(/^ {2}time: about \d+ (s|min) for the steps \(convs at [\d.]+ GFLOP\/s, Grams at [\d.]+, measured now on this adapter/m);
    expect(plan.out).toMatch(/^nothing was run \(--plan\)$/m);
    const one = await stylize([...VGG, '--size', '64', '--plan']);
    const estimate = mib(one.out, /GPU memory: at most ([\d.]+) (MiB|GiB)/);
    const out = join(dir, 'planned.png');
    const run = await stylize([...VGG, '--size', '64', '--out', out]);
    expect(run.code, run.err).toBe(0);
    const peak = mib(run.err, /peak GPU memory ([\d.]+) (MiB|GiB)/);
    expect(estimate).toBeGreaterThanOrEqual(peak);
    expect(estimate).toBeLessThanOrEqual(1.15 * peak);
  });

  it('a tiled plan names its tiles and stays an upper bound of the tiled run\'s peak, within 1.15×', async () => {
    const args = [...VGG, '--size', '160', '--tile', '32', '--content-layers', 'conv2_2', '--style-layers', 'conv1_1,conv2_1'];
    const plan = await stylize([...args, '--plan']);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toMatch(/^ {2}160×106, 2 steps, in 15 tiles of 32 px \(windows 44×44\): /m);
    const run = await stylize([...args, '--out', join(dir, 'planned-tiles.png')]);
    expect(run.code, run.err).toBe(0);
    const estimate = mib(plan.out, /GPU memory: at most ([\d.]+) (MiB|GiB)/), peak = mib(run.err, /peak GPU memory ([\d.]+) (MiB|GiB)/);
    expect(estimate).toBeGreaterThanOrEqual(peak);
    expect(estimate).toBeLessThanOrEqual(1.15 * peak);
  });

  it('a budget nothing fits is refused as the run would refuse it, in one line', async () => {
    const r = await stylize([...VGG, '--size', '96', '--max-gpu-memory', '100MB', '--plan']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: a GPU memory budget of 95\.4 MiB is too small for 96×64: the smallest tiles \(16 px\) need about [\d.]+ MiB/m);
  });
});

describe('coarse to fine by default', () => {
  const SQ = ['--content', 'examples/chelsea.png', '--style', 'examples/starry_night.jpg', '--network', 'squeezenet'];
  it('chooses the scales from the size and the network, says so in one line, and lets --scales and --iters win', async () => {
    const plan = await stylize([...SQ, '--size', '512', '--plan']);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toMatch(/^ {2}coarse to fine: 128 px × 100 steps → 256 px × 60 → 512 px × 30 \(chosen for SqueezeNet 1\.1 at 512 px/m);
    expect(plan.out).toMatch(/^ {2}scale 3\/3: 512×341, 30 steps, untiled$/m);
    const one = await stylize([...SQ, '--size', '512', '--scales', '1', '--plan']);
    expect(one.out).not.toMatch(/coarse to fine/);
    expect(one.out).toMatch(/^ {2}512×341, 100 steps, untiled$/m);
    const listed = await stylize([...SQ, '--size', '512', '--iters', '50,10', '--plan']);
    expect(listed.out).toMatch(/^ {2}scale 1\/2: 256×170, 50 steps/m);
    expect(listed.out).toMatch(/^ {2}scale 2\/2: 512×341, 10 steps/m);
    // a real run says the schedule before its first step
    const out = join(dir, 'auto.png');
    const run = await stylize([...SQ, '--size', '40', '--iters', '2', '--style-layers', 'conv1,fire2', '--out', out, '--scales', 'auto']);
    expect(run.code, run.err).toBe(0);
    expect(run.err).not.toMatch(/coarse to fine/); // 40 px is below SqueezeNet's 128: one scale
  });
  it('--size full runs at the content image\'s own size and refuses one past the limit in one line, before any work', async () => {
    const plan = await stylize([...SQ, '--size', 'full', '--plan']);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toMatch(/^ {2}scale 3\/3: 451×300, 30 steps, untiled$/m);
    const wide = new PNG({ width: 20000, height: 40 });
    wide.data.fill(200);
    const huge = join(dir, 'huge.png');
    writeFileSync(huge, PNG.sync.write(wide));
    const out = join(dir, 'full.png');
    const r = await stylize(['--content', huge, '--style', 'examples/starry_night.jpg', '--network', 'squeezenet', '--size', 'full', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: size full: content image huge\.png is 20000×40, larger than the \d+ px SqueezeNet 1\.1 runs at here \(it runs untiled; VGG19 runs larger sizes in tiles\); give a size of at most \d+$/m);
    expect(r.err).not.toMatch(/step/);
    expect(existsSync(out)).toBe(false);
    // a number past what SqueezeNet runs untiled: the same one line, pointing to VGG19's tiles
    const big = await stylize([...SQ, '--size', '8000', '--plan']);
    expect(big.code).toBe(1);
    expect(big.err).toMatch(/^error: size 8000 is larger than the \d+ px SqueezeNet 1\.1 runs at here \(it runs untiled; VGG19 runs larger sizes in tiles\); give a size of at most \d+$/m);
  });
});

describe('reconstruct --plan', () => {
  it('prints each reconstruction\'s layers, size, tiling, memory and time, writes nothing; the largest estimate bounds the run\'s peak', async () => {
    const reconstruct = (args: string[]) => tool('tools/reconstruct.ts', args);
    const args = ['--image', 'examples/chelsea.png', '--mode', 'style', '--network', 'vgg19', '--layers', 'conv1_1,conv2_1', '--size', '48', '--iters', '2'];
    const plan = await reconstruct([...args, '--plan']);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toMatch(/^plan: VGG19 to conv2_1, weights seeded random VGG19 \(seed \d+\)$/m);
    expect(plan.out).toMatch(/^ {2}conv1_1: 48×32, 2 steps, untiled$/m);
    expect(plan.out).toMatch(/^ {2}conv1_1\.\.conv2_1: 48×32, 2 steps, untiled$/m);
    expect(plan.out).toMatch(/^nothing was run \(--plan\)$/m);
    const estimates = [...plan.out.matchAll(/GPU memory: at most ([\d.]+) MiB/g)].map((m) => Number(m[1]));
    expect(estimates).toHaveLength(2);
    const out = join(dir, 'planned-grid.png');
    const run = await reconstruct([...args, '--out', out]);
    expect(run.code, run.err).toBe(0);
    const peak = Number(run.err.match(/peak GPU memory ([\d.]+) MiB/)![1]);
    expect(Math.max(...estimates)).toBeGreaterThanOrEqual(peak);
    // tiles where a budget asks for them
    const tiled = await reconstruct([...args, '--size', '160', '--max-gpu-memory', '40MB', '--plan']);
    expect(tiled.code, tiled.err).toBe(0);
    expect(tiled.out).toMatch(/^ {2}conv1_1\.\.conv2_1: 160×106, 2 steps, in \d+ tiles of \d+ px/m);
  });
});

describe('figure CLI', () => {
  const figure = (args: string[]) => tool('tools/figure.ts', args);
  it('puts labelled PNGs in rows, each resized to the first one\'s aspect at --width', async () => {
    const out = join(dir, 'figure.png');
    const r = await figure(['--out', out, '--columns', '2', '--width', '90', 'photo=examples/chelsea.png', 'mask=examples/masks/left.png', 'again=examples/chelsea.png']);
    expect(r.code, r.err).toBe(0);
    const png = PNG.sync.read(readFileSync(out));
    // two columns of 90 px tiles (labels fit), two rows of 60 px images with their labels
    expect(png.width).toBe(8 + 2 * (90 + 8));
    expect(png.height).toBeGreaterThan(2 * 60);
    expect(r.err).toMatch(/wrote .*figure\.png \(204×\d+, 3 images\)/);
  });
  it('refuses an image without a label, or one that cannot be read, writing nothing', async () => {
    const out = join(dir, 'no-figure.png');
    expect((await figure(['--out', out, 'examples/chelsea.png'])).err).toMatch(/^error: "examples\/chelsea\.png": give each image as LABEL=IMAGE\.png$/m);
    expect((await figure(['--out', out, 'x=nope.png'])).err).toMatch(/^error: image "nope\.png" \(for "x"\) cannot be read$/m);
    expect(existsSync(out)).toBe(false);
  });
});
