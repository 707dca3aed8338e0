// gram_forward/v2_vec4 — version 2 of gram_forward/v0_blocks for CPU adapters: G = scale · F·Fᵀ,
//   gram[i, j] = scale · Σ_m features[i, m] · features[j, m]      (F is C×M, M = H·W)
// lavapipe runs invocations as the lanes of 256-bit SIMD registers, so what counts is how many
// loads feed each multiply-add: one invocation computes an 8×8 block of G, reading the 8 + 8 rows
// it needs as aligned vec4s along m — 16 loads per 256 multiply-adds, the ratio of the matmul
// ceiling (version 0: 8 scalar loads per 16). Only blocks on or above the diagonal exist: the
// invocation index t counts them row by row (no idle lanes below the diagonal); each block is
// written with its mirror. Rows past C read as zero. Split-K over workgroup z as in version 0.
// Needs M % 4 == 0 (every row starts on a vec4 boundary).
// Layout: features C×M (a CHW map read as C rows of M/4 vec4s); gram S×C×C (S = number of
// slices, summed by gram_forward/sum_slices when S > 1).
// Dispatch: (ceil(T / 64), 1, S) workgroups of 64, T = B·(B + 1)/2 blocks for B = ceil(C / 8).

struct Params {
  C: u32,      // channels: rows of F, G is C×C
  M: u32,      // values per channel, H·W (a multiple of 4)
  scale: f32,  // factor on F·Fᵀ
  chunk: u32,  // m per split-K slice (a multiple of 4): workgroup z sums m in [z·chunk, (z+1)·chunk); M if unsplit
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> gram: array<f32>;

// row i's quad q (m = 4q … 4q + 3); zero past the last row
fn quad(i: u32, q: u32) -> vec4<f32> {
  return select(vec4<f32>(), features[min(i, params.C - 1u) * (params.M / 4u) + q], i < params.C);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  // block t of the upper triangle, row by row: row r holds blocks r … B - 1
  let B = (params.C + 7u) / 8u;
  var t = gid.x;
  var r = 0u;
  while (r < B && t >= B - r) {
    t -= B - r;
    r++;
  }
  if (r >= B) { return; }
  let i0 = r * 8u;
  let j0 = (r + t) * 8u;
  var s0l = vec4<f32>(); var s0h = vec4<f32>();
  var s1l = vec4<f32>(); var s1h = vec4<f32>();
  var s2l = vec4<f32>(); var s2h = vec4<f32>();
  var s3l = vec4<f32>(); var s3h = vec4<f32>();
  var s4l = vec4<f32>(); var s4h = vec4<f32>();
  var s5l = vec4<f32>(); var s5h = vec4<f32>();
  var s6l = vec4<f32>(); var s6h = vec4<f32>();
  var s7l = vec4<f32>(); var s7h = vec4<f32>();
  let qEnd = min(params.M, (gid.z + 1u) * params.chunk) / 4u;
  for (var q = gid.z * params.chunk / 4u; q < qEnd; q++) {
    let a0 = quad(i0 + 0u, q);
    let a1 = quad(i0 + 1u, q);
    let a2 = quad(i0 + 2u, q);
    let a3 = quad(i0 + 3u, q);
    let a4 = quad(i0 + 4u, q);
    let a5 = quad(i0 + 5u, q);
    let a6 = quad(i0 + 6u, q);
    let a7 = quad(i0 + 7u, q);
    let b0 = quad(j0 + 0u, q);
    let b1 = quad(j0 + 1u, q);
    let b2 = quad(j0 + 2u, q);
    let b3 = quad(j0 + 3u, q);
    let b4 = quad(j0 + 4u, q);
    let b5 = quad(j0 + 5u, q);
    let b6 = quad(j0 + 6u, q);
    let b7 = quad(j0 + 7u, q);
    s0l += vec4<f32>(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
    s0h += vec4<f32>(dot(a0, b4), dot(a0, b5), dot(a0, b6), dot(a0, b7));
    s1l += vec4<f32>(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
    s1h += vec4<f32>(dot(a1, b4), dot(a1, b5), dot(a1, b6), dot(a1, b7));
    s2l += vec4<f32>(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
    s2h += vec4<f32>(dot(a2, b4), dot(a2, b5), dot(a2, b6), dot(a2, b7));
    s3l += vec4<f32>(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
    s3h += vec4<f32>(dot(a3, b4), dot(a3, b5), dot(a3, b6), dot(a3, b7));
    s4l += vec4<f32>(dot(a4, b0), dot(a4, b1), dot(a4, b2), dot(a4, b3));
    s4h += vec4<f32>(dot(a4, b4), dot(a4, b5), dot(a4, b6), dot(a4, b7));
    s5l += vec4<f32>(dot(a5, b0), dot(a5, b1), dot(a5, b2), dot(a5, b3));
    s5h += vec4<f32>(dot(a5, b4), dot(a5, b5), dot(a5, b6), dot(a5, b7));
    s6l += vec4<f32>(dot(a6, b0), dot(a6, b1), dot(a6, b2), dot(a6, b3));
    s6h += vec4<f32>(dot(a6, b4), dot(a6, b5), dot(a6, b6), dot(a6, b7));
    s7l += vec4<f32>(dot(a7, b0), dot(a7, b1), dot(a7, b2), dot(a7, b3));
    s7h += vec4<f32>(dot(a7, b4), dot(a7, b5), dot(a7, b6), dot(a7, b7));
  }
  let rows = array<vec4<f32>, 16>(s0l, s0h, s1l, s1h, s2l, s2h, s3l, s3h, s4l, s4h, s5l, s5h, s6l, s6h, s7l, s7h);
  let slice = gid.z * params.C * params.C;
  for (var a = 0u; a < 8u; a++) {
    for (var b = 0u; b < 8u; b++) {
      let i = i0 + a;
      let j = j0 + b;
      if (i < params.C && j < params.C) {
        let v = params.scale * rows[2u * a + b / 4u][b % 4u];
        gram[slice + i * params.C + j] = v;
        gram[slice + j * params.C + i] = v;
      }
    }
  }
}
