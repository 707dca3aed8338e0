// conv/v5_winograd_input — the data side of Winograd F(2×2, 3×3): each 2×2 output tile reads a
// 4×4 input patch d (rows 2ty-1 … 2ty+2, columns 2tx-1 … 2tx+2, zero outside the image) and
//   V[ξ, ν, c, p] = (Bᵀ · d · B)[ξ, ν],   Bᵀ = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
// with p = ty·TW + tx, TW = ceil(W / 2). One dispatch transforms a chunk of tiles
// p_begin … p_begin + P8 - 1 (large maps are done in chunks to bound V's size); tiles p ≥ P
// are written as zeros so the GEMM can read 8 tiles at once. Additions only.
// Layout: input R×H×W; V 16×R×P8 for the chunk (ξν = 4ξ + ν; P = ceil(H/2)·TW tiles in all,
// P8 = the chunk's tile count, a multiple of 8).
// Dispatch: ceil(R·P8 / 64), spilling into y.

struct Params {
  R: u32,        // channels reduced (forward: the layer's inputs; backward: grad_output's channels)
  H: u32,        // map height in pixels
  W: u32,        // map width in pixels
  TW: u32,       // tiles per row, ceil(W / 2)
  P: u32,        // tiles in the whole map, ceil(H / 2)·TW
  P8: u32,       // this chunk's tile count padded to a multiple of 8: V's row length
  p_begin: u32,  // index of the chunk's first tile in the whole map
  _pad0: u32,    // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<f32>;

// Row y of the patch: the 4 inputs at columns x0 … x0+3 of channel plane `base` (0 outside).
// Branch-free: indices outside the image are clamped to 0, read, and masked.
fn patchRow(base: u32, y: i32, x0: i32) -> vec4<f32> {
  let x = vec4<i32>(x0) + vec4<i32>(0, 1, 2, 3);
  let rowInside = y >= 0 && y < i32(params.H);
  let inside = (x >= vec4<i32>(0)) & (x < vec4<i32>(i32(params.W))) & vec4<bool>(rowInside);
  let index = select(vec4<u32>(0u), vec4<u32>(base + u32(y) * params.W) + vec4<u32>(x), inside);
  let v = vec4<f32>(input[index.x], input[index.y], input[index.z], input[index.w]);
  return select(vec4<f32>(0.0), v, inside);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.R * params.P8) { return; }
  let c = i / params.P8;
  let p = params.p_begin + i % params.P8;
  let plane = params.R * params.P8;
  if (p >= params.P) {
    for (var b = 0u; b < 16u; b++) { V[b * plane + i] = 0.0; }
    return;
  }
  let y0 = 2 * i32(p / params.TW) - 1;
  let x0 = 2 * i32(p % params.TW) - 1;
  let base = c * params.H * params.W;
  let d0 = patchRow(base, y0, x0);
  let d1 = patchRow(base, y0 + 1, x0);
  let d2 = patchRow(base, y0 + 2, x0);
  let d3 = patchRow(base, y0 + 3, x0);
  // Bᵀ·d, row by row (each row a vec4 over the patch's columns)
  let t = array<vec4<f32>, 4>(d0 - d2, d1 + d2, d2 - d1, d1 - d3);
  // (Bᵀ·d)·B, the same combination over columns
  for (var xi = 0u; xi < 4u; xi++) {
    let r = t[xi];
    let v = vec4<f32>(r.x - r.z, r.y + r.z, r.z - r.y, r.y - r.w);
    for (var nu = 0u; nu < 4u; nu++) { V[(xi * 4u + nu) * plane + i] = v[nu]; }
  }
}
