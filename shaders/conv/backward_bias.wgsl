// conv/backward_bias — gradient of the bias: grad_bias[o] = Σ_y Σ_x grad_output[o, y, x].
// One invocation per output channel, a sequential sum over its plane (exact order, no atomics).
// Layout: grad_output O×H×W, grad_bias O. Dispatch: ceil(O / 64) workgroups.

struct Params {
  O: u32,   // output channels (planes of grad_output, length of grad_bias)
  HW: u32,  // pixels per plane, H·W
  _pad0: u32, _pad1: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_bias: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x;
  if (o >= params.O) { return; }
  var acc = 0.0;
  let base = o * params.HW;
  for (var p = 0u; p < params.HW; p++) { acc += grad_output[base + p]; }
  grad_bias[o] = acc;
}
