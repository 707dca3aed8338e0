/** The quality numbers (SSIM of luminance, high-frequency ratio): known cases, and agreement with an independent PyTorch version. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { highFrequency, highFrequencyRatio, ssimLuminance } from '../src/job/quality.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { rng } from './util.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-quality-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const photo: RgbaImage = (() => {
  const p = PNG.sync.read(readFileSync('examples/chelsea.png'));
  return { width: p.width, height: p.height, data: new Uint8Array(p.data) };
})();
const noise = (seed: number): RgbaImage => {
  const r = rng(seed);
  return { ...photo, data: Uint8Array.from(photo.data, (_, i) => (i % 4 === 3 ? 255 : Math.floor(r() * 256))) };
};
/** 3×3 box blur of each channel. */
const blurred = (img: RgbaImage): RgbaImage => {
  const out = new Uint8Array(img.data);
  for (let y = 1; y < img.height - 1; y++) for (let x = 1; x < img.width - 1; x++) for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += img.data[4 * ((y + dy) * img.width + x + dx) + c];
    out[4 * (y * img.width + x) + c] = Math.round(s / 9);
  }
  return { ...img, data: out };
};

describe('quality measures', () => {
  it('SSIM of an image with itself is 1; of noise with a photo near 0; a blur lies between', () => {
    expect(ssimLuminance(photo, photo)).toBeCloseTo(1, 12);
    expect(Math.abs(ssimLuminance(noise(1), photo))).toBeLessThan(0.05);
    const b = ssimLuminance(blurred(photo), photo);
    expect(b).toBeGreaterThan(0.5);
    expect(b).toBeLessThan(0.99);
  });
  it('the high-frequency ratio of an image with itself is 1; noise has far more, a blur less', () => {
    expect(highFrequencyRatio(photo, photo)).toBe(1);
    expect(highFrequencyRatio(noise(2), photo)).toBeGreaterThan(3);
    expect(highFrequencyRatio(blurred(photo), photo)).toBeLessThan(0.8);
  });
  it('rejects sizes it cannot measure', () => {
    expect(() => ssimLuminance(photo, { width: 10, height: 10, data: new Uint8Array(400) })).toThrow(/one size/);
    expect(() => highFrequency({ width: 2, height: 2, data: new Uint8Array(16) })).toThrow(/at least 3×3/);
  });
  it('agrees with the PyTorch version in tools/random_vgg_lab.py to 1e-9', () => {
    const write = (img: RgbaImage, name: string) => {
      const p = new PNG({ width: img.width, height: img.height });
      p.data = Buffer.from(img.data);
      writeFileSync(join(dir, name), PNG.sync.write(p));
    };
    write(photo, 'a.png');
    write(blurred(photo), 'b.png');
    const code = `
import sys, json; sys.path.insert(0, 'tools')
import torch; torch.set_default_dtype(torch.float64)
from PIL import Image
import random_vgg_lab as lab
def load(p):
    im = Image.open(p).convert('RGB')
    return torch.tensor(list(im.getdata()), dtype=torch.float64).view(im.size[1], im.size[0], 3).permute(2, 0, 1)[None] / 255
a, b = load(sys.argv[1]), load(sys.argv[2])
print(json.dumps([lab.ssim(b, a), lab.hf(b) / lab.hf(a)]))`;
    const r = spawnSync('/usr/bin/python3', ['-c', code, join(dir, 'a.png'), join(dir, 'b.png')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const [ssim, hf] = JSON.parse(r.stdout);
    expect(Math.abs(ssimLuminance(blurred(photo), photo) - ssim)).toBeLessThan(1e-9);
    expect(Math.abs(highFrequencyRatio(blurred(photo), photo) - hf)).toBeLessThan(1e-9);
  });
});
