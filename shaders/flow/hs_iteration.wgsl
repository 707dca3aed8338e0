// flow/hs_iteration — one Jacobi iteration of Horn–Schunck on the flow increment of one warp
// (src/kernels/flow/flow.ts). With f0 the flow the frame was warped by, f the current estimate,
// f̄ the mean of f's four neighbours (an edge's missing neighbour is the pixel itself) and
// Ix, Iy, It from flow/derivatives:
//   t = (Ix·(ū − u0) + Iy·(v̄ − v0) + It) / (alpha2 + Ix² + Iy²)
//   out_u = ū − Ix·t,  out_v = v̄ − Iy·t
// the minimiser of ∫ (It + Ix·(u − u0) + Iy·(v − v0))² + alpha2·(|∇u|² + |∇v|²).
// Layout: deriv 3×H×W, flow0, flow_in, out 2×H×W (dx plane, then dy), row-major f32; out is
// another buffer than flow_in (ping-pong).
// Dispatch: ceil(H·W / 256), spilling into y; one invocation per pixel.

struct Params {
  H: u32,      // height
  W: u32,      // width
  alpha2: f32, // smoothness weight α² (grey levels in [0, 1])
  _pad0: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> deriv: array<f32>;
@group(0) @binding(2) var<storage, read> flow0: array<f32>;
@group(0) @binding(3) var<storage, read> flow_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  let W = params.W;
  let n = params.H * W;
  if (p >= n) { return; }
  let y = p / W;
  let x = p % W;
  let l = y * W + select(x - 1u, 0u, x == 0u);
  let r = y * W + min(x + 1u, W - 1u);
  let u = select(y - 1u, 0u, y == 0u) * W + x;
  let d = min(y + 1u, params.H - 1u) * W + x;
  let ub = 0.25 * (flow_in[l] + flow_in[r] + flow_in[u] + flow_in[d]);
  let vb = 0.25 * (flow_in[n + l] + flow_in[n + r] + flow_in[n + u] + flow_in[n + d]);
  let ix = deriv[p];
  let iy = deriv[n + p];
  let t = (ix * (ub - flow0[p]) + iy * (vb - flow0[n + p]) + deriv[2u * n + p]) / (params.alpha2 + ix * ix + iy * iy);
  out[p] = ub - ix * t;
  out[n + p] = vb - iy * t;
}
