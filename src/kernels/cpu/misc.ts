/**
 * CPU references for the non-convolution kernels: ReLU, pooling, losses, reduction,
 * elementwise helpers, image conversion and Adam. Double precision, written for clarity.
 */
import type { InputConvention } from '../image.js';
import type { AdamHyper } from '../adam.js';

type Arr = ArrayLike<number>;

const map = (a: Arr, f: (v: number, i: number) => number) => Float64Array.from({ length: a.length }, (_, i) => f(a[i], i));

export const reluForwardRef = (x: Arr) => map(x, (v) => Math.max(0, v));

export const reluBackwardRef = (act: Arr, g: Arr) => map(g, (v, i) => (act[i] > 0 ? v : 0));

export function poolForwardRef(kind: 'max' | 'avg', x: Arr, C: number, H: number, W: number): Float64Array {
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2);
  const out = new Float64Array(C * Ho * Wo);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < Ho; y++)
      for (let xo = 0; xo < Wo; xo++) {
        const b = (c * H + 2 * y) * W + 2 * xo;
        const win = [x[b], x[b + 1], x[b + W], x[b + W + 1]];
        out[(c * Ho + y) * Wo + xo] = kind === 'max' ? Math.max(...win) : (win[0] + win[1] + win[2] + win[3]) / 4;
      }
  return out;
}

export function poolBackwardRef(kind: 'max' | 'avg', x: Arr, C: number, H: number, W: number, g: Arr): Float64Array {
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2);
  const gin = new Float64Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < Ho; y++)
      for (let xo = 0; xo < Wo; xo++) {
        const b = (c * H + 2 * y) * W + 2 * xo;
        const idx = [b, b + 1, b + W, b + W + 1];
        const go = g[(c * Ho + y) * Wo + xo];
        if (kind === 'avg') {
          for (const i of idx) gin[i] += go / 4;
        } else {
          let arg = 0; // first maximum wins
          for (let k = 1; k < 4; k++) if (x[idx[k]] > x[idx[arg]]) arg = k;
          gin[idx[arg]] += go;
        }
      }
  return gin;
}

/** L = scale·Σ(x−t)², dL/dx = 2·scale·(x−t). */
export function squaredErrorRef(x: Arr, t: Arr, scale: number): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = map(x, (v, i) => {
    const d = v - t[i];
    loss += d * d;
    return 2 * scale * d;
  });
  return { loss: scale * loss, grad };
}

/** L = scale·Σ squared differences of horizontally and vertically adjacent pixels, per channel. */
export function tvLossRef(img: Arr, C: number, H: number, W: number, scale: number): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = new Float64Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = (c * H + y) * W + x;
        for (const j of [x + 1 < W ? i + 1 : -1, y + 1 < H ? i + W : -1]) {
          if (j < 0) continue;
          const d = img[j] - img[i];
          loss += d * d;
          grad[j] += 2 * scale * d;
          grad[i] -= 2 * scale * d;
        }
      }
  return { loss: scale * loss, grad };
}

export function sumRef(a: Arr, b?: Arr): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += b ? a[i] * b[i] : a[i];
  return s;
}

export const axpbyRef = (a: number, x: Arr, b: number, y: Arr) => map(x, (v, i) => a * v + (b === 0 ? 0 : b * y[i]));

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

/** One Adam step; returns the new param, m and v. */
export function adamRef(p: Arr, g: Arr, m: Arr, v: Arr, h: AdamHyper, t: number) {
  const bc1 = 1 - Math.pow(h.beta1, t), bc2 = 1 - Math.pow(h.beta2, t);
  const m2 = map(m, (mi, i) => h.beta1 * mi + (1 - h.beta1) * g[i]);
  const v2 = map(v, (vi, i) => h.beta2 * vi + (1 - h.beta2) * g[i] * g[i]);
  const p2 = map(p, (pi, i) => pi - (h.lr * (m2[i] / bc1)) / (Math.sqrt(v2[i] / bc2) + h.eps));
  return { param: p2, m: m2, v: v2 };
}

/** tile/window, mode 0: the h×w window at (y0, x0) of a C×H×W map. */
export function windowCopyRef(full: Arr, C: number, H: number, W: number, h: number, w: number, y0: number, x0: number): Float64Array {
  const out = new Float64Array(C * h * w);
  for (let c = 0; c < C; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(c * h + y) * w + x] = full[(c * H + y0 + y) * W + x0 + x];
  return out;
}

/** tile/window, mode 1: the full map with the window added at (y0, x0). */
export function windowAddRef(full: Arr, window: Arr, C: number, H: number, W: number, h: number, w: number, y0: number, x0: number): Float64Array {
  const out = Float64Array.from(full);
  for (let c = 0; c < C; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(c * H + y0 + y) * W + x0 + x] += window[(c * h + y) * w + x];
  return out;
}

/** tile/mask: the map with everything outside rows [y0, y1) × columns [x0, x1) set to zero. */
export function maskRef(x: Arr, C: number, H: number, W: number, r: { y0: number; y1: number; x0: number; x1: number }): Float64Array {
  const out = new Float64Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let y = r.y0; y < Math.min(H, r.y1); y++) for (let i = r.x0; i < Math.min(W, r.x1); i++) out[(c * H + y) * W + i] = x[(c * H + y) * W + i];
  return out;
}
