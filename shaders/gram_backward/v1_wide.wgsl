// gram_backward/v1_wide — version 1 of gram_backward/v0_narrow (same result), for CPU adapters:
//   grad_features[i, m] = scale · Σ_j (grad_gram[i, j] + grad_gram[j, i]) · features[j, m]
// Each invocation computes 4 rows × 8 columns of grad_features (version 0: 4 × 4), so every
// symmetrised entry dG[i, j] + dG[j, i] (two loads) feeds 8 multiply-adds instead of 4:
// 16 loads per 32 FMA instead of 12 per 16. No workgroup memory or barriers.
// Layout: features C×M, grad_gram C×C, grad_features C×M.
// Dispatch: (ceil(ceil(M/8) / 64), ceil(C/4)) workgroups of 64; x = column block, y = row block.

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

fn store(i: u32, m0: u32, lo: vec4<f32>, hi: vec4<f32>) {
  if (i >= params.C) { return; }
  for (var b = 0u; b < 4u; b++) {
    if (m0 + b < params.M) { grad_features[i * params.M + m0 + b] = params.scale * lo[b]; }
    if (m0 + 4u + b < params.M) { grad_features[i * params.M + m0 + 4u + b] = params.scale * hi[b]; }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m0 = gid.x * 8u;
  let i0 = gid.y * 4u;
  if (m0 >= params.M || i0 >= params.C) { return; }
  // r_a: row i0+a, columns m0..m0+3; q_a: columns m0+4..m0+7
  var r0 = vec4<f32>(); var r1 = vec4<f32>(); var r2 = vec4<f32>(); var r3 = vec4<f32>();
  var q0 = vec4<f32>(); var q1 = vec4<f32>(); var q2 = vec4<f32>(); var q3 = vec4<f32>();
  for (var j = 0u; j < params.C; j++) {
    let lo = vec4<f32>(feat(j, m0), feat(j, m0 + 1u), feat(j, m0 + 2u), feat(j, m0 + 3u));
    let hi = vec4<f32>(feat(j, m0 + 4u), feat(j, m0 + 5u), feat(j, m0 + 6u), feat(j, m0 + 7u));
    let s0 = sym(i0, j); let s1 = sym(i0 + 1u, j); let s2 = sym(i0 + 2u, j); let s3 = sym(i0 + 3u, j);
    r0 += s0 * lo; q0 += s0 * hi;
    r1 += s1 * lo; q1 += s1 * hi;
    r2 += s2 * lo; q2 += s2 * hi;
    r3 += s3 * lo; q3 += s3 * hi;
  }
  store(i0, m0, r0, q0);
  store(i0 + 1u, m0, r1, q1);
  store(i0 + 2u, m0, r2, q2);
  store(i0 + 3u, m0, r3, q3);
}
