/** CPU-side pieces of the NST layer: the bitmap font and grid, reconstruction targets, scales, resizing, job arguments. */
import { describe, expect, it } from 'vitest';
import { composeGrid, enlargement } from '../src/job/grid.js';
import { formatDuration } from '../src/job/duration.js';
import { drawText, GLYPH_HEIGHT, textWidth } from '../src/job/pixel_font.js';
import { reconstructionTargets, DEFAULT_RECONSTRUCTION, CONTENT_RECONSTRUCTION_LAYERS, STYLE_RECONSTRUCTION_LAYERS } from '../src/job/reconstruct_targets.js';
import { checkCoarsest } from '../src/job/prepare.js';
import { secondsLeft } from '../src/job/seconds_left.js';
import { autoScaleCount, defaultCoarseAnchor, describeSchedule, halvingSizes, resolveSchedule } from '../src/job/schedule.js';
import { mixImages, resizeBilinear, type RgbaImage } from '../src/io/rgba_image.js';
import { Args } from '../tools/lib/args.js';
import { JOB_FLAGS, parseJob } from '../tools/lib/job_args.js';
import { resolveOptions } from '../src/nst/options.js';

const blank = (w: number, h: number, v = 255): RgbaImage => ({ width: w, height: h, data: new Uint8Array(w * h * 4).fill(v) });
const inked = (img: RgbaImage) => {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) if (img.data[i] < 128) n++;
  return n;
};

describe('pixel font', () => {
  it('draws glyphs inside their box and nothing for spaces', () => {
    const img = blank(40, 12);
    drawText(img, 1, 1, 'c1_ ', [0, 0, 0]);
    expect(textWidth('c1_ ')).toBe(4 * 6 - 1);
    expect(inked(img)).toBeGreaterThan(15);
    for (let y = 0; y < 12; y++) for (let x = 0; x < 40; x++) {
      const dark = img.data[(y * 40 + x) * 4] < 128;
      if (dark) expect(x >= 1 && x < 1 + 3 * 6 && y >= 1 && y < 1 + GLYPH_HEIGHT).toBe(true);
    }
    // "1" is a vertical stroke in column 2 of its glyph
    expect(img.data[((1 + 3) * 40 + 6 + 1 + 2) * 4]).toBe(0);
  });
  it('scales, clips at the border and draws unknown characters as "?"', () => {
    const a = blank(20, 20), b = blank(20, 20);
    drawText(a, 0, 0, '€', [0, 0, 0], 2);
    drawText(b, 0, 0, '?', [0, 0, 0], 2);
    expect(a.data).toEqual(b.data);
    expect(() => drawText(blank(3, 3), -2, -2, 'w', [0, 0, 0], 3)).not.toThrow();
    // an apostrophe (DeepScale's, in the reconstructions' titles) and a semicolon are glyphs of their own
    for (const c of ["'", ';']) {
      const g = blank(20, 20);
      drawText(g, 0, 0, c, [0, 0, 0], 2);
      expect(g.data).not.toEqual(b.data);
      expect(inked(g)).toBeGreaterThan(0);
    }
  });
});

describe('durations', () => {
  it('are said in the unit that reads at a glance, up to days', () => {
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(89)).toBe('89 s');
    expect(formatDuration(90)).toBe('2 min');
    expect(formatDuration(89 * 60)).toBe('89 min');
    expect(formatDuration(3 * 3600)).toBe('3.0 h');
    // the page once said "7574 min" for a VGG19 run at 8192 px on a CPU adapter
    expect(formatDuration(7574 * 60)).toBe('5 days');
    expect(formatDuration(NaN)).toBe('an unknown time');
  });
});

describe('grid', () => {
  it('places enlarged tiles in a row with labels under them', () => {
    const red: RgbaImage = { width: 16, height: 8, data: new Uint8Array(16 * 8 * 4).map((_, i) => (i % 4 === 0 || i % 4 === 3 ? 255 : 0)) };
    expect(enlargement([{ label: 'a', image: red }], 128)).toBe(8);
    const g = composeGrid('', [{ label: 'one', image: red }, { label: 'two', image: red }], { minTileSide: 32, padding: 4 });
    // ×2 enlargement: 32×16 tiles; width = pad + 2·(32 + pad)
    expect(g.width).toBe(4 + 2 * (32 + 4));
    expect(g.height).toBe(4 + 16 + GLYPH_HEIGHT + 6 + 4);
    const px = (x: number, y: number) => [...g.data.subarray((y * g.width + x) * 4, (y * g.width + x) * 4 + 4)];
    expect(px(4, 4)).toEqual([255, 0, 0, 255]); // first tile's corner
    expect(px(4 + 36 + 31, 4 + 15)).toEqual([255, 0, 0, 255]); // second tile's far corner
    expect(px(2, 2)).toEqual([255, 255, 255, 255]); // padding
    const labels = { width: g.width, height: g.height, data: g.data.slice() };
    let labelInk = 0;
    for (let y = 4 + 16; y < g.height; y++) for (let x = 0; x < g.width; x++) if (labels.data[(y * g.width + x) * 4 + 1] < 128) labelInk++;
    expect(labelInk).toBeGreaterThan(20);
  });
  it('refuses an empty grid', () => {
    expect(() => composeGrid('t', [])).toThrow(/no tiles/);
  });
});

describe('reconstruction targets', () => {
  const settings = (layers: string[]) => ({ ...DEFAULT_RECONSTRUCTION, layers });
  it('content: one layer each, no style term', () => {
    const t = reconstructionTargets('content', settings(CONTENT_RECONSTRUCTION_LAYERS));
    expect(t.map((x) => x.label)).toEqual(CONTENT_RECONSTRUCTION_LAYERS);
    expect(t[3].options.contentLayers).toEqual([{ name: 'conv4_2', weight: 1 }]);
    expect(t.every((x) => x.options.styleLayers!.length === 0 && x.options.init === 'noise')).toBe(true);
  });
  it('style: growing layer sets, no content term', () => {
    const t = reconstructionTargets('style', settings(STYLE_RECONSTRUCTION_LAYERS));
    expect(t.map((x) => x.options.styleLayers!.length)).toEqual([1, 2, 3, 4, 5]);
    expect(t[2].label).toBe('conv1_1..conv3_1');
    expect(t.every((x) => x.options.contentLayers!.length === 0 && x.options.contentWeight === 0)).toBe(true);
  });
  it('rejects unknown layers, no layers and unknown modes', () => {
    expect(() => reconstructionTargets('style', settings(['conv1_1', 'fc7']))).toThrow(/unknown VGG19 layer "fc7"/);
    expect(() => reconstructionTargets('content', settings([]))).toThrow(/no layers/);
    expect(() => reconstructionTargets('texture' as 'style', settings(['conv1_1']))).toThrow(/mode must be content or style/);
  });
});

describe('multi-scale and resizing', () => {
  it('halves the size per scale, coarsest first, and refuses scales that get too small', () => {
    expect(halvingSizes(256, 3)).toEqual([64, 128, 256]);
    expect(halvingSizes(100, 1)).toEqual([100]);
    expect(() => checkCoarsest(halvingSizes(64, 4), 16)).toThrow(/^4 scales from size 64 start at 8 px, below the 16 px/);
    expect(() => checkCoarsest([10], 16)).toThrow(/^size 10 is below the 16 px/);
    expect(() => resolveSchedule(64, 'vgg19', 0, undefined, 200)).toThrow(/invalid number of scales 0/);
  });
  it('chooses coarse to fine from the size and the network: one scale up to ~1.4× the structure side, one more per doubling', () => {
    // SqueezeNet sees a painting's shapes at 128 px, VGG19 at 256
    expect([128, 181, 182, 256, 512, 1024, 2048, 4000].map((s) => autoScaleCount(s, 'squeezenet'))).toEqual([1, 1, 2, 2, 3, 4, 5, 6]);
    expect([256, 362, 363, 512, 1024, 2048].map((s) => autoScaleCount(s, 'vgg19'))).toEqual([1, 1, 2, 2, 3, 4]);
    const s = resolveSchedule(512, 'squeezenet', 'auto', undefined, 100);
    expect(s).toEqual({ sizes: [128, 256, 512], iterations: [100, 60, 30], auto: true });
    expect(describeSchedule(s, 'squeezenet')).toMatch(/^coarse to fine: 128 px × 100 steps → 256 px × 60 → 512 px × 30 \(chosen for SqueezeNet 1\.1 at 512 px/);
    // the coarsest gets most steps, and at least one step stays at every scale
    const big = resolveSchedule(4096, 'squeezenet', 'auto', [20], 100);
    expect(big.sizes[0]).toBe(128);
    expect(big.iterations[0]).toBe(20);
    expect(big.iterations.every((n, i) => n >= 1 && (i === 0 || n <= big.iterations[i - 1]))).toBe(true);
    // at or below the structure side: one scale, as before
    expect(resolveSchedule(128, 'squeezenet', 'auto', [100], 100)).toEqual({ sizes: [128], iterations: [100], auto: false });
  });
  it('counts the time left by each scale\'s pixels: a step at twice the size costs 4×', () => {
    const scales = [{ width: 128, height: 96, steps: 100 }, { width: 256, height: 192, steps: 60 }, { width: 512, height: 384, steps: 30 }];
    // 40 steps left at 128 px, then 60 at 4× and 30 at 16× the cost
    expect(secondsLeft({ step: 60, secondsPerStep: 0.1, scale: { index: 0 }, scales })).toBeCloseTo((40 + 240 + 480) * 0.1, 9);
    expect(secondsLeft({ step: 150, secondsPerStep: 0.4, scale: { index: 1 }, scales })).toBeCloseTo((10 + 120) * 0.4, 9);
    expect(secondsLeft({ step: 190, secondsPerStep: 1.6, scale: { index: 2 }, scales })).toBe(0);
  });
  it('anchors the finer scales to the coarse result more as they grow in number: the photo gets 0.5 in all after the first', () => {
    expect([0, 1, 2, 3, 4, 7].map((n) => defaultCoarseAnchor(n).toFixed(3))).toEqual(['0.500', '0.500', '0.500', '0.750', '0.833', '0.917']);
    for (let n = 2; n <= 7; n++) expect((n - 1) * (1 - defaultCoarseAnchor(n))).toBeCloseTo(0.5, 12);
  });
  it('lets the user win: --scales K, one --iters for every scale, a list that says how many scales', () => {
    expect(resolveSchedule(512, 'squeezenet', 1, undefined, 100)).toEqual({ sizes: [512], iterations: [100], auto: false });
    expect(resolveSchedule(512, 'squeezenet', 2, [40], 100)).toEqual({ sizes: [256, 512], iterations: [40, 40], auto: false });
    expect(resolveSchedule(512, 'vgg19', 'auto', [50, 20], 200)).toEqual({ sizes: [256, 512], iterations: [50, 20], auto: false });
    expect(() => resolveSchedule(512, 'vgg19', 2, [50, 20, 10], 200)).toThrow(/^3 step counts for 2 scales: give one number, or one per scale/);
  });
  it('bilinear resize keeps constants constant and interpolates between pixels', () => {
    const c = resizeBilinear(blank(3, 5, 77), 7, 4);
    expect([c.width, c.height]).toEqual([7, 4]);
    expect(c.data.every((v) => v === 77)).toBe(true);
    const two: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 255, 200, 100, 40, 255]) };
    const r = resizeBilinear(two, 4, 1);
    // centres at x = 0.5/4·2 − 0.5 … : weights 0, 0.25, 0.75, 1
    expect([...r.data.filter((_, i) => i % 4 === 0)]).toEqual([0, 50, 150, 200]);
  });
  it('mixes the photo with the coarser result for the finer scales\' content targets', () => {
    const a: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([0, 100, 200, 255, 10, 20, 30, 255]) };
    const b: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([100, 0, 201, 255, 10, 220, 31, 255]) };
    expect([...mixImages(a, b, 0.5).data]).toEqual([50, 50, 201, 255, 10, 120, 31, 255]); // 200.5 and 30.5 round up
    expect([...mixImages(a, b, 0).data]).toEqual([...a.data]);
    expect([...mixImages(a, b, 1).data]).toEqual([...b.data]);
    expect(() => mixImages(a, blank(3, 1, 0), 0.5)).toThrow(/2×1 and 3×1/);
  });
});

describe('job arguments', () => {
  const parse = (extra: string[]) => parseJob(new Args(['--content', 'a.png', '--style', 'b.png', ...extra], JOB_FLAGS), 'stylize');
  it('takes one iteration count for every scale or one per scale', () => {
    expect(parse(['--scales', '3', '--iters', '50']).config).toMatchObject({ scales: 3, scaleIterations: [50] });
    expect(parse(['--scales', '3', '--iters', '200,100,50']).config.scaleIterations).toEqual([200, 100, 50]);
    expect(parse([]).config).toMatchObject({ scales: 'auto', scaleIterations: undefined });
    expect(parse(['--size', 'full']).config.size).toBe('full');
    expect(parse(['--coarse-anchor', '0']).config.coarseAnchor).toBe(0);
    expect(() => parse(['--coarse-anchor', '1.5'])).toThrow(/^--coarse-anchor must be a number in \[0, 1\], got "1.5"$/);
  });
  it('refuses bad --size, --scales and --iters in one line each', () => {
    expect(() => parse(['--scales', '0'])).toThrow(/^--scales must be an integer in \[1, 8\] or auto, got "0"$/);
    expect(() => parse(['--scales', '2', '--iters', '100,60,30'])).toThrow(/^--iters has 3 entries for --scales 2: give one number, or one per scale/);
    expect(() => parse(['--iters', '1,1,1,1,1,1,1,1,1'])).toThrow(/^--iters has 9 entries; at most 8 scales$/);
    expect(() => parse(['--size', 'fulll'])).toThrow(/^--size must be an integer in \[16, 8192\] or full, got "fulll"$/);
    expect(() => parse(['--size', '20000'])).toThrow(/^--size must be an integer in \[16, 8192\] or full/);
  });
  it('--original-colors alone keeps the luminance transfer; with histogram, colour matching; nothing else', () => {
    expect(parse(['--original-colors']).config.options.originalColors).toBe('luminance');
    expect(parse(['--original-colors', '--size', '64']).config.options.originalColors).toBe('luminance');
    expect(parse(['--original-colors', 'histogram']).config.options.originalColors).toBe('histogram');
    expect(parse(['--original-colors=luminance']).config.options.originalColors).toBe('luminance');
    expect(parse([]).config.options.originalColors).toBeUndefined();
    expect(() => parse(['--original-colors', 'sepia'])).toThrow(/^--original-colors must be one of luminance, histogram \(alone: luminance\), got "sepia"$/);
    expect(resolveOptions({ originalColors: true }).originalColors).toBe('luminance');
    expect(() => resolveOptions({ originalColors: 'grey' as never })).toThrow(/originalColors must be false, true, luminance or histogram, got grey/);
  });
  it('--style-masks: one per style image, files kept with their styles; not with blends or tiles', () => {
    const two = ['--style', 'b.png,c.png'];
    expect(parse([...two, '--style-masks', 'm1.png,m2.png']).styles).toEqual([{ path: 'b.png', blend: 1, mask: 'm1.png' }, { path: 'c.png', blend: 1, mask: 'm2.png' }]);
    expect(parse(two).styles.every((s) => s.mask === undefined)).toBe(true);
    expect(() => parse([...two, '--style-masks', 'm1.png'])).toThrow(/^--style-masks needs one mask per --style image \(2\), got 1$/);
    expect(() => parse([...two, '--style-masks', 'm1.png,m2.png', '--style-blend', '0.5,0.5'])).toThrow(/--style-blend does not apply with --style-masks/);
    expect(() => parse(['--style-masks', 'm1.png', '--tile', '64', '--network', 'vgg19'])).toThrow(/--style-masks runs untiled: leave out --tile/);
  });
});
