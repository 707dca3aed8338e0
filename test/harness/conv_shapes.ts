/** Conv shapes the kernel tests run every registered version on (test/kernels_conv.test.ts). */
// [C, H, W, O, K]: 1 channel, 1×1 images, odd sizes, channel counts that are not multiples of the
// 8-channel register block, H·W not a multiple of the 8-pixel block or the 64-wide workgroup,
// more than one workgroup of pixels, K = 1 and 5. Each runs every registered conv version that
// fits it (registry.ts): every 3×3 shape at least 8 wide also version 3 (conv/v3_rows): W = 8 exactly,
// rows ending in a partial 8-pixel block, 1 channel; where W % 4 = 0 version 4 (conv/v4_rows_vec4),
// including W = 12 (half a block at the end); where the output channels pad to a multiple of 16
// version 2 (conv/v2_flat16, any K, both directions); every 3×3 shape versions 5 and 6 (Winograd
// F(2×2) and F(4×4): maps of 1, 2 or 3 pixels past a whole 4-pixel tile, one tile, many tiles).
export const CONV_TEST_SHAPES: [number, number, number, number, number][] = [
  [1, 1, 1, 1, 3],
  [1, 5, 7, 3, 3],
  [3, 9, 13, 10, 3],
  [17, 6, 5, 9, 3],
  [8, 8, 8, 16, 3],
  [3, 33, 31, 12, 3],
  [20, 3, 2, 70, 3],
  [2, 7, 6, 3, 5],
  [4, 11, 3, 1, 1],
  [1, 4, 8, 1, 3],
  [5, 3, 17, 9, 3],
  [3, 5, 12, 10, 3],
  [9, 4, 24, 8, 3],
  [16, 5, 9, 32, 3],
  [12, 7, 6, 16, 5],
];
