/**
 * How an image is cut into tiles for exact tiled evaluation (see tiled.ts). Every feature position
 * of every layer is owned by exactly one tile; a tile is computed on a window around what it owns,
 * wide enough (the halo) that its owned features equal the untiled ones:
 *  - windows start at multiples of the deepest layer's downsampling (`align`, 2^pools), so pooling
 *    windows line up with the untiled ones;
 *  - every window edge inside the image is at least `halo` pixels (the receptive radius, rounded up
 *    to `align`) from what the window owns; at the image's edges the real zero padding applies;
 *  - all windows have one size (so one graph serves every tile): interior windows are
 *    tile + 2·halo (+ less than `align`, so the last window can end exactly at the image's edge).
 */
import { convsUpTo, layerScale } from '../model/vgg19_spec.js';

/**
 * How far (in input pixels) a feature of `deepest` sees beyond the input block it sits on: each
 * 3×3 conv reaches one position further at its scale; a 2×2 pool adds nothing beyond its own
 * block (conv3_1: 2·1 + 2·2 + 1·4 = 10; conv4_2: 38; conv5_1: 70).
 */
export function receptiveRadius(deepest: string): number {
  let radius = 0, scale = 1;
  for (const c of convsUpTo(deepest)) {
    radius += scale;
    if (c.poolAfter && c.name !== deepest) scale *= 2;
  }
  return radius;
}

export interface AxisTiles {
  /** Window length (all windows alike). */
  window: number;
  /** Window starts, ascending; multiples of `align`. */
  starts: number[];
  /** Owned [begin, end) per window, in image pixels; they partition [0, length). */
  owned: [number, number][];
}

/** Tiles along one axis of `length` pixels with owned tiles of `tile` pixels (see the file comment). */
export function tileAxis(length: number, tile: number, halo: number, align: number): AxisTiles {
  if (tile + 2 * halo >= length) return { window: length, starts: [0], owned: [[0, length]] };
  const window = tile + 2 * halo + ((length - tile - 2 * halo) % align);
  const n = Math.max(2, Math.ceil((length - window) / tile) + 1);
  const starts = Array.from({ length: n }, (_, k) => (k === n - 1 ? length - window : k * tile));
  const bounds = [0, ...starts.slice(1).map((s) => s + halo), length];
  return { window, starts, owned: starts.map((_, k) => [bounds[k], bounds[k + 1]]) };
}

export interface Tile {
  /** Window origin in the image. */
  y0: number;
  x0: number;
  /** What the tile owns, in image pixels (window-relative: subtract y0, x0). */
  owned: { y0: number; y1: number; x0: number; x1: number };
}

export interface TileLayout {
  height: number;
  width: number;
  tile: number;
  halo: number;
  align: number;
  windowH: number;
  windowW: number;
  tiles: Tile[];
}

/** Cut an H×W image into tiles of about `tile` pixels for layers up to `deepest`. */
export function planTiles(height: number, width: number, tile: number, deepest: string): TileLayout {
  const align = layerScale(deepest);
  if (!Number.isInteger(tile) || tile < align || tile % align !== 0) {
    throw new Error(`tile size ${tile} must be a positive multiple of ${align} (the downsampling of ${deepest})`);
  }
  const halo = Math.ceil(receptiveRadius(deepest) / align) * align;
  const rows = tileAxis(height, tile, halo, align), cols = tileAxis(width, tile, halo, align);
  const tiles: Tile[] = [];
  rows.starts.forEach((y0, i) =>
    cols.starts.forEach((x0, j) => tiles.push({ y0, x0, owned: { y0: rows.owned[i][0], y1: rows.owned[i][1], x0: cols.owned[j][0], x1: cols.owned[j][1] } })),
  );
  return { height, width, tile, halo, align, windowH: rows.window, windowW: cols.window, tiles };
}

/** A tile's owned rectangle at a layer with downsampling `scale`, relative to its window. */
export function ownedAt(t: Tile, scale: number, layerH: number, layerW: number): { y0: number; y1: number; x0: number; x1: number } {
  const rel = (v: number, o: number, max: number) => Math.min(max, Math.floor((v - o) / scale));
  return { y0: rel(t.owned.y0, t.y0, layerH), y1: rel(t.owned.y1, t.y0, layerH), x0: rel(t.owned.x0, t.x0, layerW), x1: rel(t.owned.x1, t.x0, layerW) };
}
