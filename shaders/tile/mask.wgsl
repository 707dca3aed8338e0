// tile/mask — keep a rectangle of a C×H×W map, zero the rest:
//
//   output[c, y, x] = input[c, y, x]  if y0 ≤ y < y1 and x0 ≤ x < x1,  else 0
//
// In tiled evaluation each feature position is owned by exactly one tile; the tile's losses see
// only the positions it owns (Σ over owned p of F(p)F(p)ᵀ = (mF)(mF)ᵀ for a 0/1 mask m). The map
// is its own adjoint, so the backward pass runs this kernel on the gradient.
// Layout: input and output C×H×W (row-major f32). Dispatch: ceil(C·H·W / 256), spilling into y.

struct Params {
  C: u32,   // channels
  H: u32,   // map height
  W: u32,   // map width
  y0: u32,  // first kept row
  y1: u32,  // one past the last kept row
  x0: u32,  // first kept column
  x1: u32,  // one past the last kept column
  _pad0: u32, // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let HW = params.H * params.W;
  if (i >= params.C * HW) { return; }
  let y = (i % HW) / params.W;
  let x = i % params.W;
  let keep = y >= params.y0 && y < params.y1 && x >= params.x0 && x < params.x1;
  output[i] = select(0.0, input[i], keep);
}
