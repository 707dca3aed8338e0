/** CPU reference for image conversion: RGBA bytes to the network input and back, luminance-only colour transfer, and colour matching's moments and transform. Double precision, written for clarity. */

import type { InputConvention } from './image.js';

type Arr = ArrayLike<number>;

/** RGBA bytes (H·W·4) → 3×H×W network input. */
export function preprocessRef(rgba: Arr, H: number, W: number, c: InputConvention): Float64Array {
  const out = new Float64Array(3 * H * W);
  for (let p = 0; p < H * W; p++)
    for (let k = 0; k < 3; k++) {
      const src = c.channelOrder === 'BGR' ? 2 - k : k;
      const v = (rgba[p * 4 + src] / 255) * c.range;
      out[k * H * W + p] = (v - c.mean[k]) / c.std[k];
    }
  return out;
}

/** 3×H×W network image → RGBA bytes, clamped and rounded, alpha 255. */
export function postprocessRef(img: Arr, H: number, W: number, c: InputConvention): Uint8Array {
  const out = new Uint8Array(H * W * 4);
  for (let p = 0; p < H * W; p++) {
    for (let k = 0; k < 3; k++) {
      const v = (img[k * H * W + p] * c.std[k] + c.mean[k]) / c.range;
      const dst = c.channelOrder === 'BGR' ? 2 - k : k;
      out[p * 4 + dst] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** Luminance (Y of YIQ) from `stylized`, I and Q from `content`; RGBA bytes in and out, alpha 255. */
export function originalColorsRef(stylized: Arr, content: Arr, HW: number): Uint8Array {
  const out = new Uint8Array(HW * 4);
  for (let p = 0; p < HW; p++) {
    const [r, g, b] = [0, 1, 2].map((k) => stylized[p * 4 + k] / 255);
    const [cr, cg, cb] = [0, 1, 2].map((k) => content[p * 4 + k] / 255);
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    const i = 0.596 * cr - 0.274 * cg - 0.322 * cb;
    const q = 0.211 * cr - 0.523 * cg + 0.312 * cb;
    const rgb = [y + 0.956 * i + 0.621 * q, y - 0.272 * i - 0.647 * q, y - 1.106 * i + 1.703 * q];
    rgb.forEach((v, k) => (out[p * 4 + k] = Math.round(Math.min(1, Math.max(0, v)) * 255)));
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** The nine moment sums (x0, x1, x2, x0², x0x1, x0x2, x1², x1x2, x2²) over all n pixels of a 3×n image. */
export function colourMomentsRef(x: Arr, n: number): Float64Array {
  const q = new Float64Array(9);
  for (let p = 0; p < n; p++) {
    const [a, b, c] = [x[p], x[n + p], x[2 * n + p]];
    const v = [a, b, c, a * a, a * b, a * c, b * b, b * c, c * c];
    for (let k = 0; k < 9; k++) q[k] += v[k];
  }
  return q;
}

/** A·x + b per pixel of a 3×n image (A row-major 3×3). */
export function colourAffineRef(x: Arr, n: number, A: readonly number[], b: readonly number[]): Float64Array {
  const out = new Float64Array(3 * n);
  for (let p = 0; p < n; p++)
    for (let c = 0; c < 3; c++) out[c * n + p] = A[3 * c] * x[p] + A[3 * c + 1] * x[n + p] + A[3 * c + 2] * x[2 * n + p] + b[c];
  return out;
}

/** C×h×w → C×H×W, bilinear with pixel centres aligned (image/resize_bilinear; resizeBilinear's convention in src/io/rgba_image.ts, unrounded). */
export function resizeBilinearRef(input: ArrayLike<number>, C: number, h: number, w: number, H: number, W: number): Float64Array {
  const out = new Float64Array(C * H * W);
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < H; y++) {
      const fy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / H - 0.5));
      const y0 = Math.floor(fy), y1 = Math.min(h - 1, y0 + 1), wy = fy - y0;
      for (let x = 0; x < W; x++) {
        const fx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / W - 0.5));
        const x0 = Math.floor(fx), x1 = Math.min(w - 1, x0 + 1), wx = fx - x0;
        const at = (yy: number, xx: number) => input[(c * h + yy) * w + xx];
        const top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
        const bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
        out[(c * H + y) * W + x] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}
