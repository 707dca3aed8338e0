// elementwise/relu_backward — grad_input[i] = grad_output[i] if activation[i] > 0, else 0.
// `activation` may be the ReLU's input or its output: both are > 0 at exactly the same places,
// so the fused conv+ReLU can pass its output. (The derivative at exactly 0 is taken as 0.)
// Layout: any, n elements; grad_input must be a buffer of its own (no aliasing).
// Dispatch: ceil(n / 256) workgroups, spilling into y past 65535.

struct Params {
  n: u32,  // element count
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activation: array<f32>;
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_input: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  grad_input[i] = select(0.0, grad_output[i], activation[i] > 0.0);
}
