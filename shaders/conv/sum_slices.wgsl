// conv/sum_slices — the second half of a split-K convolution (see conv/v1_direct_forward):
//   output[o, p] = act(Σ_z partial[z, o, p] + (has_bias ? bias[o] : 0)),  act = ReLU if relu = 1
// Layout: partial S×O×HW, bias O, output O×HW. Dispatch: ceil(O·HW / 256), spilling into y.

struct Params {
  O: u32,         // output channels
  HW: u32,        // pixels per channel plane, H·W
  slices: u32,    // number of partial slices S to add
  relu: u32,      // 1: ReLU after the sum (and bias)
  has_bias: u32,  // 1: add bias[o]; 0: bias is not read
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let n = params.O * params.HW;
  if (i >= n) { return; }
  var s = 0.0;
  for (var z = 0u; z < params.slices; z++) { s += partial[z * n + i]; }
  if (params.has_bias == 1u) { s += bias[i / params.HW]; }
  if (params.relu == 1u) { s = max(s, 0.0); }
  output[i] = s;
}
