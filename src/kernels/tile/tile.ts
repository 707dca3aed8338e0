/**
 * Host side of the tiling kernels (shaders/tile/): moving a window in and out of a full map, and
 * keeping the rectangle of a map a tile owns. Used by the tiled style transfer (src/nst/tiled.ts).
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { shapeStr, type Tensor } from '../tensor.js';

/** Rows [y0, y1) × columns [x0, x1) of a map. */
export interface Rect {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

function dims(what: string, t: Tensor): [number, number, number] {
  if (t.shape.length !== 3) throw new Error(`${what}: expected a C×H×W tensor, got ${shapeStr(t.shape)}`);
  return t.shape as [number, number, number];
}

function windowParams(full: Tensor, window: Tensor, y0: number, x0: number, mode: 0 | 1) {
  const [C, H, W] = dims('window: full map', full);
  const [c, h, w] = dims('window: window', window);
  if (c !== C) throw new Error(`window: the window has ${c} channels, the map ${C}`);
  if (!Number.isInteger(y0) || !Number.isInteger(x0) || y0 < 0 || x0 < 0 || y0 + h > H || x0 + w > W) {
    throw new Error(`window: a ${h}×${w} window at (${y0}, ${x0}) does not fit a ${H}×${W} map`);
  }
  return { C, H, W, h, w, y0, x0, mode };
}

/**
 * window = full[:, y0 : y0+h, x0 : x0+w] (mode "copy"), or full[:, y0 : y0+h, x0 : x0+w] += window
 * (mode "add"). The returned dispatch can be moved to another window of the same size with
 * `setParams(windowAt(...))`.
 */
export function windowOp(lib: KernelLibrary, full: Tensor, window: Tensor, y0: number, x0: number, mode: 'copy' | 'add'): Dispatch {
  const p = windowParams(full, window, y0, x0, mode === 'copy' ? 0 : 1);
  return lib.kernel('tile/window').bind({ full: full.buffer, window: window.buffer }, p, grid1d(p.C * p.h * p.w, 256));
}

/** The params of windowOp for another position (same tensors and mode). */
export function windowAt(full: Tensor, window: Tensor, y0: number, x0: number, mode: 'copy' | 'add') {
  return windowParams(full, window, y0, x0, mode === 'copy' ? 0 : 1);
}

function maskParams(input: Tensor, r: Rect) {
  const [C, H, W] = dims('mask: input', input);
  if ([r.y0, r.y1, r.x0, r.x1].some((v) => !Number.isInteger(v) || v < 0) || r.y1 > H || r.x1 > W || r.y0 > r.y1 || r.x0 > r.x1) {
    throw new Error(`mask: rows ${r.y0}–${r.y1} × columns ${r.x0}–${r.x1} is not a rectangle of a ${H}×${W} map`);
  }
  return { C, H, W, ...r };
}

/** output = input inside `r`, 0 outside (its own adjoint). Move it with `setParams(maskAt(input, r))`. */
export function maskRect(lib: KernelLibrary, input: Tensor, output: Tensor, r: Rect): Dispatch {
  if (shapeStr(input.shape) !== shapeStr(output.shape)) throw new Error(`mask: input ${shapeStr(input.shape)} and output ${shapeStr(output.shape)} differ`);
  const p = maskParams(input, r);
  return lib.kernel('tile/mask').bind({ input: input.buffer, output: output.buffer }, p, grid1d(p.C * p.H * p.W, 256));
}

export function maskAt(input: Tensor, r: Rect) {
  return maskParams(input, r);
}
