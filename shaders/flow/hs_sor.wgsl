// flow/hs_sor — one half-sweep of red-black successive over-relaxation for Horn–Schunck on the
// flow increment of one warp (src/kernels/flow/flow.ts), in place: the pixels with
// (x + y) mod 2 = parity are updated from their four neighbours, all of the other colour (an
// edge's missing neighbour is the pixel itself), so the order within a dispatch does not matter.
// With f0 the flow the frame was warped by, f̄ the neighbours' mean and Ix, Iy, It from
// flow/derivatives:
//   t = (Ix·(ū − u0) + Iy·(v̄ − v0) + It) / (alpha2 + Ix² + Iy²)
//   u ← (1 − omega)·u + omega·(ū − Ix·t),  v ← (1 − omega)·v + omega·(v̄ − Iy·t)
// the Gauss–Seidel step towards the minimiser of
//   ∫ (It + Ix·(u − u0) + Iy·(v − v0))² + alpha2·(|∇u|² + |∇v|²).
// A sweep is parity 0 then parity 1. (Measured against Jacobi steps: docs/video.md, "Optical flow".)
// Layout: deriv 3×H×W, flow0 and flow 2×H×W (dx plane, then dy), row-major f32; flow is updated
// in place, flow0 is another buffer.
// Dispatch: ceil(H·⌈W/2⌉ / 256), spilling into y; one invocation per pixel of the colour (row y's
// k-th is x = 2k + ((y + parity) mod 2); one past the row's end returns).

struct Params {
  H: u32,      // height
  W: u32,      // width
  alpha2: f32, // smoothness weight α² (grey levels in [0, 1])
  omega: f32,  // over-relaxation factor, in (0, 2)
  parity: u32, // which colour this dispatch updates: (x + y) mod 2
  _pad0: u32,  // padding to 32 bytes
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> deriv: array<f32>;
@group(0) @binding(2) var<storage, read> flow0: array<f32>;
@group(0) @binding(3) var<storage, read_write> flow: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let W = params.W;
  let half = (W + 1u) / 2u;
  if (i >= params.H * half) { return; }
  let y = i / half;
  let x = 2u * (i % half) + ((y + params.parity) & 1u);
  if (x >= W) { return; }
  let n = params.H * W;
  let p = y * W + x;
  let l = y * W + select(x - 1u, 0u, x == 0u);
  let r = y * W + min(x + 1u, W - 1u);
  let u = select(y - 1u, 0u, y == 0u) * W + x;
  let d = min(y + 1u, params.H - 1u) * W + x;
  let ub = 0.25 * (flow[l] + flow[r] + flow[u] + flow[d]);
  let vb = 0.25 * (flow[n + l] + flow[n + r] + flow[n + u] + flow[n + d]);
  let ix = deriv[p];
  let iy = deriv[n + p];
  let t = (ix * (ub - flow0[p]) + iy * (vb - flow0[n + p]) + deriv[2u * n + p]) / (params.alpha2 + ix * ix + iy * iy);
  flow[p] = (1.0 - params.omega) * flow[p] + params.omega * (ub - ix * t);
  flow[n + p] = (1.0 - params.omega) * flow[n + p] + params.omega * (vb - iy * t);
}
