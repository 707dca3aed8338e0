/** RGBA images on the CPU (8 bits per channel, row-major) and their resizers. */

export interface RgbaImage {
  width: number;
  height: number;
  /** width·height·4 bytes, RGBA. */
  data: Uint8Array | Uint8ClampedArray;
}

/** Bilinear resize of RGBA bytes (pixel centres aligned), e.g. to carry a result to a finer scale. */
export function resizeBilinear(img: RgbaImage, width: number, height: number): RgbaImage {
  if (img.width === width && img.height === height) return img;
  const data = new Uint8Array(width * height * 4);
  const src = (x: number, y: number, k: number) => img.data[(y * img.width + x) * 4 + k];
  for (let y = 0; y < height; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, ((y + 0.5) * img.height) / height - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(img.height - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, ((x + 0.5) * img.width) / width - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(img.width - 1, x0 + 1), wx = fx - x0;
      for (let k = 0; k < 4; k++) {
        const top = src(x0, y0, k) * (1 - wx) + src(x1, y0, k) * wx;
        const bottom = src(x0, y1, k) * (1 - wx) + src(x1, y1, k) * wx;
        data[(y * width + x) * 4 + k] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return { width, height, data };
}

/** Nearest-neighbour resize of RGBA bytes (for init from a differently sized style image). */
export function resizeNearest(img: RgbaImage, width: number, height: number): RgbaImage {
  if (img.width === width && img.height === height) return img;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / width));
      for (let k = 0; k < 4; k++) data[(y * width + x) * 4 + k] = img.data[(sy * img.width + sx) * 4 + k];
    }
  }
  return { width, height, data };
}

/** Each pixel's luminance Y = 0.299 R + 0.587 G + 0.114 B (BT.601) in 0…1, alpha ignored. */
export function luminance(img: RgbaImage): Float64Array {
  const y = new Float64Array(img.width * img.height);
  for (let i = 0; i < y.length; i++) y[i] = (0.299 * img.data[4 * i] + 0.587 * img.data[4 * i + 1] + 0.114 * img.data[4 * i + 2]) / 255;
  return y;
}

/** (1 − t)·a + t·b per channel, rounded (same sizes). */
export function mixImages(a: RgbaImage, b: RgbaImage, t: number): RgbaImage {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`mixImages: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  const data = new Uint8Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round((1 - t) * a.data[i] + t * b.data[i]);
  return { width: a.width, height: a.height, data };
}
