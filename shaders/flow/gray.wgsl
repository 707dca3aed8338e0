// flow/gray — a 3×H×W image to one grey plane in [0, 1] for optical flow (src/kernels/flow/flow.ts):
//   out[p] = wr·in[0, p] + wg·in[1, p] + wb·in[2, p] + bias
// The host folds the input's convention into the weights (Rec. 601 luma 0.299, 0.587, 0.114 of
// the RGB in [0, 1]): for [0, 1] RGB they are the luma weights and bias 0; for network space
// (x − mean)/std they are luma·std/range and bias Σ luma·mean/range.
// Layout: in 3×n, out n (n = H·W), row-major f32.
// Dispatch: ceil(n / 256), spilling into y; one invocation per pixel.

struct Params {
  n: u32,     // pixels (H·W)
  wr: f32,    // weight of plane 0
  wg: f32,    // weight of plane 1
  wb: f32,    // weight of plane 2
  bias: f32,  // added to every pixel
  _pad0: u32, // padding to 32 bytes
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  let n = params.n;
  if (p >= n) { return; }
  out[p] = params.wr * input[p] + params.wg * input[n + p] + params.wb * input[2u * n + p] + params.bias;
}
