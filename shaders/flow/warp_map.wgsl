// flow/warp_map — a C-channel map sampled where a flow points, and whether that point lies inside
// the frame (video: the previous stylized frame carried along the flow onto the new one,
// src/video/flow_init.ts; with C = 1 the grey second frame inside the flow's warping steps, flow.ts):
//   px = x + flow[0, y, x], py = y + flow[1, y, x]
//   out[c, y, x] = input[c] bilinearly at (clamp(px, 0, W − 1), clamp(py, 0, H − 1)), c < C
//   out[C, y, x] = 1 if 0 ≤ px ≤ W − 1 and 0 ≤ py ≤ H − 1, else 0
// (bilinear: x0 = ⌊px⌋, x1 = min(x0 + 1, W − 1), wx = px − x0; rows likewise).
// Layout: input C×H×W, flow 2×H×W (dx plane, then dy), out (C + 1)×H×W, row-major f32.
// Dispatch: ceil(H·W / 256), spilling into y; one invocation per pixel, looping over the C channels.

struct Params {
  C: u32,     // channels of input
  H: u32,     // height
  W: u32,     // width
  _pad0: u32, // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> flow: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  let W = params.W;
  let n = params.H * W;
  if (p >= n) { return; }
  let y = p / W;
  let x = p % W;
  let px = f32(x) + flow[p];
  let py = f32(y) + flow[n + p];
  let maxX = f32(W - 1u);
  let maxY = f32(params.H - 1u);
  let inside = px >= 0.0 && px <= maxX && py >= 0.0 && py <= maxY;
  let fx = clamp(px, 0.0, maxX);
  let fy = clamp(py, 0.0, maxY);
  let x0 = u32(floor(fx));
  let y0 = u32(floor(fy));
  let x1 = min(x0 + 1u, W - 1u);
  let y1 = min(y0 + 1u, params.H - 1u);
  let wx = fx - f32(x0);
  let wy = fy - f32(y0);
  for (var c = 0u; c < params.C; c++) {
    let o = c * n;
    let top = input[o + y0 * W + x0] * (1.0 - wx) + input[o + y0 * W + x1] * wx;
    let bottom = input[o + y1 * W + x0] * (1.0 - wx) + input[o + y1 * W + x1] * wx;
    out[o + p] = top * (1.0 - wy) + bottom * wy;
  }
  out[params.C * n + p] = select(0.0, 1.0, inside);
}
