// conv/v6_winograd4_input — the data side of Winograd F(4×4, 3×3): each 4×4 output tile reads a
// 6×6 input patch d (rows 4ty-1 … 4ty+4, columns 4tx-1 … 4tx+4, zero outside the image) and
//   V[ξ, ν, c, p] = (Bᵀ · d · B)[ξ, ν],
//   Bᵀ = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
//         [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
// with p = ty·TW + tx, TW = ceil(W / 4). Chunks of tiles and zeroed padding tiles as in
// conv/v5_winograd_input (version 5's). 36 loads per 16 outputs (version 5: 16 per 4).
// Layout: input R×H×W; V 36×R×P8 for the chunk (ξν = 6ξ + ν; P = ceil(H/4)·TW tiles in all,
// P8 = the chunk's tile count, a multiple of 8).
// Dispatch: ceil(R·P8 / 64), spilling into y.

struct Params {
  R: u32,        // channels reduced (forward: the layer's inputs; backward: grad_output's channels)
  H: u32,        // map height in pixels
  W: u32,        // map width in pixels
  TW: u32,       // tiles per row, ceil(W / 4)
  P: u32,        // tiles in the whole map, ceil(H / 4)·TW
  P8: u32,       // this chunk's tile count padded to a multiple of 8: V's row length
  p_begin: u32,  // index of the chunk's first tile in the whole map
  _pad0: u32,    // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<f32>;

// Bᵀ·(d0 … d5), for six values at a time (a patch column) or, with vec-wise arguments, per lane
fn bt6(d: array<f32, 6>) -> array<f32, 6> {
  return array<f32, 6>(
    4.0 * d[0] - 5.0 * d[2] + d[4],
    -4.0 * (d[1] + d[2]) + d[3] + d[4],
    4.0 * (d[1] - d[2]) - d[3] + d[4],
    2.0 * (d[3] - d[1]) - d[2] + d[4],
    2.0 * (d[1] - d[3]) - d[2] + d[4],
    4.0 * d[1] - 5.0 * d[3] + d[5],
  );
}

// Row y of the patch: the 6 inputs at columns x0 … x0+5 of channel plane `base` (0 outside).
// Indices outside the image are clamped to 0, read, and masked.
fn patchRow(base: u32, y: i32, x0: i32) -> array<f32, 6> {
  var row: array<f32, 6>;
  let rowInside = y >= 0 && y < i32(params.H);
  for (var j = 0; j < 6; j++) {
    let x = x0 + j;
    let inside = rowInside && x >= 0 && x < i32(params.W);
    let v = input[select(0u, base + u32(y) * params.W + u32(x), inside)];
    row[j] = select(0.0, v, inside);
  }
  return row;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.R * params.P8) { return; }
  let c = i / params.P8;
  let p = params.p_begin + i % params.P8;
  let plane = params.R * params.P8;
  if (p >= params.P) {
    for (var b = 0u; b < 36u; b++) { V[b * plane + i] = 0.0; }
    return;
  }
  let y0 = 4 * i32(p / params.TW) - 1;
  let x0 = 4 * i32(p % params.TW) - 1;
  let base = c * params.H * params.W;
  // Bᵀ·d over the patch's rows, column by column: t[ξ][j]
  var d: array<array<f32, 6>, 6>;
  for (var k = 0; k < 6; k++) { d[k] = patchRow(base, y0 + k, x0); }
  var t: array<array<f32, 6>, 6>;
  for (var j = 0; j < 6; j++) {
    let col = bt6(array<f32, 6>(d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j]));
    for (var xi = 0; xi < 6; xi++) { t[xi][j] = col[xi]; }
  }
  // (Bᵀ·d)·B: the same combination over each row's columns
  for (var xi = 0u; xi < 6u; xi++) {
    let v = bt6(t[xi]);
    for (var nu = 0u; nu < 6u; nu++) { V[(xi * 6u + nu) * plane + i] = v[nu]; }
  }
}
