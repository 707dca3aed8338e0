/** CPU reference for the tile helpers: copy a window out of a map, add one back, zero outside a rectangle. Double precision, written for clarity. */

type Arr = ArrayLike<number>;

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
