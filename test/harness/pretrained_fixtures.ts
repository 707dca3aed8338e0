/**
 * Seeded random-init VGG19 in the three layouts of the real pretrained files (legacy .pth as
 * torchvision's, zip .pth, timm-named safetensors), written once by torch
 * (tools/make_pretrained_fixtures.py, ~11 s, 3 × 548 MB) into test-artifacts and reused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_DIR = join('test-artifacts', 'pretrained-fixtures-seed1');
export const FIXTURES = { legacy: 'vgg19-legacy.pth', zip: 'vgg19-zip.pth', safetensors: 'model.safetensors' } as const;

/** {features.N.weight: [sum, first, last]} for the fixtures' tensors. */
export function makePretrainedFixtures(): Record<string, [number, number, number]> {
  const expected = join(FIXTURE_DIR, 'expected.json');
  if (!existsSync(expected)) {
    const r = spawnSync('/usr/bin/python3', ['tools/make_pretrained_fixtures.py', '1', FIXTURE_DIR], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`make_pretrained_fixtures.py failed: ${r.stderr}`);
  }
  return JSON.parse(readFileSync(expected, 'utf8'));
}
