// flow/derivatives — the brightness-constancy terms of one warp (src/kernels/flow/flow.ts): with
// a the first frame and w the second warped by the current flow (flow/warp_map's plane 0, C = 1),
// central differences averaged over both frames, the temporal difference, all zero where the
// warped point left the frame (warped plane 1 = 0):
//   Ix = m·¼(a[y, x+1] − a[y, x−1] + w[y, x+1] − w[y, x−1])
//   Iy = m·¼(a[y+1, x] − a[y−1, x] + w[y+1, x] − w[y−1, x])
//   It = m·(w[y, x] − a[y, x])
// with neighbours past an edge replaced by the edge pixel (so a 1-wide map has Ix = 0).
// Layout: a H×W, warped 2×H×W, out 3×H×W (Ix, Iy, It planes), row-major f32.
// Dispatch: ceil(H·W / 256), spilling into y; one invocation per pixel.

struct Params {
  H: u32,     // height
  W: u32,     // width
  _pad0: u32, // padding to 16 bytes
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> warped: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

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
  let m = warped[n + p];
  out[p] = m * 0.25 * (a[r] - a[l] + warped[r] - warped[l]);
  out[n + p] = m * 0.25 * (a[d] - a[u] + warped[d] - warped[u]);
  out[2u * n + p] = m * (warped[p] - a[p]);
}
