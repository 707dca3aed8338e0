/**
 * Our own image resizing (src/io/resample.ts), which every browser and the CLI use so that the
 * network gets the same pixels everywhere: against PyTorch's antialiased bilinear resize
 * (F.interpolate(mode='bilinear', antialias=True), the same tent filter as Pillow's), on awkward
 * sizes, shrinking, enlarging and both at once. Tolerance: 1/255 on a few pixels (our result is
 * rounded from float32 sums, torch's from its own order of summation), 0 on almost all.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resizeImage } from '../src/io/resample.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { python } from './harness/python.js';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

function randomImage(width: number, height: number, seed: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = i % 4 === 3 ? 255 : (s >>> 16) & 255;
  }
  return { width, height, data };
}

const TORCH = `
import json, sys, torch, torch.nn.functional as F
q = json.load(sys.stdin)
x = torch.tensor(q['data'], dtype=torch.float32).reshape(q['h'], q['w'], 4)[:, :, :3].permute(2, 0, 1)[None]
y = F.interpolate(x, size=(q['oh'], q['ow']), mode='bilinear', antialias=True, align_corners=False)
print(json.dumps(y[0].permute(1, 2, 0).reshape(-1).tolist()))
`;

describe('resizing with our own arithmetic', () => {
  it('keeps a constant image constant at any size, copies at its own size, and refuses a bad size', () => {
    const flat: RgbaImage = { width: 7, height: 3, data: new Uint8Array(7 * 3 * 4).map((_, i) => (i % 4 === 3 ? 255 : 77)) };
    for (const [w, h] of [[1, 1], [3, 2], [7, 3], [20, 9], [5, 40]]) {
      const r = resizeImage(flat, w, h);
      expect([r.width, r.height]).toEqual([w, h]);
      expect([...r.data].filter((_, i) => i % 4 !== 3).every((v) => v === 77)).toBe(true);
      expect([...r.data].filter((_, i) => i % 4 === 3).every((v) => v === 255)).toBe(true);
    }
    const img = randomImage(5, 4, 3);
    expect(resizeImage(img, 5, 4).data).toEqual(img.data);
    expect(() => resizeImage(img, 0, 4)).toThrow(/invalid size 0×4/);
  });

  it.skipIf(!hasTorch)(`agrees with PyTorch's antialiased bilinear resize${hasTorch ? '' : ' (skipped: no Debian torch)'}`, async () => {
    const img = randomImage(37, 23, 7);
    for (const [ow, oh] of [[10, 6], [16, 9], [80, 50], [37, 11], [5, 60], [1, 1]]) {
      const ours = resizeImage(img, ow, oh);
      const theirs = JSON.parse(await python(TORCH, { data: [...img.data], w: img.width, h: img.height, ow, oh })) as number[];
      let worst = 0, off = 0;
      for (let p = 0; p < ow * oh; p++) {
        for (let c = 0; c < 3; c++) {
          const d = Math.abs(ours.data[4 * p + c] - Math.min(255, Math.max(0, Math.round(theirs[3 * p + c]))));
          worst = Math.max(worst, d);
          if (d) off++;
        }
      }
      expect(worst, `${ow}×${oh}`).toBeLessThanOrEqual(1);
      expect(off / (ow * oh * 3), `${ow}×${oh}`).toBeLessThan(0.02);
    }
  }, 120_000);
});
