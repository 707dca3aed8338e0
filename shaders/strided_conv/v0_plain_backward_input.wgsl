// strided_conv/v0_plain_backward_input — gradient of strided_conv/v0_plain_forward with respect to its input (the
// transposed strided convolution), as a gather: each input position sums the outputs whose
// window covers it, so no atomics and every grad_input value is written exactly once.
//
//   grad_input[c, y, x] = Σ_o Σ_ky Σ_kx weight[o, c, ky, kx] · grad_output[o, yo, xo]
//       over taps with yo·S = y + P − ky and xo·S = x + P − kx, 0 ≤ yo < Ho, 0 ≤ xo < Wo
//
// Input positions no window reads (trailing rows/columns when (H + 2P − K) is not a multiple of
// S) get 0. Bias and ReLU are not included: this kernel sees the gradient after them.
// Layout: grad_output O×Ho×Wo, weight O×C×K×K (PyTorch OIHW), grad_input C×H×W (row-major f32).
// Dispatch: ceil(C·H·W / 256), spilling into y.

struct Params {
  C: u32,       // input channels of the layer = channels of grad_input (produced here)
  H: u32,       // input height in pixels
  W: u32,       // input width in pixels
  O: u32,       // output channels of the layer = channels of grad_output (summed here)
  Ho: u32,      // output height: floor((H + 2·pad − K) / stride) + 1
  Wo: u32,      // output width: floor((W + 2·pad − K) / stride) + 1
  K: u32,       // kernel size (K×K taps)
  stride: u32,  // stride in both directions
  pad: u32,     // zero padding on every side
  _pad0: u32,   // padding to 48 bytes
  _pad1: u32,   // padding to 48 bytes
  _pad2: u32,   // padding to 48 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_input: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.C * params.H * params.W) { return; }
  let x = i % params.W;
  let y = (i / params.W) % params.H;
  let c = i / (params.W * params.H);
  let K = params.K;
  let S = i32(params.stride);
  var s = 0.0;
  for (var ky = 0u; ky < K; ky++) {
    // output row whose tap ky lands on input row y: yo·S = y + P − ky
    let ty = i32(y + params.pad) - i32(ky);
    if (ty < 0 || ty % S != 0 || ty / S >= i32(params.Ho)) { continue; }
    let yo = u32(ty / S);
    for (var kx = 0u; kx < K; kx++) {
      let tx = i32(x + params.pad) - i32(kx);
      if (tx < 0 || tx % S != 0 || tx / S >= i32(params.Wo)) { continue; }
      let xo = u32(tx / S);
      for (var o = 0u; o < params.O; o++) {
        s += weight[((o * params.C + c) * K + ky) * K + kx] * grad_output[(o * params.Ho + yo) * params.Wo + xo];
      }
    }
  }
  grad_input[i] = s;
}
