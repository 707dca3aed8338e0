// image/postprocess — network-space image back to displayable RGBA8, the inverse of image/preprocess:
//   v_k = image[k, y, x] · std_k + mean_k;  rgb = v in RGB order (un-swapped if bgr = 1) / range,
//   clamped to [0, 1], rounded to bytes, alpha = 255.
// Layout: image 3×H×W; pixels H·W u32 (0xAABBGGRR). Dispatch: ceil(H·W / 256), spilling into y.

struct Params {
  HW: u32,     // pixels, H·W
  bgr: u32,    // 1: network channels in B, G, R order, swapped back to RGB here; 0: R, G, B
  range: f32,  // value of a full byte: de-normalised values are divided by it (1 or 255)
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
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read_write> pixels: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  if (p >= params.HW) { return; }
  let n = vec3<f32>(image[p], image[params.HW + p], image[2u * params.HW + p]);
  let mean = vec3<f32>(params.mean0, params.mean1, params.mean2);
  let stdev = vec3<f32>(params.std0, params.std1, params.std2);
  var v = (n * stdev + mean) / params.range;
  if (params.bgr == 1u) { v = v.bgr; }
  pixels[p] = pack4x8unorm(vec4<f32>(clamp(v, vec3<f32>(0.0), vec3<f32>(1.0)), 1.0));
}
