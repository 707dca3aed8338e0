/**
 * A labelled grid of images (e.g. reconstructions layer by layer): a title line, then tiles in
 * rows, each with its label underneath. Small images are enlarged by an integer factor
 * (nearest neighbour, so pixels stay visible). Pure TypeScript: works in the page and in Node.
 */
import { drawText, GLYPH_HEIGHT, textWidth } from './pixel_font.js';
import type { RgbaImage } from '../io/rgba_image.js';

export interface GridTile {
  label: string;
  image: RgbaImage;
}

export interface GridOptions {
  /** Tiles per row (default: all in one row, up to 6). */
  columns?: number;
  /** Images are enlarged until their longer side reaches at least this (default 128). */
  minTileSide?: number;
  /** Space around and between tiles (default 8). */
  padding?: number;
}

const BACKGROUND = 255;
const INK: [number, number, number] = [20, 20, 20];
const TITLE_SCALE = 1;

/** Integer enlargement so the longer side of every tile reaches `minSide`. */
export function enlargement(tiles: GridTile[], minSide: number): number {
  const longest = Math.max(...tiles.map((t) => Math.max(t.image.width, t.image.height)));
  return Math.max(1, Math.ceil(minSide / longest));
}

export function composeGrid(title: string, tiles: GridTile[], options: GridOptions = {}): RgbaImage {
  if (tiles.length === 0) throw new Error('composeGrid: no tiles');
  const pad = options.padding ?? 8;
  const columns = Math.max(1, Math.min(tiles.length, options.columns ?? Math.min(tiles.length, 6)));
  const f = enlargement(tiles, options.minTileSide ?? 128);
  const labelH = GLYPH_HEIGHT + 6;
  const cellW = Math.max(...tiles.map((t) => Math.max(t.image.width * f, textWidth(t.label))));
  const imageH = Math.max(...tiles.map((t) => t.image.height * f));
  const cellH = imageH + labelH;
  const rows = Math.ceil(tiles.length / columns);
  const titleH = title ? GLYPH_HEIGHT * TITLE_SCALE + pad : 0;
  const width = Math.max(pad + columns * (cellW + pad), title ? 2 * pad + textWidth(title, TITLE_SCALE) : 0);
  const height = pad + titleH + rows * (cellH + pad);
  const out: RgbaImage = { width, height, data: new Uint8Array(width * height * 4).fill(BACKGROUND) };
  if (title) drawText(out, pad, pad, title, INK, TITLE_SCALE);
  tiles.forEach((t, i) => {
    const x0 = pad + (i % columns) * (cellW + pad);
    const y0 = pad + titleH + Math.floor(i / columns) * (cellH + pad);
    const ox = x0 + Math.floor((cellW - t.image.width * f) / 2);
    blitScaled(out, t.image, ox, y0, f);
    drawText(out, x0 + Math.floor((cellW - textWidth(t.label)) / 2), y0 + imageH + 4, t.label, INK);
  });
  return out;
}

/** Copy `src` enlarged by integer `f` into `dst` at (x0, y0); alpha forced to 255. */
function blitScaled(dst: RgbaImage, src: RgbaImage, x0: number, y0: number, f: number): void {
  for (let y = 0; y < src.height * f; y++) {
    for (let x = 0; x < src.width * f; x++) {
      const s = (Math.floor(y / f) * src.width + Math.floor(x / f)) * 4;
      const d = ((y0 + y) * dst.width + x0 + x) * 4;
      dst.data[d] = src.data[s];
      dst.data[d + 1] = src.data[s + 1];
      dst.data[d + 2] = src.data[s + 2];
      dst.data[d + 3] = 255;
    }
  }
}
