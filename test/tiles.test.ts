/** Tile layouts and memory budgets for exact tiled evaluation (no GPU needed). */
import { describe, expect, it } from 'vitest';
import { Planner } from '../src/kernels/plan.js';
import { resolveOptions } from '../src/nst/options.js';
import { estimateRunBytes, parseBytes, tileForBudget } from '../src/nst/tile_budget.js';
import { layerScale } from '../src/model/vgg19_spec.js';
import { tiledBufferProblem } from '../src/nst/device_limits.js';
import type { KernelLibrary } from '../src/kernels/library.js';
import { ownedAt, planTiles, receptiveRadius, tileAxis } from '../src/nst/tiles.js';

describe('tile layout', () => {
  it('receptive radius beyond a feature block: conv3_1 10, conv4_2 38, conv5_1 70 px', () => {
    expect([receptiveRadius('conv1_1'), receptiveRadius('conv3_1'), receptiveRadius('conv4_2'), receptiveRadius('conv5_1')]).toEqual([1, 10, 38, 70]);
    expect([layerScale('conv1_2'), layerScale('conv2_1'), layerScale('conv5_1')]).toEqual([1, 2, 16]);
  });

  // every pixel owned once; windows inside the image, aligned, all one size; every window edge
  // inside the image at least `halo` from what the window owns
  it.each([
    [96, 80, 16, 'conv3_1'],
    [97, 83, 32, 'conv3_1'],
    [1000, 731, 64, 'conv5_1'],
    [4096, 3000, 512, 'conv5_1'],
    [200, 17, 16, 'conv5_1'],
    [64, 64, 256, 'conv4_2'],
  ] as const)('%i×%i, %i-px tiles to %s', (H, W, tile, deepest) => {
    const l = planTiles(H, W, tile, deepest);
    expect(l.halo % l.align).toBe(0);
    expect(l.halo).toBeGreaterThanOrEqual(receptiveRadius(deepest));
    const owner = new Uint8Array(H * W);
    for (const t of l.tiles) {
      expect(t.y0 % l.align).toBe(0);
      expect(t.x0 % l.align).toBe(0);
      expect(t.y0 + l.windowH).toBeLessThanOrEqual(H);
      expect(t.x0 + l.windowW).toBeLessThanOrEqual(W);
      const o = t.owned;
      if (t.y0 > 0) expect(o.y0 - t.y0).toBeGreaterThanOrEqual(l.halo);
      if (t.x0 > 0) expect(o.x0 - t.x0).toBeGreaterThanOrEqual(l.halo);
      if (t.y0 + l.windowH < H) expect(t.y0 + l.windowH - o.y1).toBeGreaterThanOrEqual(l.halo);
      if (t.x0 + l.windowW < W) expect(t.x0 + l.windowW - o.x1).toBeGreaterThanOrEqual(l.halo);
      for (let y = o.y0; y < o.y1; y++) for (let x = o.x0; x < o.x1; x++) owner[y * W + x]++;
      // owned boundaries inside the image fall on pooling blocks of the deepest layer
      for (const v of [o.y0, o.x0]) expect(v % l.align).toBe(0);
    }
    expect(owner.every((n) => n === 1)).toBe(true);
  });

  it('owned rectangles at a layer partition that layer too', () => {
    const [H, W] = [97, 83];
    const l = planTiles(H, W, 16, 'conv3_1');
    const s = layerScale('conv3_1');
    const [h, w] = [Math.floor(H / s), Math.floor(W / s)];
    const owner = new Uint8Array(h * w);
    for (const t of l.tiles) {
      const r = ownedAt(t, s, Math.floor(l.windowH / s), Math.floor(l.windowW / s));
      for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) owner[(t.y0 / s + y) * w + t.x0 / s + x]++;
    }
    expect(owner.every((n) => n === 1)).toBe(true);
  });

  it('a tile covering the image is one window; a tile that is not a multiple of the downsampling is refused', () => {
    expect(tileAxis(100, 64, 24, 8)).toEqual({ window: 100, starts: [0], owned: [[0, 100]] });
    expect(() => planTiles(100, 100, 24, 'conv5_1')).toThrow(/tile size 24 must be a positive multiple of 16 \(the downsampling of conv5_1\)/);
    expect(() => planTiles(100, 100, 0, 'conv3_1')).toThrow(/positive multiple of 4/);
  });
});

describe('memory budget', () => {
  const o = resolveOptions({});
  const planner = new Planner({ isSoftware: false });
  it('parses sizes and refuses nonsense', () => {
    expect(parseBytes('1GB')).toBe(1e9);
    expect(parseBytes('1.5 GiB')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('512mb')).toBe(512e6);
    expect(parseBytes('4096B')).toBe(4096);
    // a unit is required: "0.5" could mean 0.5 GB or half a byte
    for (const bad of ['0.5', '4096', '0MB', '-1GB', 'lots', '1 TB', '']) expect(() => parseBytes(bad)).toThrow(/--max-gpu-memory must be/);
  });
  it('tiles need less than the whole image, and smaller tiles less still', () => {
    const whole = estimateRunBytes(2048, 2048, o, 'conv5_1', planner).total;
    const big = estimateRunBytes(2048, 2048, o, 'conv5_1', planner, 512).total;
    const small = estimateRunBytes(2048, 2048, o, 'conv5_1', planner, 128).total;
    expect(big).toBeLessThan(whole / 3);
    expect(small).toBeLessThan(big);
  });
  it('picks the largest tile that fits, and names the smallest workable budget when asked for less', () => {
    const { tile, estimate } = tileForBudget(2048, 2048, o, 'conv5_1', planner, 1e9, 2 ** 30);
    expect(estimate.total).toBeLessThanOrEqual(1e9);
    expect(estimateRunBytes(2048, 2048, o, 'conv5_1', planner, tile + 16).total).toBeGreaterThan(1e9);
    expect(() => tileForBudget(2048, 2048, o, 'conv5_1', planner, 50e6, 2 ** 30)).toThrow(
      /a GPU memory budget of 47\.7 MiB is too small for 2048×2048: the smallest tiles \(16 px\) need about [\d.]+ MiB .*raise the budget to at least [\d.]+ MiB \(\d+ MB\)/,
    );
  });
});

describe('what a tiled run keeps at full size', () => {
  const planner = new Planner({ isSoftware: false });
  it('the content targets are held in host memory: the estimate counts them untiled only', () => {
    const content = resolveOptions({ contentLayers: [{ name: 'conv2_2', weight: 1 }] });
    const none = resolveOptions({ contentLayers: [] });
    const target = 128 * 1024 * 1024 * 4; // conv2_2 of 2048²
    const tiled = (o: typeof content) => estimateRunBytes(2048, 2048, o, 'conv5_1', planner, 256).resident;
    const untiled = (o: typeof content) => estimateRunBytes(2048, 2048, o, 'conv5_1', planner).resident;
    expect(untiled(content) - untiled(none)).toBe(target);
    expect(tiled(content)).toBe(tiled(none));
  });
  it('only the image-size buffers must fit one binding', () => {
    const lib = (max: number) => ({ ctx: { limits: { maxStorageBufferBindingSize: max } } }) as unknown as KernelLibrary;
    // lavapipe's 128 MiB: 3×3344² floats fit, 3×3345² do not
    expect(tiledBufferProblem(lib(2 ** 27), 3344, 3344)).toBeNull();
    expect(tiledBufferProblem(lib(2 ** 27), 3345, 3345)).toBe("3345×3345: the image alone (134268300 bytes) is larger than this GPU's largest buffer (134217728 bytes); choose a smaller size");
    expect(tiledBufferProblem(lib(2 ** 30), 8192, 8192)).toBeNull();
  });
});

describe('lean weights where memory limits a run', () => {
  const o = resolveOptions({});
  const LAVAPIPE = { isSoftware: true, description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' };
  const big = { R: 512, N: 512, K: 3, H: 64, W: 64 };
  it('a lean planner runs F(2×2) Winograd where F(4×4) would run, also over a tuned choice; a forced version stays', () => {
    const p = new Planner(LAVAPIPE);
    expect(p.plan('conv_forward', big).version).toBe('v6_winograd4');
    const lean = p.with({ lean: true });
    expect(lean.plan('conv_forward', big).version).toBe('v5_winograd');
    expect(p.plan('conv_forward', big).version).toBe('v6_winograd4'); // p is unchanged
    const tuned = lean.with({ tuned: new Map([['conv_backward_input R512 N512 K3 H64 W64', { version: 'v6_winograd4', splits: 1 }]]) });
    expect(tuned.plan('conv_backward_input', big).version).toBe('v5_winograd');
    expect(tuned.with({ lean: false }).plan('conv_backward_input', big).version).toBe('v6_winograd4');
    expect(tuned.with({ force: { conv_forward: 'v6_winograd4' } }).plan('conv_forward', big).version).toBe('v6_winograd4');
  });
  it('lean weights are what make 512×341 fit 400 MB: the same tiles without them need more than the budget', () => {
    const p = new Planner(LAVAPIPE);
    const lean = tileForBudget(341, 512, o, 'conv5_1', p.with({ lean: true }), 400e6, 2 ** 27);
    expect(lean.estimate.total).toBeLessThanOrEqual(400e6);
    expect(estimateRunBytes(341, 512, o, 'conv5_1', p, lean.tile).total).toBeGreaterThan(400e6);
    // untiled, the fast forms cost more than the lean ones
    expect(estimateRunBytes(256, 256, o, 'conv5_1', p).total).toBeGreaterThan(estimateRunBytes(256, 256, o, 'conv5_1', p.with({ lean: true })).total);
  });
});
