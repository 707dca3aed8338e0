/** Sizes the conv kernels pad and tile to: channel blocks of 8 and 16, Winograd's 2×2 output tiles and the chunks its scratch holds. */

export const ceil8 = (n: number) => Math.ceil(n / 8) * 8;

export const ceil16 = (n: number) => Math.ceil(n / 16) * 16;

/** Winograd F(2×2, 3×3) tiling of an H×W map: TW tiles per row, P tiles, P8 = P padded to 8. */
export function winogradTiles(H: number, W: number): { TW: number; P: number; P8: number } {
  const TW = Math.ceil(W / 2);
  const P = Math.ceil(H / 2) * TW;
  return { TW, P, P8: ceil8(P) };
}

/**
 * Floats a Winograd scratch buffer may hold: larger maps are transformed and multiplied in chunks
 * of tiles (at 512², conv1_2's transformed input would be 268 MB in one piece).
 */
export const WINOGRAD_CHUNK_FLOATS = 4 * 2 ** 20;

/** Tiles (whole blocks of 8) whose Winograd buffer, 16 values per tile and channel, fits in `floats`. */
export const tilesFitting = (floats: number, channels: number) => Math.floor(floats / (16 * channels) / 8) * 8;
