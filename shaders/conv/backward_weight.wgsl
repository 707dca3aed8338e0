// conv/backward_weight — gradient of conv/v1_direct_forward with respect to its weights.
//
//   grad_weight[o, c, ky, kx] = Σ_y Σ_x grad_output[o, y, x] · input[c, y+ky-pad, x+kx-pad]
//
// One invocation per weight element, summing over all pixels. Not on the style-transfer hot path
// (VGG weights are constants there); kept simple and exact for training-style use and tests.
// Layout: input C×H×W, grad_output O×H×W, grad_weight O×C×K×K (OIHW).
// Dispatch: ceil(O·C·K·K / 64) workgroups (spilling into y past 65535).

struct Params {
  C: u32,  // input channels of the layer
  H: u32,  // map height in pixels (input and grad_output)
  W: u32,  // map width in pixels
  O: u32,  // output channels of the layer
  K: u32,  // kernel size (K×K taps, K odd, padding K/2)
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_weight: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  let KK = params.K * params.K;
  if (i >= params.O * params.C * KK) { return; }
  let kx = i32(i % params.K);
  let ky = i32((i / params.K) % params.K);
  let c = (i / KK) % params.C;
  let o = i / (KK * params.C);
  let pad = i32(params.K / 2u);
  let H = i32(params.H);
  let W = i32(params.W);
  // Only output pixels whose tap lands inside the input contribute.
  let y0 = max(0, pad - ky);
  let y1 = min(H, H + pad - ky);
  let x0 = max(0, pad - kx);
  let x1 = min(W, W + pad - kx);
  var acc = 0.0;
  for (var y = y0; y < y1; y++) {
    let gRow = (o * params.H + u32(y)) * params.W;
    let iRow = (c * params.H + u32(y + ky - pad)) * params.W;
    for (var x = x0; x < x1; x++) {
      acc += grad_output[gRow + u32(x)] * input[iRow + u32(x + kx - pad)];
    }
  }
  grad_weight[i] = acc;
}
