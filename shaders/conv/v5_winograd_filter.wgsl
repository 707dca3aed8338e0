// conv/v5_winograd_filter — the filter side of Winograd F(2×2, 3×3) (Lavin & Gray, 2015):
//   U[ξ, ν, r, n] = (G · g · Gᵀ)[ξ, ν],   g[ky, kx] = packed[ky, kx, r, n]  (flip = 1: packed[2-ky, 2-kx, r, n])
//   G = [[1, 0, 0], [½, ½, ½], [½, -½, ½], [0, 0, 1]]
// n is the produced channel and r the reduced one: for the forward conv the packing is
// conv/repack_weights' forward one (r = c, n = o); for backward-to-input its transposed one
// with flip = 1 (r = o, n = c: the flipped, transposed filter). Entries n ≥ N are zero, so the
// GEMM (conv/winograd_gemm) can always read 16 channels at once. Run once per weight tensor.
// Layout: packed 3×3×R×N8 (N8 = N padded to 8); U 16×R×N16 (ξν = 4ξ + ν, N16 = N padded to 16).
// Dispatch: ceil(R·N16 / 64), spilling into y.

struct Params {
  R: u32,     // channels reduced (forward: input channels C; backward: output channels O)
  N: u32,     // channels produced (forward: O; backward to input: C)
  N8: u32,    // N padded to a multiple of 8: the packed weight's fastest dimension
  N16: u32,   // N padded to a multiple of 16: U's row length
  flip: u32,  // 1: taps rotated by 180° (backward to input); 0: forward
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> packed: array<f32>;
@group(0) @binding(2) var<storage, read_write> U: array<f32>;

fn tap(ky: u32, kx: u32, r: u32, n: u32) -> f32 {
  let y = select(ky, 2u - ky, params.flip == 1u);
  let x = select(kx, 2u - kx, params.flip == 1u);
  return packed[((y * 3u + x) * params.R + r) * params.N8 + n];
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.R * params.N16) { return; }
  let r = i / params.N16;
  let n = i % params.N16;
  let plane = params.R * params.N16;
  if (n >= params.N) {
    for (var b = 0u; b < 16u; b++) { U[b * plane + i] = 0.0; }
    return;
  }
  // t = G·g (4×3), one column kx at a time
  var t: array<vec3<f32>, 4>; // t[ξ] = row ξ of G·g
  let g0 = vec3<f32>(tap(0u, 0u, r, n), tap(0u, 1u, r, n), tap(0u, 2u, r, n));
  let g1 = vec3<f32>(tap(1u, 0u, r, n), tap(1u, 1u, r, n), tap(1u, 2u, r, n));
  let g2 = vec3<f32>(tap(2u, 0u, r, n), tap(2u, 1u, r, n), tap(2u, 2u, r, n));
  t[0] = g0;
  t[1] = 0.5 * (g0 + g1 + g2);
  t[2] = 0.5 * (g0 - g1 + g2);
  t[3] = g2;
  // U[ξ, ·] = t[ξ]·Gᵀ
  for (var xi = 0u; xi < 4u; xi++) {
    let row = t[xi];
    let u = vec4<f32>(row.x, 0.5 * (row.x + row.y + row.z), 0.5 * (row.x - row.y + row.z), row.z);
    for (var nu = 0u; nu < 4u; nu++) { U[(xi * 4u + nu) * plane + i] = u[nu]; }
  }
}
