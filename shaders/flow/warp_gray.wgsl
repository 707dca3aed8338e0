// flow/warp_gray — the second frame b sampled where the current flow points, and whether that
// point lies inside the frame (optical flow's warping step, src/kernels/flow/flow.ts):
//   px = x + flow[0, y, x], py = y + flow[1, y, x]
//   out[0, y, x] = b bilinearly at (clamp(px, 0, W − 1), clamp(py, 0, H − 1))
//   out[1, y, x] = 1 if 0 ≤ px ≤ W − 1 and 0 ≤ py ≤ H − 1, else 0
// (bilinear: x0 = ⌊px⌋, x1 = min(x0 + 1, W − 1), wx = px − x0; rows likewise).
// Layout: b H×W, flow 2×H×W (dx plane, then dy), out 2×H×W, row-major f32.
// Dispatch: ceil(H·W / 256), spilling into y; one invocation per pixel.

struct Params {
  H: u32,     // height
  W: u32,     // width
  _pad0: u32, // padding to 16 bytes
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> b: array<f32>;
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
  let top = b[y0 * W + x0] * (1.0 - wx) + b[y0 * W + x1] * wx;
  let bottom = b[y1 * W + x0] * (1.0 - wx) + b[y1 * W + x1] * wx;
  out[p] = top * (1.0 - wy) + bottom * wy;
  out[n + p] = select(0.0, 1.0, inside);
}
