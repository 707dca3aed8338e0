// elementwise/fill — y[i] = value (zeroing gradient buffers, constant inits).
// Layout: any, n elements. Dispatch: ceil(n / 256), spilling into y.

struct Params {
  n: u32,      // element count
  value: f32,  // the value written to every element
  _pad0: u32, _pad1: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  y[i] = params.value;
}
