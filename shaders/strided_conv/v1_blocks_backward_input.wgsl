// strided_conv/v1_blocks_backward_input — strided_conv/v0_plain_backward_input computed 4 input channels at a
// time: each invocation owns one input pixel and a block of 4 input channels, reads each output
// gradient it needs once and multiplies it into 4 accumulators (v0 reads it once per channel):
//
//   grad_input[c0 + j, y, x] = Σ_o Σ_(ky,kx) weight[o, c0 + j, ky, kx] · grad_output[o, yo, xo]
//   over the taps with yo·S = y + P − ky and xo·S = x + P − kx inside the output map,
//
// for j = 0..3 (channels past C are computed on a clamped weight index and not written). A gather:
// no atomics, every grad_input value written once (overwritten).
// Layout: grad_output O×Ho×Wo, weight O×C×K×K (PyTorch OIHW), grad_input C×H×W (row-major f32).
// Dispatch: [ceil(H·W / 64) (spilling into z past 65535), ceil(C / 4), 1] (64 pixels per workgroup; y = channel block).

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

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.z * nwg.x * 64u;  // pixel (groups past 65535 spill into z)
  if (p >= params.H * params.W) { return; }
  let x = p % params.W;
  let y = p / params.W;
  let c0 = gid.y * 4u;
  let K = params.K;
  let S = i32(params.stride);
  let KK = K * K;
  let cs = vec4<u32>(c0, min(c0 + 1u, params.C - 1u), min(c0 + 2u, params.C - 1u), min(c0 + 3u, params.C - 1u));
  let plane = params.Ho * params.Wo;
  var acc = vec4<f32>(0.0);
  for (var ky = 0u; ky < K; ky++) {
    // output row whose tap ky lands on input row y: yo·S = y + P − ky
    let ty = i32(y + params.pad) - i32(ky);
    if (ty < 0 || ty % S != 0 || ty / S >= i32(params.Ho)) { continue; }
    let yo = u32(ty / S);
    for (var kx = 0u; kx < K; kx++) {
      let tx = i32(x + params.pad) - i32(kx);
      if (tx < 0 || tx % S != 0 || tx / S >= i32(params.Wo)) { continue; }
      let xo = u32(tx / S);
      let t = ky * K + kx;  // the tap within one (o, c) filter
      for (var o = 0u; o < params.O; o++) {
        let g = grad_output[o * plane + yo * params.Wo + xo];
        let base = o * params.C * KK + t;
        acc += g * vec4<f32>(weight[base + cs.x * KK], weight[base + cs.y * KK], weight[base + cs.z * KK], weight[base + cs.w * KK]);
      }
    }
  }
  let HW = params.H * params.W;
  for (var j = 0u; j < 4u; j++) {
    if (c0 + j >= params.C) { break; }
    grad_input[(c0 + j) * HW + p] = acc[j];
  }
}
