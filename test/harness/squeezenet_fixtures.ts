/**
 * Seeded random-init SqueezeNet 1.1 weight files (torchvision's squeezenet1_1 state dict as legacy
 * and zip torch.save files and as safetensors, our names, a DataParallel "module." prefix) and a
 * small VGG19 file, written by torch (test/harness/make_squeezenet_fixtures.py, ~2 s, 25 MB) into
 * test-artifacts once and reused; with every tensor's exact values.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SQUEEZENET_FIXTURE_DIR = join('test-artifacts', 'squeezenet-fixtures-seed1-v1');
export const SQUEEZENET_FIXTURES = {
  legacy: 'squeezenet-legacy.pth',
  zip: 'squeezenet-zip.pth',
  safetensors: 'squeezenet.safetensors',
  ours: 'squeezenet-ours.safetensors',
  module: 'squeezenet-module.pth',
} as const;
/** A small VGG19 state dict (conv1_1, conv1_2, conv2_1), for the wrong-network errors. */
export const VGG19_SMALL_FIXTURE = 'vgg19-first3.pth';

export interface SqueezenetExpected {
  /** torchvision's keys, in state-dict order (classifier.1.* last). */
  keys: string[];
  /** The values torch holds for a torchvision key. */
  tensor(key: string): Float32Array;
  shape(key: string): number[];
}

export function makeSqueezenetFixtures(): SqueezenetExpected {
  const index = join(SQUEEZENET_FIXTURE_DIR, 'expected.json');
  if (!existsSync(index)) {
    const r = spawnSync('/usr/bin/python3', ['test/harness/make_squeezenet_fixtures.py', '1', SQUEEZENET_FIXTURE_DIR], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`make_squeezenet_fixtures.py failed: ${r.stderr}`);
  }
  const at: Record<string, [number, number, number[]]> = JSON.parse(readFileSync(index, 'utf8'));
  const raw = readFileSync(join(SQUEEZENET_FIXTURE_DIR, 'expected.f32'));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  return {
    keys: Object.keys(at),
    tensor: (key) => {
      if (!at[key]) throw new Error(`no fixture tensor ${key}`);
      return all.slice(at[key][0], at[key][0] + at[key][1]);
    },
    shape: (key) => at[key][2],
  };
}
