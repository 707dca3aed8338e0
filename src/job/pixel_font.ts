/**
 * A 5×8 bitmap font (lower case, digits, a little punctuation) for labelling images without a
 * canvas, so grids render the same in the browser and in Node. Each glyph is 8 rows, top first;
 * bit k of a row is column k (left = bit 0). Rows 0–6 are the body, row 7 the descender.
 * Upper case is drawn as lower case; unknown characters as "?".
 */
import type { RgbaImage } from '../io/rgba_image.js';

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 8;
/** Horizontal advance per character (glyph + 1 column of spacing), in font pixels. */
export const ADVANCE = GLYPH_WIDTH + 1;

const GLYPHS: Record<string, number[]> = {
  'a': [0, 0, 14, 16, 30, 17, 30, 0],
  'b': [1, 1, 15, 17, 17, 17, 15, 0],
  'c': [0, 0, 14, 1, 1, 1, 14, 0],
  'd': [16, 16, 30, 17, 17, 17, 30, 0],
  'e': [0, 0, 14, 17, 31, 1, 14, 0],
  'f': [12, 2, 7, 2, 2, 2, 2, 0],
  'g': [0, 0, 30, 17, 17, 30, 16, 14],
  'h': [1, 1, 15, 17, 17, 17, 17, 0],
  'i': [4, 0, 6, 4, 4, 4, 14, 0],
  'j': [8, 0, 12, 8, 8, 8, 9, 6],
  'k': [1, 1, 9, 5, 3, 5, 9, 0],
  'l': [6, 4, 4, 4, 4, 4, 14, 0],
  'm': [0, 0, 11, 21, 21, 21, 21, 0],
  'n': [0, 0, 15, 17, 17, 17, 17, 0],
  'o': [0, 0, 14, 17, 17, 17, 14, 0],
  'p': [0, 0, 15, 17, 17, 15, 1, 1],
  'q': [0, 0, 30, 17, 17, 30, 16, 16],
  'r': [0, 0, 13, 19, 1, 1, 1, 0],
  's': [0, 0, 30, 1, 14, 16, 15, 0],
  't': [2, 2, 7, 2, 2, 18, 12, 0],
  'u': [0, 0, 17, 17, 17, 25, 22, 0],
  'v': [0, 0, 17, 17, 17, 10, 4, 0],
  'w': [0, 0, 17, 17, 21, 21, 10, 0],
  'x': [0, 0, 17, 10, 4, 10, 17, 0],
  'y': [0, 0, 17, 17, 17, 30, 16, 14],
  'z': [0, 0, 31, 8, 4, 2, 31, 0],
  '0': [14, 17, 25, 21, 19, 17, 14, 0],
  '1': [4, 6, 4, 4, 4, 4, 14, 0],
  '2': [14, 17, 16, 8, 4, 2, 31, 0],
  '3': [31, 8, 4, 8, 16, 17, 14, 0],
  '4': [8, 12, 10, 9, 31, 8, 8, 0],
  '5': [31, 1, 15, 16, 16, 17, 14, 0],
  '6': [12, 2, 1, 15, 17, 17, 14, 0],
  '7': [31, 16, 8, 4, 2, 2, 2, 0],
  '8': [14, 17, 17, 14, 17, 17, 14, 0],
  '9': [14, 17, 17, 30, 16, 8, 6, 0],
  '_': [0, 0, 0, 0, 0, 0, 0, 31],
  '+': [0, 4, 4, 31, 4, 4, 0, 0],
  '-': [0, 0, 0, 31, 0, 0, 0, 0],
  '.': [0, 0, 0, 0, 0, 6, 6, 0],
  ',': [0, 0, 0, 0, 0, 6, 4, 2],
  ':': [0, 6, 6, 0, 6, 6, 0, 0],
  '(': [8, 4, 2, 2, 2, 4, 8, 0],
  ')': [2, 4, 8, 8, 8, 4, 2, 0],
  '/': [16, 16, 8, 4, 2, 1, 1, 0],
  '×': [0, 17, 10, 4, 10, 17, 0, 0],
  '=': [0, 0, 31, 0, 31, 0, 0, 0],
  '?': [14, 17, 16, 8, 4, 0, 4, 0],
  "'": [4, 4, 2, 0, 0, 0, 0, 0],
  '’': [4, 4, 2, 0, 0, 0, 0, 0],
  ';': [0, 6, 6, 0, 6, 6, 4, 2],
  ' ': [0, 0, 0, 0, 0, 0, 0, 0],
};

/** Width in image pixels of `text` drawn at integer `scale`. */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * ADVANCE - 1) * scale;
}

/** Draw `text` with its top-left corner at (x, y); pixels outside the image are skipped. */
export function drawText(img: RgbaImage, x: number, y: number, text: string, color: [number, number, number], scale = 1): void {
  let cx = x;
  for (const ch of text) {
    const rows = GLYPHS[ch] ?? GLYPHS[ch.toLowerCase()] ?? GLYPHS['?'];
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (!((rows[r] >> c) & 1)) continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const px = cx + c * scale + sx, py = y + r * scale + sy;
            if (px < 0 || py < 0 || px >= img.width || py >= img.height) continue;
            const i = (py * img.width + px) * 4;
            img.data[i] = color[0];
            img.data[i + 1] = color[1];
            img.data[i + 2] = color[2];
            img.data[i + 3] = 255;
          }
        }
      }
    }
    cx += ADVANCE * scale;
  }
}
