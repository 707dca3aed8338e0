// image/colour_affine — a colour transform of a 3-channel image, the same for every pixel:
//   out[c, p] = Σ_d A[c, d] · x[d, p] + b[c]
// (colour matching: the style image recoloured to the content's mean and covariance, computed
// on the host from image/colour_moments). out may not be x (use a second buffer).
// Layout: x and out 3×n (a 3×H×W map, n = H·W, row-major f32).
// Dispatch: ceil(n / 256), spilling into y.

struct Params {
  n: u32,     // pixels per channel, H·W
  a00: f32,   // A, row-major: row c gives output channel c
  a01: f32,
  a02: f32,
  a10: f32,
  a11: f32,
  a12: f32,
  a20: f32,
  a21: f32,
  a22: f32,
  b0: f32,    // b, the offset per output channel
  b1: f32,
  b2: f32,
  _pad0: u32, // padding to 64 bytes
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  let n = params.n;
  if (p >= n) { return; }
  let v = vec3<f32>(x[p], x[n + p], x[2u * n + p]);
  out[p] = dot(vec3<f32>(params.a00, params.a01, params.a02), v) + params.b0;
  out[n + p] = dot(vec3<f32>(params.a10, params.a11, params.a12), v) + params.b1;
  out[2u * n + p] = dot(vec3<f32>(params.a20, params.a21, params.a22), v) + params.b2;
}
