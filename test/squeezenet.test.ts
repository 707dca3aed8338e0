/**
 * SqueezeNet 1.1 as the feature network, on the GPU (seeded random weights, synthetic images):
 * the optimisation works, memory stays flat, every conv version the planner may pick (Winograd
 * and split-K on GPU adapters, writing through the Fire modules' channel views) gives the same
 * losses and gradient as the software path, and bad settings fail clearly. Agreement with
 * torchvision's squeezenet1_1 is in torch_reference.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { flopsUpTo, SQUEEZENET, VGG19 } from '../src/model/networks.js';
import { minImageSide, resolveOptions } from '../src/nst/options.js';
import { engineTestPage } from './harness/engine_test_page.js';
import type { EngineTestApi } from './harness/nst_entry.js';

const { page, run, memory } = engineTestPage();
const engine = () => (globalThis as unknown as { engine: EngineTestApi }).engine;
const SQ = { network: 'squeezenet' as const };

describe('SqueezeNet 1.1', () => {
  it('Adam decreases the total loss with the default layers (45×37: ceil-mode pools clip windows)', async () => {
    const r = await run({ width: 45, height: 37, steps: 6, options: { ...SQ, init: 'noise', lr: 0.05 }, everyStep: true });
    expect(r.totals.length).toBe(7);
    expect(r.totals.every(Number.isFinite)).toBe(true);
    expect(r.totals[6]).toBeLessThan(r.totals[0] * 0.95);
    expect(r.pixelsLength).toBe(45 * 37 * 4);
  });

  it('memory stays flat over many steps and is all returned after dispose', async () => {
    const base = await memory();
    const r = await run({ width: 29, height: 23, steps: 150, options: { ...SQ, init: 'content' } });
    expect(r.afterSteps.liveBuffers).toBe(r.afterSetup.liveBuffers);
    expect(r.afterSteps.liveBytes).toBe(r.afterSetup.liveBytes);
    expect(r.afterSteps.inUseBuffers).toBe(r.afterSetup.inUseBuffers);
    expect((await memory()).inUseBuffers).toBe(base.inUseBuffers);
  });

  it('the GPU kernel choices give the same losses and gradient as the software ones, through every layer', async () => {
    // 97×83, all layers to fire9: conv1 48×41, fire2/3 24×20, fire4/5 12×10, fire6–9 6×5; the
    // GPU path runs Winograd on the expand3x3 convs with enough tiles and splits the deep 1×1s
    const options = { ...SQ, init: 'noise' as const, contentLayers: [{ name: 'fire9', weight: 1 }], styleLayers: ['conv1', 'fire2', 'fire4', 'fire6', 'fire8'].map((name) => ({ name, weight: 1000 })) };
    const [soft, gpu] = (await page().evaluate((x) => (globalThis as unknown as { engine: EngineTestApi }).engine.adapterPaths(x), { width: 97, height: 83, steps: 0, options })) as {
      total: number;
      terms: number[];
      grad: number[];
    }[];
    const rel = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / Math.max(...b.map(Math.abs));
    // float32 sums in another order: 1e-4 of the largest magnitude
    expect(rel(gpu.terms, soft.terms)).toBeLessThan(1e-4);
    expect(rel(gpu.grad, soft.grad)).toBeLessThan(1e-4);
    expect(Math.max(...soft.grad.map(Math.abs))).toBeGreaterThan(0);
  });

  it('rejects what SqueezeNet cannot do, clearly', async () => {
    await expect(run({ width: 40, height: 40, steps: 1, options: { ...SQ, pooling: 'avg' } })).rejects.toThrow(/SqueezeNet pools with 3×3 max windows only/);
    await expect(run({ width: 40, height: 40, steps: 1, options: { ...SQ, contentLayers: [{ name: 'conv4_2', weight: 1 }] } })).rejects.toThrow(/unknown SqueezeNet 1.1 layer "conv4_2" \(known: conv1, fire2/);
    await expect(run({ width: 40, height: 40, steps: 1, options: { contentLayers: [{ name: 'fire2', weight: 1 }] } })).rejects.toThrow(/unknown VGG19 layer "fire2"/);
    // fire5 sits after two pools: 8 px gives conv1 3, pool 1, and no second pool; 9 is the least
    await expect(run({ width: 8, height: 40, steps: 1, options: SQ })).rejects.toThrow(/8×40 is too small; the chosen layers need at least 9×9/);
    await expect(run({ width: 40, height: 40, steps: 1, options: SQ, weightsNetwork: 'vgg19' })).rejects.toThrow(/are VGG19's, the options ask for SqueezeNet 1.1/);
    await expect(run({ width: 40, height: 40, steps: 1, options: {}, weightsNetwork: 'squeezenet' })).rejects.toThrow(/are SqueezeNet 1.1's, the options ask for VGG19/);
  });
});

describe('SqueezeNet 1.1 spec', () => {
  it('map sizes follow torchvision (conv1 floor, pools ceil), and the smallest sizes are exact', () => {
    // torchvision squeezenet1_1 on 45×37 (W×H): conv1 22×18, pool 11×9 (ceil), pool 5×4, pool 2×2
    expect(SQUEEZENET.mapSize('conv1', 37, 45)).toEqual([18, 22]);
    expect(SQUEEZENET.mapSize('fire2', 37, 45)).toEqual([9, 11]);
    expect(SQUEEZENET.mapSize('fire4', 37, 45)).toEqual([4, 5]);
    expect(SQUEEZENET.mapSize('fire9', 37, 45)).toEqual([2, 2]);
    expect(SQUEEZENET.mapSize('fire9', 224, 224)).toEqual([13, 13]);
    // the least sides torchvision's squeezenet1_1 runs at (measured with torch 1.13)
    for (const [layer, side] of [['conv1', 3], ['fire2', 5], ['fire5', 9], ['fire9', 17]] as const) {
      expect(minImageSide(layer, 'squeezenet')).toBe(side);
      expect(() => SQUEEZENET.mapSize(layer, side - 1, side)).toThrow(/too small for SqueezeNet/);
    }
  });

  it('arithmetic per 224² forward: ~0.35 GFLOP for SqueezeNet 1.1 (published), VGG19 ~40× more to conv5_1', () => {
    const sq = flopsUpTo(SQUEEZENET, 'fire9', 224, 224);
    // torchvision lists 0.35 GFLOPS (multiply-adds) for squeezenet1_1 including the classifier conv
    // (1000×512 at 13², 0.087 G): the features alone are ~0.26 G multiply-adds
    expect(sq / 2).toBeGreaterThan(0.25e9);
    expect(sq / 2).toBeLessThan(0.27e9);
    const vgg = flopsUpTo(VGG19, 'conv5_1', 224, 224);
    expect(vgg / sq).toBeGreaterThan(30);
  });

  it('options: the network decides the defaults, and names are checked against it', () => {
    const o = resolveOptions({ network: 'squeezenet' });
    expect(o.contentLayers.map((l) => l.name)).toEqual(['fire2']);
    expect(o.styleLayers.map((l) => `${l.name}:${l.weight}`)).toEqual(['conv1:20', 'fire2:2', 'fire3:1', 'fire4:0.5', 'fire5:1']);
    expect(resolveOptions({}).contentLayers.map((l) => l.name)).toEqual(['conv4_2']);
    expect(() => resolveOptions({ network: 'resnet' as 'vgg19' })).toThrow(/network must be vgg19 or squeezenet, got resnet/);
  });
});

void engine;
