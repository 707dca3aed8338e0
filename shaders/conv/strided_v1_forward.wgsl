// conv/strided_v1_forward — conv/strided_v0_forward in register blocks: each invocation owns 4
// neighbouring output pixels of one row and 8 output channels (32 sums). Per tap (c, ky, kx) it
// loads the 4 input values its pixels read and the 8 weights of that tap, and does 32
// multiply-adds (v0: one load of each per multiply-add):
//
//   output[o0 + k, yo, xb + j] = bias[o0 + k] + Σ_c Σ_ky Σ_kx weight[o0 + k, c, ky, kx] · input[c, yo·S + ky − P, (xb + j)·S + kx − P]
//
// for k = 0..7, j = 0..3 (channels past O use a clamped weight index and pixels past Wo read 0;
// neither is written). All invocations of a workgroup share the channel block, so their weight
// reads are the same address.
// Layout: input C×H×W, weight O×C×K×K (PyTorch OIHW, not repacked), bias O, output O×Ho×Wo
//         (row-major f32).
// Dispatch: [ceil(Ho·ceil(Wo/4) / 64) (spilling into z past 65535), ceil(O / 8), 1]
//           (64 blocks of 4 pixels per workgroup; y = channel block).

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

// input[c, y, x], 0 outside the map (the zero padding) or past the last output pixel's window
fn at(plane: u32, y: i32, x: i32, inside: bool) -> f32 {
  if (!inside || x < 0 || x >= i32(params.W)) { return 0.0; }
  return input[plane + u32(y) * params.W + u32(x)];
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let blocksPerRow = (params.Wo + 3u) / 4u;
  let q = gid.x + gid.z * nwg.x * 64u;  // pixel block (groups past 65535 spill into z)
  if (q >= params.Ho * blocksPerRow) { return; }
  let yo = q / blocksPerRow;
  let xb = (q % blocksPerRow) * 4u;
  let o0 = gid.y * 8u;
  let K = params.K;
  let S = i32(params.stride);
  let taps = params.C * K * K;  // weights per output channel
  let last = params.O - 1u;
  let y0 = i32(yo) * S - i32(params.pad);
  let x0 = i32(xb) * S - i32(params.pad);
  // acc[k][j]: output channel o0 + k at pixel xb + j
  var acc: array<vec4<f32>, 8>;
  for (var c = 0u; c < params.C; c++) {
    let plane = c * params.H * params.W;
    for (var ky = 0u; ky < K; ky++) {
      let y = y0 + i32(ky);
      if (y < 0 || y >= i32(params.H)) { continue; }
      for (var kx = 0u; kx < K; kx++) {
        let x = x0 + i32(kx);
        let v = vec4<f32>(at(plane, y, x, true), at(plane, y, x + S, xb + 1u < params.Wo), at(plane, y, x + 2 * S, xb + 2u < params.Wo), at(plane, y, x + 3 * S, xb + 3u < params.Wo));
        let t = (c * K + ky) * K + kx;  // this tap's offset within one output channel's weights
        for (var k = 0u; k < 8u; k++) {
          acc[k] += v * weight[min(o0 + k, last) * taps + t];
        }
      }
    }
  }
  let plane = params.Ho * params.Wo;
  let row = yo * params.Wo + xb;
  for (var k = 0u; k < 8u; k++) {
    let o = o0 + k;
    if (o >= params.O) { break; }
    var r = acc[k] + vec4<f32>(bias[o]);
    if (params.relu != 0u) { r = max(r, vec4<f32>(0.0)); }
    for (var j = 0u; j < 4u; j++) {
      if (xb + j < params.Wo) { output[o * plane + row + j] = r[j]; }
    }
  }
}
