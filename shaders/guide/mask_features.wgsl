// guide/mask_features — features weighted per position by a guidance map (the guided Gram of
// Gatys et al. 2017, "Controlling Perceptual Factors in Neural Style Transfer"):
//   out[c, p] = m[p]^power · x[c, p]
// power 1 gives the guided features F⊙m, whose Gram is the region's Gram; power 2 gives that
// Gram's backward from the plain one: with G = s·(F⊙m)(F⊙m)ᵀ, dF = m² ⊙ (s·(dG + dGᵀ)·F).
// Layout: x and out C×M (a C×H×W map, M = H·W, row-major f32); m M (an H×W guidance map, 0 … 1).
// Dispatch: ceil(C·M / 256), spilling into y.

struct Params {
  C: u32,      // channels
  M: u32,      // positions per channel, H·W (m's length)
  power: u32,  // 1: m·x; 2: m²·x
  _pad0: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.C * params.M) { return; }
  let w = m[i % params.M];
  out[i] = select(w, w * w, params.power == 2u) * x[i];
}
