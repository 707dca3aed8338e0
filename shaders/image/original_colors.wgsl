// image/original_colors — keep the content image's colours, take only the luminance of the result
// (the "original colors" option of neural-style / Gatys et al. 2016, luminance transfer in YIQ):
//   Y from the stylized pixel, I and Q from the content pixel, converted back to RGB and clamped.
//   Y = 0.299 R + 0.587 G + 0.114 B;  I = 0.596 R − 0.274 G − 0.322 B;  Q = 0.211 R − 0.523 G + 0.312 B
// Layout: stylized, content, output: H·W u32 packed RGBA8 (0xAABBGGRR); output alpha 255.
// Dispatch: ceil(H·W / 256) workgroups of 256, spilling into y.

struct Params {
  HW: u32,  // pixels, H·W
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> stylized: array<u32>;
@group(0) @binding(2) var<storage, read> content: array<u32>;
@group(0) @binding(3) var<storage, read_write> output: array<u32>;

const TO_YIQ = mat3x3<f32>(
  vec3<f32>(0.299, 0.596, 0.211),   // column R: contributions of R to Y, I, Q
  vec3<f32>(0.587, -0.274, -0.523), // column G
  vec3<f32>(0.114, -0.322, 0.312),  // column B
);
const FROM_YIQ = mat3x3<f32>(
  vec3<f32>(1.0, 1.0, 1.0),         // column Y: contributions of Y to R, G, B
  vec3<f32>(0.956, -0.272, -1.106), // column I
  vec3<f32>(0.621, -0.647, 1.703),  // column Q
);

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  if (p >= params.HW) { return; }
  let y = (TO_YIQ * unpack4x8unorm(stylized[p]).rgb).x;
  let iq = (TO_YIQ * unpack4x8unorm(content[p]).rgb).yz;
  let rgb = FROM_YIQ * vec3<f32>(y, iq);
  output[p] = pack4x8unorm(vec4<f32>(clamp(rgb, vec3<f32>(0.0), vec3<f32>(1.0)), 1.0));
}
