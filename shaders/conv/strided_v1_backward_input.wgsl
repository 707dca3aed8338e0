// conv/strided_v1_backward_input — conv/strided_v0_backward_input in blocks: each invocation owns
// one input pixel and 4 input channels (4 sums), and the workgroup keeps the weights of its 4
// channels in workgroup memory as vec4s, so each (output channel, tap) costs one gradient load
// and one vec4 read instead of five loads:
//
//   grad_input[c0 + j, y, x] = Σ_o Σ_(ky,kx) weight[o, c0 + j, ky, kx] · grad_output[o, yo, xo]
//   over the taps with yo·S = y + P − ky and xo·S = x + P − kx inside the output map,
//
// for j = 0..3 (channels past C use a clamped weight index and are not written). The output
// channels are taken in chunks of floor(256 / K²) (their weights fill the 256 vec4s; two barriers
// per chunk; K ≤ 16). A gather: no atomics, every grad_input value written once (overwritten).
// Layout: grad_output O×Ho×Wo, weight O×C×K×K (PyTorch OIHW), grad_input C×H×W (row-major f32).
// Dispatch: [ceil(H·W / 64) (spilling into z past 65535), ceil(C / 4), 1] (64 pixels per
//           workgroup; y = channel block).

struct Params {
  C: u32,       // input channels of the layer = channels of grad_input (produced here)
  H: u32,       // input height in pixels
  W: u32,       // input width in pixels
  O: u32,       // output channels of the layer = channels of grad_output (summed here)
  Ho: u32,      // output height: floor((H + 2·pad − K) / stride) + 1
  Wo: u32,      // output width: floor((W + 2·pad − K) / stride) + 1
  K: u32,       // kernel size (K×K taps), at most 16
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

const SHARED: u32 = 256u;
// weights of one chunk of output channels: [o − chunk start][tap] → the 4 channels' values
var<workgroup> wsh: array<vec4<f32>, SHARED>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.z * nwg.x * 64u;  // pixel (groups past 65535 spill into z)
  let valid = p < params.H * params.W;  // no early return: every invocation takes part in the barriers
  let x = p % params.W;
  let y = p / params.W;
  let c0 = gid.y * 4u;
  let K = params.K;
  let KK = K * K;
  let S = i32(params.stride);
  let cs = vec4<u32>(c0, min(c0 + 1u, params.C - 1u), min(c0 + 2u, params.C - 1u), min(c0 + 3u, params.C - 1u));
  let plane = params.Ho * params.Wo;
  let perChunk = SHARED / KK;  // output channels whose weights fit
  var acc = vec4<f32>(0.0);
  for (var oBase = 0u; oBase < params.O; oBase += perChunk) {
    let count = min(perChunk, params.O - oBase);
    workgroupBarrier();  // the previous chunk's reads are done
    for (var e = lid; e < count * KK; e += 64u) {
      let w = (oBase + e / KK) * params.C * KK + e % KK;  // weight[o, 0, ky, kx]
      wsh[e] = vec4<f32>(weight[w + cs.x * KK], weight[w + cs.y * KK], weight[w + cs.z * KK], weight[w + cs.w * KK]);
    }
    workgroupBarrier();
    if (valid) {
      for (var ky = 0u; ky < K; ky++) {
        // output row whose tap ky lands on input row y: yo·S = y + P − ky
        let ty = i32(y + params.pad) - i32(ky);
        if (ty < 0 || ty % S != 0 || ty / S >= i32(params.Ho)) { continue; }
        for (var kx = 0u; kx < K; kx++) {
          let tx = i32(x + params.pad) - i32(kx);
          if (tx < 0 || tx % S != 0 || tx / S >= i32(params.Wo)) { continue; }
          let at = u32(ty / S) * params.Wo + u32(tx / S);
          let t = ky * K + kx;
          for (var o = 0u; o < count; o++) {
            acc += grad_output[(oBase + o) * plane + at] * wsh[o * KK + t];
          }
        }
      }
    }
  }
  if (!valid) { return; }
  let HW = params.H * params.W;
  for (var j = 0u; j < 4u; j++) {
    if (c0 + j >= params.C) { break; }
    grad_input[(c0 + j) * HW + p] = acc[j];
  }
}
