// image/clamp — in place, image[c, y, x] = clamp(image[c, y, x], lo_c, hi_c) for a 3-channel
// image in network space, where [lo_c, hi_c] is the valid pixel range [0, 1] mapped through the
// network's per-channel normalisation. Keeps the optimised image displayable.
// Layout: image 3×H×W (HW = H·W). Dispatch: ceil(3·HW / 256), spilling into y.

struct Params {
  HW: u32,    // pixels per channel plane, H·W
  lo0: f32,   // lower bound of network channel 0: a 0 byte normalised, (0 − mean)/std
  lo1: f32,   // lower bound of network channel 1
  lo2: f32,   // lower bound of network channel 2
  hi0: f32,   // upper bound of network channel 0: a 255 byte normalised, (range − mean)/std
  hi1: f32,   // upper bound of network channel 1
  hi2: f32,   // upper bound of network channel 2
  _pad: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> image: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= 3u * params.HW) { return; }
  let c = i / params.HW;
  let lo = array<f32, 3>(params.lo0, params.lo1, params.lo2);
  let hi = array<f32, 3>(params.hi0, params.hi1, params.hi2);
  image[i] = clamp(image[i], lo[c], hi[c]);
}
