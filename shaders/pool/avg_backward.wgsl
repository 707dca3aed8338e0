// pool/avg_backward — gradient of pool/avg_forward:
//   grad_input[c, y, x] = ¼ grad_output[c, y/2, x/2]  (0 in a dropped trailing odd row/column)
// Layout: grad_output C×Ho×Wo, grad_input C×H×W. Dispatch: ceil(C·H·W / 256), spilling into y.

struct Params {
  C: u32,     // channels
  H: u32,     // height of the grad_input in pixels (Ho = floor(H/2))
  W: u32,     // width of the grad_input in pixels (Wo = floor(W/2))
  _pad: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_input: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.C * params.H * params.W) { return; }
  let Ho = params.H / 2u;
  let Wo = params.W / 2u;
  let x = i % params.W;
  let y = (i / params.W) % params.H;
  let c = i / (params.W * params.H);
  var g = 0.0;
  if (y / 2u < Ho && x / 2u < Wo) { g = 0.25 * grad_output[(c * Ho + y / 2u) * Wo + x / 2u]; }
  grad_input[i] = g;
}
