/**
 * Where the CLI runs the engine (--adapter, tools/lib/dawn_adapters.ts): lavapipe through Dawn in
 * Node when setup has unpacked it, SwiftShader in headless Chromium otherwise, the same numbers on
 * both, and clear errors. The lavapipe cases need tools/setup.sh to have run (as CI does); without
 * it they are skipped with the reason in their name.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lavapipeIcds } from '../tools/lib/dawn_adapters.js';
import { tool } from './harness/cli_tool.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-adapters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasLavapipe = lavapipeIcds().some((f) => existsSync(f));
const JOB = ['--content', 'examples/chelsea.png', '--style', 'examples/starry_night.jpg', '--size', '40'];
/** Neither a GPU (no Vulkan driver file) nor lavapipe: what a machine without them sees. */
const NOTHING = { VK_ICD_FILENAMES: join(dir, 'no-such-icd.json'), NST_LAVAPIPE_ICD: 'none' };

describe('--adapter', () => {
  it.each([
    ['an unknown --adapter', ['--adapter', 'metal'], {}, /--adapter must be one of auto, gpu, lavapipe, swiftshader, got "metal"/],
    ['an unknown $NST_ADAPTER', [], { NST_ADAPTER: 'cuda' }, /\$NST_ADAPTER must be one of auto, gpu, lavapipe, swiftshader, got "cuda"/],
    ['--adapter lavapipe where there is none', ['--adapter', 'lavapipe'], NOTHING, /--adapter lavapipe: no lavapipe that Dawn accepts \(Mesa 25 or later\) was found; bash tools\/setup\.sh/],
    ['--adapter gpu where there is none', ['--adapter', 'gpu'], NOTHING, /--adapter gpu: Dawn found no GPU/],
  ])('refuses %s, before any work', async (_what, flags, env, message) => {
    const out = join(dir, 'refused.png');
    const r = await tool('tools/stylize.ts', [...JOB, '--out', out, ...flags], env);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('with neither a GPU nor lavapipe, auto runs on SwiftShader in headless Chromium and says so in one line', async () => {
    const r = await tool('tools/stylize.ts', [...JOB, '--iters', '2', '--out', join(dir, 'fallback.png')], NOTHING);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^note: no GPU and no lavapipe found \(bash tools\/setup\.sh installs lavapipe where it can\): running on SwiftShader in headless Chromium/m);
    expect(r.err).toMatch(/^adapter: google \/ swiftshader/m);
  });

  it.skipIf(!hasLavapipe)(`auto picks lavapipe when setup has unpacked it${hasLavapipe ? '' : ' (skipped: no lavapipe here; run bash tools/setup.sh)'}`, async () => {
    const r = await tool('tools/stylize.ts', [...JOB, '--iters', '2', '--out', join(dir, 'auto.png')], { NST_ADAPTER: '' });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^adapter: mesa .*llvmpipe: Mesa (2[5-9]|[3-9]\d)\./m);
    expect(r.err).not.toMatch(/note: no GPU/);
  });

  it.skipIf(!hasLavapipe)('lavapipe and SwiftShader give the same losses and image gradient (same kernels, float32)', async () => {
    const run = async (adapter: string) => {
      const prefix = join(dir, `grad-${adapter}`);
      const r = await tool('tools/gradient.ts', [...JOB, '--init', 'noise', '--adapter', adapter, '--out-prefix', prefix]);
      expect(r.code, r.err).toBe(0);
      const head = JSON.parse(readFileSync(`${prefix}.json`, 'utf8'));
      return { losses: head.losses, grad: new Float32Array(readFileSync(`${prefix}.grad.f32`).buffer.slice(0)), err: r.err };
    };
    const lvp = await run('lavapipe');
    const ss = await run('swiftshader');
    expect(lvp.err).toMatch(/^adapter: mesa .*llvmpipe/m);
    expect(ss.err).toMatch(/^adapter: google \/ swiftshader/m);
    for (const part of ['content', 'style'] as const) {
      for (const k of Object.keys(ss.losses[part])) {
        // float32 sums in different orders (workgroup sizes, SIMD lanes): 1e-4 relative is ample
        expect(Math.abs(lvp.losses[part][k] - ss.losses[part][k]) / Math.abs(ss.losses[part][k]), `${part} ${k}`).toBeLessThan(1e-4);
      }
    }
    expect(lvp.grad.length).toBe(ss.grad.length);
    let max = 0, diff = 0;
    for (let i = 0; i < ss.grad.length; i++) {
      max = Math.max(max, Math.abs(ss.grad[i]));
      diff = Math.max(diff, Math.abs(lvp.grad[i] - ss.grad[i]));
    }
    expect(diff / max).toBeLessThan(1e-3);
  });
});
