/** Sizes the conv kernels pad and tile to: channel blocks of 8 and 16, Winograd's m×m output tiles and the chunks its scratch holds. */

export const ceil8 = (n: number) => Math.ceil(n / 8) * 8;

export const ceil16 = (n: number) => Math.ceil(n / 16) * 16;

/** Winograd's output tile side m: F(2×2, 3×3) (conv version 5) or F(4×4, 3×3) (version 6). */
export type WinogradTile = 2 | 4;

/** The conv versions that run as Winograd, with their tile sides. */
const WINOGRAD_VERSIONS: Readonly<Record<string, WinogradTile>> = { v5_winograd: 2, v6_winograd4: 4, v7_winograd_subgroups: 2, v8_winograd4_subgroups: 4 };

/** A conv version's Winograd tile side, or null for the direct versions. */
export const winogradTileOf = (version: string): WinogradTile | null => WINOGRAD_VERSIONS[version] ?? null;

/** Products per tile, (m+2)²: the planes of the transformed input, filters and products. */
export const winogradPlanes = (m: WinogradTile) => (m + 2) ** 2;

/** Winograd F(m×m, 3×3) tiling of an H×W map: TW tiles per row, P tiles, P8 = P padded to 8. */
export function winogradTiles(H: number, W: number, m: WinogradTile = 2): { TW: number; P: number; P8: number } {
  const TW = Math.ceil(W / m);
  const P = Math.ceil(H / m) * TW;
  return { TW, P, P8: ceil8(P) };
}

/**
 * Floats a Winograd scratch buffer may hold: larger maps are transformed and multiplied in chunks
 * of tiles (at 512², conv1_2's transformed input would be 268 MB in one piece).
 */
export const WINOGRAD_CHUNK_FLOATS = 4 * 2 ** 20;

/** Tiles (whole blocks of 8) whose Winograd buffer, `planes` values per tile and channel, fits in `floats`. */
export const tilesFitting = (floats: number, channels: number, planes = 16) => Math.floor(floats / (planes * channels) / 8) * 8;
