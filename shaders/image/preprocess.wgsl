// image/preprocess — RGBA8 pixels (as from ImageData) to a network input:
//   v = byte / 255 · range                          (range 1 for [0,1] weights, 255 for Caffe-style)
//   output[k, y, x] = (v[channel_k] − mean_k) / std_k,  channel_k = k (RGB) or 2 − k (BGR)
// Alpha is ignored.
// Layout: pixels H·W u32, each 0xAABBGGRR (little-endian RGBA bytes); output 3×H×W.
// Dispatch: ceil(H·W / 256), spilling into y; each invocation writes the 3 channels of a pixel.

struct Params {
  HW: u32,     // pixels, H·W
  bgr: u32,    // 1: network channels in B, G, R order (Caffe-style); 0: R, G, B
  range: f32,  // v = byte / 255 · range (1 for [0,1] weights, 255 for Caffe-style)
  _pad: u32,   // padding: the means start at byte 16
  mean0: f32,  // mean of network channel 0 (R, or B when bgr = 1), in units of byte / 255 · range
  mean1: f32,  // mean of network channel 1 (G)
  mean2: f32,  // mean of network channel 2 (B, or R when bgr = 1)
  _pad1: u32,  // padding: the standard deviations start at byte 32
  std0: f32,   // standard deviation of network channel 0, in the same units
  std1: f32,   // standard deviation of network channel 1
  std2: f32,   // standard deviation of network channel 2
  _pad2: u32,  // padding to 48 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  if (p >= params.HW) { return; }
  let rgba = unpack4x8unorm(pixels[p]) * params.range;
  var v = rgba.rgb;
  if (params.bgr == 1u) { v = rgba.bgr; }
  let mean = vec3<f32>(params.mean0, params.mean1, params.mean2);
  let stdev = vec3<f32>(params.std0, params.std1, params.std2);
  let n = (v - mean) / stdev;
  output[p] = n.x;
  output[params.HW + p] = n.y;
  output[2u * params.HW + p] = n.z;
}
