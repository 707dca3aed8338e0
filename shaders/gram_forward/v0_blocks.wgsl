// gram_forward/v0_blocks — Gram matrix of a feature map, G = scale · F·Fᵀ:
//   gram[i, j] = scale · Σ_m features[i, m] · features[j, m]      (F is C×M, M = H·W)
// G is symmetric, so each invocation computes one 4×4 block on or above the diagonal and writes
// it and its mirror; invocations below the diagonal exit at once. Register-blocked, no barriers.
// Split-K: workgroup z sums only m in [z·chunk, (z+1)·chunk) and writes slice z of `gram`; with
// more than one slice, gram_forward/sum_slices adds them up. (A wide map such as conv1_1 at 512², M = 2¹⁸,
// otherwise leaves a few hundred invocations each looping over all of M.)
// Layout: features C×M (a CHW map read as C rows of M), gram S×C×C (S = number of slices).
// Dispatch: (ceil(ceil(C/4) / 8), ceil(ceil(C/4) / 8), S) workgroups of 8×8; x = column block,
// y = row block, z = slice.

struct Params {
  C: u32,      // channels: rows of F, G is C×C
  M: u32,      // values per channel, H·W
  scale: f32,  // factor on F·Fᵀ
  chunk: u32,  // m per split-K slice: workgroup z sums m in [z·chunk, (z+1)·chunk); M if unsplit
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<f32>;
@group(0) @binding(2) var<storage, read_write> gram: array<f32>;

fn row(i: u32, m: u32) -> f32 {
  return select(0.0, features[min(i, params.C - 1u) * params.M + m], i < params.C);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i0 = gid.y * 4u;
  let j0 = gid.x * 4u;
  if (i0 >= params.C || j0 >= params.C || j0 < i0) { return; }
  var s0 = vec4<f32>(); var s1 = vec4<f32>(); var s2 = vec4<f32>(); var s3 = vec4<f32>();
  let mEnd = min(params.M, (gid.z + 1u) * params.chunk);
  for (var m = gid.z * params.chunk; m < mEnd; m++) {
    let b = vec4<f32>(row(j0, m), row(j0 + 1u, m), row(j0 + 2u, m), row(j0 + 3u, m));
    s0 += row(i0, m) * b;
    s1 += row(i0 + 1u, m) * b;
    s2 += row(i0 + 2u, m) * b;
    s3 += row(i0 + 3u, m) * b;
  }
  let rows = array<vec4<f32>, 4>(s0, s1, s2, s3);
  let slice = gid.z * params.C * params.C;
  for (var a = 0u; a < 4u; a++) {
    for (var b = 0u; b < 4u; b++) {
      let i = i0 + a;
      let j = j0 + b;
      if (i < params.C && j < params.C) {
        let v = params.scale * rows[a][b];
        gram[slice + i * params.C + j] = v;
        gram[slice + j * params.C + i] = v;
      }
    }
  }
}
