// conv/v6_winograd4_output — the last step of Winograd F(4×4, 3×3): each tile's 6×6 product m
// (from conv/winograd_gemm, run over 36 planes) becomes its 4×4 outputs
//   out[n, 4ty+i, 4tx+j] = act((Aᵀ · m · A)[i, j] + bias[n]),
//   Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]
// act = ReLU if relu = 1; bias only if has_bias = 1. Outputs beyond H or W are dropped.
// Chunks of tiles as in conv/v5_winograd_output (version 5's).
// Layout: M 36×N×P8 for the chunk (ξν = 6ξ + ν); bias N; output N×H×W.
// Dispatch: ceil(N·tiles / 64), spilling into y.

struct Params {
  N: u32,         // output channels
  H: u32,         // output map height in pixels
  W: u32,         // output map width in pixels
  TW: u32,        // tiles per row, ceil(W / 4)
  P8: u32,        // M's row length: this chunk's tile count padded to 8
  p_begin: u32,   // index of the chunk's first tile in the whole map
  tiles: u32,     // tiles in this chunk (≤ P8); padding tiles beyond are not read
  relu: u32,      // 1: ReLU after the bias
  has_bias: u32,  // 1: add bias[n]; 0: bias is not read
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 48 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> M: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

// Aᵀ·(m0 … m5)
fn at6(m: array<f32, 6>) -> vec4<f32> {
  return vec4<f32>(
    m[0] + m[1] + m[2] + m[3] + m[4],
    m[1] - m[2] + 2.0 * (m[3] - m[4]),
    m[1] + m[2] + 4.0 * (m[3] + m[4]),
    m[1] - m[2] + 8.0 * (m[3] - m[4]) + m[5],
  );
}

fn put(n: u32, y: u32, x: u32, v: f32) {
  if (y >= params.H || x >= params.W) { return; }
  var r = v;
  if (params.has_bias == 1u) { r += bias[n]; }
  if (params.relu == 1u) { r = max(r, 0.0); }
  output[(n * params.H + y) * params.W + x] = r;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.N * params.tiles) { return; }
  let n = i / params.tiles;
  let p = i % params.tiles;  // within the chunk
  let plane = params.N * params.P8;
  let at = n * params.P8 + p;
  // s = Aᵀ·m, column ν at a time: s[i][ν]
  var s: array<array<f32, 6>, 4>;
  for (var nu = 0u; nu < 6u; nu++) {
    let col = at6(array<f32, 6>(M[nu * plane + at], M[(6u + nu) * plane + at], M[(12u + nu) * plane + at],
                                M[(18u + nu) * plane + at], M[(24u + nu) * plane + at], M[(30u + nu) * plane + at]));
    for (var k = 0u; k < 4u; k++) { s[k][nu] = col[k]; }
  }
  let tile = params.p_begin + p;
  let y = 4u * (tile / params.TW);
  let x = 4u * (tile % params.TW);
  // (Aᵀ·m)·A, row by row
  for (var k = 0u; k < 4u; k++) {
    let row = at6(s[k]);
    for (var j = 0u; j < 4u; j++) { put(n, y + k, x + j, row[j]); }
  }
}
