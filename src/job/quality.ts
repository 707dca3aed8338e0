/**
 * Two network-independent numbers for how much a result looks like a picture rather than noise,
 * used to judge the offline default network (npm run quality, the reconstruction tools):
 *  - SSIM of luminance (Wang et al. 2004): 11×11 Gaussian window (σ 1.5), C1 = (0.01)², C2 = (0.03)²
 *    on luminance in [0, 1], averaged over the valid windows. 1 for identical images, ~0 for
 *    unrelated ones.
 *  - high-frequency ratio: mean |4-neighbour Laplacian| of the result's luminance over the
 *    reference's. 1 when the fine detail matches; > 1 when the result carries extra noise.
 * Luminance is Y = 0.299 R + 0.587 G + 0.114 B (BT.601), alpha ignored.
 */
import { luminance, type RgbaImage } from '../io/rgba_image.js';

export { luminance };

function gaussianWindow(radius: number, sigma: number): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return k.map((v) => v / sum);
}

/** Separable 'valid' filtering of a w×h plane with kernel k (both directions). */
function blurValid(a: Float64Array, w: number, h: number, k: Float64Array): { data: Float64Array; w: number; h: number } {
  const r = (k.length - 1) / 2, ow = w - 2 * r, oh = h - 2 * r;
  const rows = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < ow; x++) {
    let s = 0;
    for (let i = 0; i < k.length; i++) s += k[i] * a[y * w + x + i];
    rows[y * ow + x] = s;
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
    let s = 0;
    for (let i = 0; i < k.length; i++) s += k[i] * rows[(y + i) * ow + x];
    out[y * ow + x] = s;
  }
  return { data: out, w: ow, h: oh };
}

/** Mean SSIM of the two images' luminance (same size, at least 11×11). */
export function ssimLuminance(a: RgbaImage, b: RgbaImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`SSIM needs images of one size, got ${a.width}×${a.height} and ${b.width}×${b.height}`);
  if (a.width < 11 || a.height < 11) throw new Error(`SSIM needs at least 11×11 pixels, got ${a.width}×${a.height}`);
  const ya = luminance(a), yb = luminance(b);
  const k = gaussianWindow(5, 1.5);
  const blur = (p: Float64Array) => blurValid(p, a.width, a.height, k).data;
  const ma = blur(ya), mb = blur(yb);
  const saa = blur(ya.map((v) => v * v)), sbb = blur(yb.map((v) => v * v)), sab = blur(ya.map((v, i) => v * yb[i]));
  const c1 = 0.01 ** 2, c2 = 0.03 ** 2;
  let sum = 0;
  for (let i = 0; i < ma.length; i++) {
    const va = saa[i] - ma[i] * ma[i], vb = sbb[i] - mb[i] * mb[i], cov = sab[i] - ma[i] * mb[i];
    sum += ((2 * ma[i] * mb[i] + c1) * (2 * cov + c2)) / ((ma[i] * ma[i] + mb[i] * mb[i] + c1) * (va + vb + c2));
  }
  return sum / ma.length;
}

/** Mean |4-neighbour Laplacian| of the luminance over the interior pixels. */
export function highFrequency(img: RgbaImage): number {
  const y = luminance(img), w = img.width, h = img.height;
  if (w < 3 || h < 3) throw new Error(`the high-frequency measure needs at least 3×3 pixels, got ${w}×${h}`);
  let sum = 0;
  for (let r = 1; r < h - 1; r++) for (let c = 1; c < w - 1; c++) {
    const i = r * w + c;
    sum += Math.abs(4 * y[i] - y[i - 1] - y[i + 1] - y[i - w] - y[i + w]);
  }
  return sum / ((w - 2) * (h - 2));
}

/** highFrequency(result) / highFrequency(reference): > 1 means more fine detail (noise) than the reference. */
export function highFrequencyRatio(result: RgbaImage, reference: RgbaImage): number {
  return highFrequency(result) / Math.max(highFrequency(reference), 1e-12);
}
