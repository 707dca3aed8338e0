/**
 * Resizing an image with our own arithmetic, so that every browser and the CLI feed the network the
 * same pixels for the same file: a canvas's drawImage resamples differently in each browser (up to
 * 162/255 apart between Chromium and Firefox on a style image), while this depends only on the
 * decoded pixels.
 *
 * Separable convolution with a triangle (tent) filter, widened by the scale when shrinking so that
 * every source pixel contributes (antialiasing, as Pillow's BILINEAR resize): for output pixel x
 * along an axis of `inSize` → `outSize`, with s = inSize / outSize and r = max(s, 1),
 *
 *   centre c = (x + 0.5)·s,   weight of source i  ∝  max(0, 1 − |i + 0.5 − c| / r)
 *
 * normalised to sum to 1. Enlarging (s < 1) is plain bilinear interpolation between pixel centres
 * (edges clamped). The horizontal pass keeps floats; only the vertical pass rounds, once.
 */
import type { RgbaImage } from './rgba_image.js';

/** Each output pixel's first source index and its normalised weights, along one axis. */
interface AxisWeights {
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  taps: number;
}

function axisWeights(inSize: number, outSize: number): AxisWeights {
  const s = inSize / outSize, r = Math.max(s, 1);
  const taps = Math.ceil(r) * 2 + 1;
  const first = new Int32Array(outSize), count = new Int32Array(outSize), weights = new Float32Array(outSize * taps);
  for (let x = 0; x < outSize; x++) {
    const c = (x + 0.5) * s;
    // the nearest source centre is within 0.5 ≤ r of c, so every output pixel has a positive weight
    const lo = Math.max(0, Math.floor(c - r)), hi = Math.min(inSize, Math.ceil(c + r));
    let sum = 0;
    for (let i = lo; i < hi; i++) sum += Math.max(0, 1 - Math.abs(i + 0.5 - c) / r);
    for (let i = lo; i < hi; i++) weights[x * taps + (i - lo)] = Math.max(0, 1 - Math.abs(i + 0.5 - c) / r) / sum;
    first[x] = lo;
    count[x] = hi - lo;
  }
  return { first, count, weights, taps };
}

/** `img` resized to width × height (RGB filtered, alpha set opaque: the engine's images are composited over white first). */
export function resizeImage(img: RgbaImage, width: number, height: number): RgbaImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new Error(`resizeImage: invalid size ${width}×${height}`);
  if (width === img.width && height === img.height) return { width, height, data: new Uint8Array(img.data) };
  const W = img.width, H = img.height, src = img.data;
  const hx = axisWeights(W, width), vy = axisWeights(H, height);
  // horizontal: H rows × width columns × 3 channels, in floats
  const mid = new Float32Array(H * width * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      const f = hx.first[x], n = hx.count[x], o = x * hx.taps;
      for (let k = 0; k < n; k++) {
        const w = hx.weights[o + k], p = 4 * (y * W + f + k);
        r += w * src[p];
        g += w * src[p + 1];
        b += w * src[p + 2];
      }
      const q = 3 * (y * width + x);
      mid[q] = r;
      mid[q + 1] = g;
      mid[q + 2] = b;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const f = vy.first[y], n = vy.count[y], o = y * vy.taps;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < n; k++) {
        const w = vy.weights[o + k], q = 3 * ((f + k) * width + x);
        r += w * mid[q];
        g += w * mid[q + 1];
        b += w * mid[q + 2];
      }
      const p = 4 * (y * width + x);
      data[p] = Math.min(255, Math.max(0, Math.round(r)));
      data[p + 1] = Math.min(255, Math.max(0, Math.round(g)));
      data[p + 2] = Math.min(255, Math.max(0, Math.round(b)));
      data[p + 3] = 255;
    }
  }
  return { width, height, data };
}
