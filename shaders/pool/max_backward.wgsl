// pool/max_backward — gradient of pool/max_forward, as a gather over input positions:
//   grad_input[c, y, x] = grad_output[c, y/2, x/2] if (y, x) is the arg-max of its window, else 0.
// Ties go to the first maximum in row-major order (top-left first), so exactly one input of each
// window receives the gradient. The window's arg-max is recomputed from the input: no index buffer.
// Positions in a dropped trailing odd row/column get 0.
// Layout: input C×H×W, grad_output C×Ho×Wo, grad_input C×H×W.
// Dispatch: ceil(C·H·W / 256), spilling into y.

struct Params {
  C: u32,     // channels
  H: u32,     // height of the input and grad_input in pixels (Ho = floor(H/2))
  W: u32,     // width of the input and grad_input in pixels (Wo = floor(W/2))
  _pad: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_input: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.C * params.H * params.W) { return; }
  let Ho = params.H / 2u;
  let Wo = params.W / 2u;
  let x = i % params.W;
  let y = (i / params.W) % params.H;
  let c = i / (params.W * params.H);
  let yo = y / 2u;
  let xo = x / 2u;
  var g = 0.0;
  if (yo < Ho && xo < Wo) {
    let base = (c * params.H + 2u * yo) * params.W + 2u * xo;
    // arg-max of the window, first one wins on ties: 0 = top-left, 1 = top-right, 2, 3 = bottom row
    var best = input[base];
    var arg = 0u;
    if (input[base + 1u] > best) { best = input[base + 1u]; arg = 1u; }
    if (input[base + params.W] > best) { best = input[base + params.W]; arg = 2u; }
    if (input[base + params.W + 1u] > best) { arg = 3u; }
    let mine = (y % 2u) * 2u + (x % 2u);
    if (mine == arg) { g = grad_output[(c * Ho + yo) * Wo + xo]; }
  }
  grad_input[i] = g;
}
