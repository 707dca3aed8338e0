// conv/v6_winograd4_filter — the filter side of Winograd F(4×4, 3×3) (Lavin & Gray, 2015):
//   U[ξ, ν, r, n] = (G · g · Gᵀ)[ξ, ν],   g[ky, kx] = packed[ky, kx, r, n]  (flip = 1: packed[2-ky, 2-kx, r, n])
//   G = [[¼, 0, 0], [-⅙, -⅙, -⅙], [-⅙, ⅙, -⅙], [1/24, 1/12, ⅙], [1/24, -1/12, ⅙], [0, 0, 1]]
// (interpolation points 0, -1, 1, ½, -½ and ∞, scaled so that the data side Bᵀ has small integers).
// The same packings, flip and zero padding as conv/v5_winograd_filter (version 5's), with 36
// products per tile instead of 16. Run once per weight tensor and direction.
// Layout: packed 3×3×R×N8 (N8 = N padded to 8); U 36×R×N16 (ξν = 6ξ + ν, N16 = N padded to 16).
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

// G·(a, b, c): the six rows of G applied to three taps (vec3s: a column each, or a row's taps)
fn g6(a: vec3<f32>, b: vec3<f32>, c: vec3<f32>) -> array<vec3<f32>, 6> {
  return array<vec3<f32>, 6>(
    a / 4.0,
    -(a + b + c) / 6.0,
    -(a - b + c) / 6.0,
    a / 24.0 + b / 12.0 + c / 6.0,
    a / 24.0 - b / 12.0 + c / 6.0,
    c,
  );
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.R * params.N16) { return; }
  let r = i / params.N16;
  let n = i % params.N16;
  let plane = params.R * params.N16;
  if (n >= params.N) {
    for (var b = 0u; b < 36u; b++) { U[b * plane + i] = 0.0; }
    return;
  }
  // t = G·g: row ξ of t holds G's row ξ applied to each column kx of g
  let t = g6(
    vec3<f32>(tap(0u, 0u, r, n), tap(0u, 1u, r, n), tap(0u, 2u, r, n)),
    vec3<f32>(tap(1u, 0u, r, n), tap(1u, 1u, r, n), tap(1u, 2u, r, n)),
    vec3<f32>(tap(2u, 0u, r, n), tap(2u, 1u, r, n), tap(2u, 2u, r, n)),
  );
  // U[ξ, ·] = t[ξ]·Gᵀ: G's rows applied to row ξ's three values
  for (var xi = 0u; xi < 6u; xi++) {
    let row = t[xi];
    let u = g6(vec3<f32>(row.x), vec3<f32>(row.y), vec3<f32>(row.z));
    for (var nu = 0u; nu < 6u; nu++) { U[(xi * 6u + nu) * plane + i] = u[nu].x; }
  }
}
