// gram_forward/v1_lanes — version 1 of gram_forward/v0_blocks for GPUs: G = scale · F·Fᵀ,
//   gram[i, j] = scale · Σ_m features[i, m] · features[j, m]      (F is C×M, M = H·W)
// One workgroup of 64 lanes computes one 4×4 block on or above the diagonal (blocks below exit
// at once; G is symmetric, each block is written with its mirror). The lanes split the m range:
// lane l takes m = l, l + 64, …, so neighbouring lanes read neighbouring addresses (coalesced),
// where version 0 has each invocation walk its own rows. The 64 partial 4×4 blocks are then
// added through workgroup memory (one barrier). Split-K over workgroup z as in version 0.
// Layout: features C×M (a CHW map read as C rows of M); gram S×C×C (S = number of slices,
// summed by gram_forward/sum_slices when S > 1).
// Dispatch: (ceil(C/4), ceil(C/4), S) workgroups of 64; x = column block, y = row block, z = slice.

struct Params {
  C: u32,      // channels: rows of F, G is C×C
  M: u32,      // values per channel, H·W
  scale: f32,  // factor on F·Fᵀ
  chunk: u32,  // m per split-K slice: workgroup z sums m in [z·chunk, (z+1)·chunk); M if unsplit
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<f32>;
@group(0) @binding(2) var<storage, read_write> gram: array<f32>;

var<workgroup> partial: array<vec4<f32>, 256>; // [lane][row a] → 4 columns

fn at(i: u32, m: u32) -> f32 {
  return select(0.0, features[min(i, params.C - 1u) * params.M + m], i < params.C);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let i0 = wg.y * 4u;
  let j0 = wg.x * 4u;
  if (j0 < i0) { return; } // uniform across the workgroup
  var s0 = vec4<f32>(); var s1 = vec4<f32>(); var s2 = vec4<f32>(); var s3 = vec4<f32>();
  let mEnd = min(params.M, (wg.z + 1u) * params.chunk);
  for (var m = wg.z * params.chunk + lane; m < mEnd; m += 64u) {
    let b = vec4<f32>(at(j0, m), at(j0 + 1u, m), at(j0 + 2u, m), at(j0 + 3u, m));
    s0 += at(i0, m) * b;
    s1 += at(i0 + 1u, m) * b;
    s2 += at(i0 + 2u, m) * b;
    s3 += at(i0 + 3u, m) * b;
  }
  partial[lane * 4u] = s0;
  partial[lane * 4u + 1u] = s1;
  partial[lane * 4u + 2u] = s2;
  partial[lane * 4u + 3u] = s3;
  workgroupBarrier();
  if (lane >= 16u) { return; }
  let a = lane / 4u;
  let b = lane % 4u;
  var sum = 0.0;
  for (var l = 0u; l < 64u; l++) { sum += partial[l * 4u + a][b]; }
  let i = i0 + a;
  let j = j0 + b;
  if (i < params.C && j < params.C) {
    let slice = wg.z * params.C * params.C;
    let v = params.scale * sum;
    gram[slice + i * params.C + j] = v;
    gram[slice + j * params.C + i] = v;
  }
}
