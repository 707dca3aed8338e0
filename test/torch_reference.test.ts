/**
 * The engine's Gatys loss terms and image gradient against PyTorch (Debian's torch, CPU,
 * float64) computing the same loss on the same weights (our raw file, seeded random VGG19) and
 * the same inputs. Runs the real CLI (`tools/gradient.ts`) and `tools/torch_reference.py`.
 * Tolerance 1e-3 relative (the bar): the GPU computes in float32 through 13 layers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeRandomWeights } from '../tools/make_random_weights.js';
import { expectClose } from './util.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-torch-'));
const weights = join(dir, 'vgg.json');
writeRandomWeights(weights, 3, 'conv5_1');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const CASES: [string, string[]][] = [
  ['max pooling, noise init, default layers, 32px', ['--size', '32', '--init', 'noise', '--seed', '5']],
  [
    'avg pooling, style init, two blended styles, custom layers and weights, 48px',
    [
      '--size', '48', '--init', 'style', '--pooling', 'avg',
      '--style', 'examples/hubble_deep_field.jpg,examples/rocket.jpg', '--style-blend', '0.7,0.3', '--style-scale', '0.75',
      '--content-layers', 'conv2_2:0.5,conv4_2', '--style-layers', 'conv1_1:2,conv3_1,conv5_1:0.5',
      '--content-weight', '3', '--style-weight', '500', '--tv-weight', '10',
    ],
  ],
];

describe('agreement with PyTorch', () => {
  it.each(CASES)('%s', (_name, extra) => {
    const prefix = join(dir, `case${CASES.findIndex((c) => c[0] === _name)}`);
    const args = ['tsx', 'tools/gradient.ts', '--content', 'examples/chelsea.png', '--style', 'examples/hubble_deep_field.jpg', '--weights', weights, '--out-prefix', prefix];
    // later flags win: the case's --style replaces the default
    run('npx', [...args, ...extra]);
    run('/usr/bin/python3', ['tools/torch_reference.py', prefix, weights]);
    const ours = JSON.parse(readFileSync(`${prefix}.json`, 'utf8')).losses;
    const theirs = JSON.parse(readFileSync(`${prefix}.torch.json`, 'utf8'));
    for (const part of ['content', 'style'] as const) {
      expect(Object.keys(ours[part]).sort()).toEqual(Object.keys(theirs[part]).sort());
      for (const k of Object.keys(theirs[part])) expectClose(`torch ${_name}: ${part} ${k}`, [ours[part][k]], [theirs[part][k]], 1e-3);
    }
    for (const k of ['tv', 'contentTotal', 'styleTotal', 'total']) expectClose(`torch ${_name}: ${k}`, [ours[k]], [theirs[k]], 1e-3);
    const g = new Float32Array(readFileSync(`${prefix}.grad.f32`).buffer.slice(0));
    const gt = new Float32Array(readFileSync(`${prefix}.torch.grad.f32`).buffer.slice(0));
    expect(g.length).toBe(gt.length);
    expectClose(`torch ${_name}: image gradient`, g, gt, 1e-3);
  });
});
