// strided_conv/v0_plain_forward — 2-D convolution with any kernel size K ≥ 1, stride S ≥ 1 and zero
// padding P ≥ 0 (SqueezeNet's conv1: K = 3, S = 2, P = 0), plus bias, optionally followed by ReLU.
//
//   output[o, yo, xo] = bias[o] + Σ_c Σ_ky Σ_kx weight[o, c, ky, kx] · input[c, yo·S + ky − P, xo·S + kx − P]
//
// with input taken as 0 outside the map. Ho = floor((H + 2P − K)/S) + 1 (PyTorch's rule; the
// host checks Ho, Wo ≥ 1 and passes them in). Written for clarity, not speed: one invocation per
// output value loops over all C·K·K taps. (Only the first layer of SqueezeNet uses it: C = 3.)
// Layout: input C×H×W, weight O×C×K×K (PyTorch OIHW, not repacked), bias O, output O×Ho×Wo
//         (row-major f32).
// Dispatch: ceil(O·Ho·Wo / 256), spilling into y.

struct Params {
  C: u32,       // input channels
  H: u32,       // input height in pixels
  W: u32,       // input width in pixels
  O: u32,       // output channels
  Ho: u32,      // output height: floor((H + 2·pad − K) / stride) + 1
  Wo: u32,      // output width: floor((W + 2·pad − K) / stride) + 1
  K: u32,       // kernel size (K×K taps)
  stride: u32,  // stride in both directions
  pad: u32,     // zero padding on every side
  relu: u32,    // non-zero: ReLU after the bias
  _pad0: u32,   // padding to 48 bytes
  _pad1: u32,   // padding to 48 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.O * params.Ho * params.Wo) { return; }
  let xo = i % params.Wo;
  let yo = (i / params.Wo) % params.Ho;
  let o = i / (params.Wo * params.Ho);
  let K = params.K;
  // top-left tap in input coordinates (may lie in the padding: negative)
  let y0 = i32(yo * params.stride) - i32(params.pad);
  let x0 = i32(xo * params.stride) - i32(params.pad);
  var s = 0.0;
  for (var c = 0u; c < params.C; c++) {
    for (var ky = 0u; ky < K; ky++) {
      let y = y0 + i32(ky);
      if (y < 0 || y >= i32(params.H)) { continue; }
      for (var kx = 0u; kx < K; kx++) {
        let x = x0 + i32(kx);
        if (x < 0 || x >= i32(params.W)) { continue; }
        s += weight[((o * params.C + c) * K + ky) * K + kx] * input[(c * params.H + u32(y)) * params.W + u32(x)];
      }
    }
  }
  var r = s + bias[o];
  if (params.relu != 0u) { r = max(r, 0.0); }
  output[i] = r;
}
