// elementwise/axpby — y[i] = a·x[i] + b·y[i]. Covers scale (x = y's copy, b = 0), copy (a = 1, b = 0) and
// gradient accumulation (b = 1). With b = 0 the old y is not read, so garbage/NaN in a fresh
// pooled buffer cannot leak through 0·NaN.
// Layout: any, n elements. Dispatch: ceil(n / 256), spilling into y.

struct Params {
  n: u32,     // element count
  a: f32,     // factor on x
  b: f32,     // factor on the old y (0: y is not read)
  _pad: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  var v = params.a * x[i];
  if (params.b != 0.0) { v += params.b * y[i]; }
  y[i] = v;
}
