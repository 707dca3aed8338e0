// elementwise/relu_forward — output[i] = max(input[i], 0). Elementwise over any layout.
// (VGG normally uses the conv kernels' fused ReLU, relu = 1; this unfused kernel is kept for tests
// and reuse.)
// Dispatch: ceil(n / 256) workgroups, spilling into y past 65535.

struct Params {
  n: u32,  // element count
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  output[i] = max(input[i], 0.0);
}
