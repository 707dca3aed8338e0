// strided_conv/v1_blocks_forward — strided_conv/v0_plain_forward computed 8 output channels at a time: each
// invocation owns one output pixel and a block of 8 output channels, reads each input tap once
// and multiplies it into 8 accumulators (v0 reads every input tap once per output channel):
//
//   output[o0 + j, yo, xo] = bias[o0 + j] + Σ_c Σ_ky Σ_kx weight[o0 + j, c, ky, kx] · input[c, yo·S + ky − P, xo·S + kx − P]
//
// for j = 0..7 (channels past O are computed on a clamped weight index and not written). All
// invocations of a workgroup share the channel block, so their weight reads are the same address.
// Layout: input C×H×W, weight O×C×K×K (PyTorch OIHW, not repacked), bias O, output O×Ho×Wo
//         (row-major f32).
// Dispatch: [ceil(Ho·Wo / 64) (spilling into z past 65535), ceil(O / 8), 1] (64 pixels per workgroup; y = channel block).

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

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.z * nwg.x * 64u;  // pixel (groups past 65535 spill into z)
  if (p >= params.Ho * params.Wo) { return; }
  let xo = p % params.Wo;
  let yo = p / params.Wo;
  let o0 = gid.y * 8u;
  let K = params.K;
  let taps = params.C * K * K;  // weights per output channel
  let last = params.O - 1u;
  let y0 = i32(yo * params.stride) - i32(params.pad);
  let x0 = i32(xo * params.stride) - i32(params.pad);
  var lo = vec4<f32>(0.0);  // channels o0 .. o0+3
  var hi = vec4<f32>(0.0);  // channels o0+4 .. o0+7
  for (var c = 0u; c < params.C; c++) {
    for (var ky = 0u; ky < K; ky++) {
      let y = y0 + i32(ky);
      if (y < 0 || y >= i32(params.H)) { continue; }
      for (var kx = 0u; kx < K; kx++) {
        let x = x0 + i32(kx);
        if (x < 0 || x >= i32(params.W)) { continue; }
        let v = input[(c * params.H + u32(y)) * params.W + u32(x)];
        let t = (c * K + ky) * K + kx;  // this tap's offset within one output channel's weights
        lo += v * vec4<f32>(weight[o0 * taps + t], weight[min(o0 + 1u, last) * taps + t], weight[min(o0 + 2u, last) * taps + t], weight[min(o0 + 3u, last) * taps + t]);
        hi += v * vec4<f32>(weight[min(o0 + 4u, last) * taps + t], weight[min(o0 + 5u, last) * taps + t], weight[min(o0 + 6u, last) * taps + t], weight[min(o0 + 7u, last) * taps + t]);
      }
    }
  }
  let plane = params.Ho * params.Wo;
  for (var j = 0u; j < 8u; j++) {
    let o = o0 + j;
    if (o >= params.O) { break; }
    var r = bias[o];
    if (j < 4u) { r += lo[j]; } else { r += hi[j - 4u]; }
    if (params.relu != 0u) { r = max(r, 0.0); }
    output[o * plane + p] = r;
  }
}
