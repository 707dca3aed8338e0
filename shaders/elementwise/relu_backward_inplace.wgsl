// elementwise/relu_backward_inplace — grad[i] = grad[i] if activation[i] > 0, else 0, overwriting grad.
// The same as elementwise/relu_backward when the incoming gradient is not needed afterwards (the tape's case:
// a conv output's gradient is read only by that conv's backward), so no second buffer is needed.
// `activation` may be the ReLU's input or its output (> 0 at the same places; derivative at 0 is 0).
// Layout: any, n elements. Dispatch: ceil(n / 256) workgroups, spilling into y past 65535.

struct Params {
  n: u32,  // element count
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activation: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  if (!(activation[i] > 0.0)) { grad[i] = 0.0; }
}
