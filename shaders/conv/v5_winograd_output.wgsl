// conv/v5_winograd_output — the last step of Winograd F(2×2, 3×3): each tile's 4×4 product m
// (from conv/winograd_gemm) becomes its 2×2 outputs
//   out[n, 2ty+i, 2tx+j] = act((Aᵀ · m · A)[i, j] + bias[n]),   Aᵀ = [[1, 1, 1, 0], [0, 1, -1, -1]]
// act = ReLU if relu = 1; bias only if has_bias = 1. Outputs beyond H or W (odd sizes) are dropped.
// One dispatch handles the chunk of `tiles` tiles from p_begin (see conv/v5_winograd_input).
// Layout: M 16×N×P8 for the chunk (ξν = 4ξ + ν); bias N; output N×H×W.
// Dispatch: ceil(N·tiles / 64), spilling into y.

struct Params {
  N: u32,         // output channels
  H: u32,         // output map height in pixels
  W: u32,         // output map width in pixels
  TW: u32,        // tiles per row, ceil(W / 2)
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

fn row(xi: u32, n: u32, p: u32) -> vec4<f32> {
  let plane = params.N * params.P8;
  let at = n * params.P8 + p;
  let b = xi * 4u;
  return vec4<f32>(M[b * plane + at], M[(b + 1u) * plane + at], M[(b + 2u) * plane + at], M[(b + 3u) * plane + at]);
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
  let m0 = row(0u, n, p); let m1 = row(1u, n, p); let m2 = row(2u, n, p); let m3 = row(3u, n, p);
  // Aᵀ·m: two rows, each a vec4 over the tile's 4 columns
  let s0 = m0 + m1 + m2;
  let s1 = m1 - m2 - m3;
  let tile = params.p_begin + p;
  let y = 2u * (tile / params.TW);
  let x = 2u * (tile % params.TW);
  // (Aᵀ·m)·A
  put(n, y, x, s0.x + s0.y + s0.z);
  put(n, y, x + 1u, s0.y - s0.z - s0.w);
  put(n, y + 1u, x, s1.x + s1.y + s1.z);
  put(n, y + 1u, x + 1u, s1.y - s1.z - s1.w);
}
