// gram_backward/v0_narrow — gradient of gram_forward/v0_blocks with respect to the features:
//   grad_features[i, m] = scale · Σ_j (grad_gram[i, j] + grad_gram[j, i]) · features[j, m]
// (for a symmetric grad_gram, as from the style loss, this is 2·scale·(dG·F)).
// Each invocation computes a 4-row × 4-column block of grad_features in registers.
// Layout: features C×M, grad_gram C×C, grad_features C×M.
// Dispatch: (ceil(ceil(M/4) / 64), ceil(C/4)) workgroups of 64; x = column block, y = row block.

struct Params {
  C: u32,      // channels: rows of features and of grad_features, grad_gram is C×C
  M: u32,      // values per channel, H·W
  scale: f32,  // factor on the result (the Gram's scale)
  _pad: u32,   // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<f32>;
@group(0) @binding(2) var<storage, read> grad_gram: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_features: array<f32>;

// Symmetrised gradient entry dG[i, j] + dG[j, i] (0 outside the matrix).
fn sym(i: u32, j: u32) -> f32 {
  if (i >= params.C) { return 0.0; }
  return grad_gram[i * params.C + j] + grad_gram[j * params.C + i];
}

fn feat(j: u32, m: u32) -> f32 {
  return select(0.0, features[j * params.M + min(m, params.M - 1u)], m < params.M);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m0 = gid.x * 4u;
  let i0 = gid.y * 4u;
  if (m0 >= params.M || i0 >= params.C) { return; }
  var r0 = vec4<f32>(); var r1 = vec4<f32>(); var r2 = vec4<f32>(); var r3 = vec4<f32>();
  for (var j = 0u; j < params.C; j++) {
    let f = vec4<f32>(feat(j, m0), feat(j, m0 + 1u), feat(j, m0 + 2u), feat(j, m0 + 3u));
    r0 += sym(i0, j) * f;
    r1 += sym(i0 + 1u, j) * f;
    r2 += sym(i0 + 2u, j) * f;
    r3 += sym(i0 + 3u, j) * f;
  }
  let rows = array<vec4<f32>, 4>(r0, r1, r2, r3);
  for (var a = 0u; a < 4u; a++) {
    for (var b = 0u; b < 4u; b++) {
      let i = i0 + a;
      let m = m0 + b;
      if (i < params.C && m < params.M) { grad_features[i * params.M + m] = params.scale * rows[a][b]; }
    }
  }
}
