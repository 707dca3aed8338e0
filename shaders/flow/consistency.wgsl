// flow/consistency — Ruder et al. 2016's per-pixel weights for video stylization: 1 where the
// backward flow wb (frame t → t−1) can be trusted, 0 where it cannot (tools/lib/video_flow.ts):
//   px = x + wb[0, y, x], py = y + wb[1, y, x]
//   out = 0 if px, py leave the frame (not 0 ≤ px ≤ W − 1 and 0 ≤ py ≤ H − 1);
//   with f = wf (frame t−1 → t) bilinearly at (px, py) (flow/warp_map's sampling):
//   out = 0 if |wb + f|² > 0.01·(|wb|² + |f|²) + 0.5             (disocclusion: the flows disagree)
//   out = 0 if |∂x wb|² + |∂y wb|² > 0.01·|wb|² + 0.002          (motion boundary)
//   out = 1 otherwise.
// Derivatives are central, (right − left) / 2, a missing neighbour at the border replaced by the
// pixel itself (so one-sided there, still halved; 0 across a single row or column).
// Layout: wb, wf 2×H×W (dx plane, then dy), out H×W, row-major f32.
// Dispatch: ceil(H·W / 256), spilling into y; one invocation per pixel.

struct Params {
  H: u32,     // height
  W: u32,     // width
  _pad0: u32, // padding to 16 bytes
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> wb: array<f32>;
@group(0) @binding(2) var<storage, read> wf: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  let W = params.W;
  let H = params.H;
  let n = H * W;
  if (p >= n) { return; }
  let y = p / W;
  let x = p % W;
  let u = wb[p];
  let v = wb[n + p];
  let px = f32(x) + u;
  let py = f32(y) + v;
  let maxX = f32(W - 1u);
  let maxY = f32(H - 1u);
  if (!(px >= 0.0 && px <= maxX && py >= 0.0 && py <= maxY)) {
    out[p] = 0.0;
    return;
  }
  let x0 = u32(floor(px));
  let y0 = u32(floor(py));
  let x1 = min(x0 + 1u, W - 1u);
  let y1 = min(y0 + 1u, H - 1u);
  let wx = px - f32(x0);
  let wy = py - f32(y0);
  let i00 = y0 * W + x0;
  let i01 = y0 * W + x1;
  let i10 = y1 * W + x0;
  let i11 = y1 * W + x1;
  let fu = (wf[i00] * (1.0 - wx) + wf[i01] * wx) * (1.0 - wy) + (wf[i10] * (1.0 - wx) + wf[i11] * wx) * wy;
  let fv = (wf[n + i00] * (1.0 - wx) + wf[n + i01] * wx) * (1.0 - wy) + (wf[n + i10] * (1.0 - wx) + wf[n + i11] * wx) * wy;
  let cu = u + fu;
  let cv = v + fv;
  let b2 = u * u + v * v;
  if (cu * cu + cv * cv > 0.01 * (b2 + fu * fu + fv * fv) + 0.5) {
    out[p] = 0.0;
    return;
  }
  let l = y * W + select(x - 1u, x, x == 0u);
  let r = y * W + min(x + 1u, W - 1u);
  let up = select(y - 1u, y, y == 0u) * W + x;
  let d = min(y + 1u, H - 1u) * W + x;
  let ux = 0.5 * (wb[r] - wb[l]);
  let vx = 0.5 * (wb[n + r] - wb[n + l]);
  let uy = 0.5 * (wb[d] - wb[up]);
  let vy = 0.5 * (wb[n + d] - wb[n + up]);
  out[p] = select(1.0, 0.0, ux * ux + vx * vx + uy * uy + vy * vy > 0.01 * b2 + 0.002);
}
