// gram_forward/v5_subgroups — version 5 of gram_forward/v0_blocks for CPU adapters with subgroups:
//   gram[i, j] = scale · Σ_m features[i, m] · features[j, m]      (F is C×M, M = H·W)
// The 8 invocations of a workgroup share a block of 16 rows i and each takes its own block of 4
// rows j. Per quad of positions the first 4 lanes of each subgroup load 4 of the 16 shared rows'
// quads and subgroupBroadcast hands them to every lane, which loads its own 4: 8 vec4 loads per
// 64 dot products (version 2: 16 per 64). See conv/winograd_gemm_subgroup_tiles for why loads are
// what counts on CPU drivers. Only blocks that reach the diagonal or lie above it run (j0 ≥ i0);
// each writes its values and their mirrors (blocks on the diagonal write some pairs from both
// sides, with identical sums). Split-K over workgroup z as in version 0. Needs the "subgroups"
// feature with subgroups of at least 4 lanes and M % 4 == 0. No lane leaves before the loop
// unless its whole workgroup does: rows past C read as zero, and lanes whose block lies below the
// diagonal or past C store nothing.
// Layout: features C×M (C rows of M/4 vec4s); gram S×C×C (S slices, summed by
// gram_forward/sum_slices when S > 1).
// Dispatch: (ceil(ceil(C / 4) / 8), ceil(C / 16), S) workgroups of 8.
enable subgroups;

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

// G[i, j0 … j0+3] = s and the mirrored entries, inside C×C, in the slice's matrix at `base`
fn put(base: u32, i: u32, j0: u32, s: vec4<f32>) {
  if (i >= params.C) { return; }
  for (var k = 0u; k < 4u; k++) {
    let j = j0 + k;
    if (j < params.C) {
      gram[base + i * params.C + j] = params.scale * s[k];
      gram[base + j * params.C + i] = params.scale * s[k];
    }
  }
}

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(subgroup_invocation_id) sid: u32) {
  let i0 = wid.y * 16u;
  // the workgroup's column blocks are wid.x·8 … wid.x·8+7 (4 rows each); all below the
  // diagonal: nothing to do for any lane
  if (wid.x * 32u + 31u < i0) { return; }
  let jb = wid.x * 8u + li;
  let j0 = jb * 4u;
  let live = j0 >= i0 && j0 < params.C;
  let base = wid.z * params.C * params.C;
  // lane p of each group of 4 loads shared rows i0+p, i0+4+p, i0+8+p, i0+12+p
  let p = sid % 4u;
  var s00 = vec4<f32>(); var s01 = vec4<f32>(); var s02 = vec4<f32>(); var s03 = vec4<f32>(); var s04 = vec4<f32>(); var s05 = vec4<f32>(); var s06 = vec4<f32>(); var s07 = vec4<f32>();
  var s08 = vec4<f32>(); var s09 = vec4<f32>(); var s10 = vec4<f32>(); var s11 = vec4<f32>(); var s12 = vec4<f32>(); var s13 = vec4<f32>(); var s14 = vec4<f32>(); var s15 = vec4<f32>();
  let qEnd = min(params.M, (wid.z + 1u) * params.chunk) / 4u;
  for (var q = wid.z * params.chunk / 4u; q < qEnd; q++) {
    let x0 = quad(i0 + p, q); let x1 = quad(i0 + 4u + p, q); let x2 = quad(i0 + 8u + p, q); let x3 = quad(i0 + 12u + p, q);
    // shared row i0+t is lane t%4's x(t/4)
    let a00 = subgroupBroadcast(x0, 0u); let a01 = subgroupBroadcast(x0, 1u); let a02 = subgroupBroadcast(x0, 2u); let a03 = subgroupBroadcast(x0, 3u);
    let a04 = subgroupBroadcast(x1, 0u); let a05 = subgroupBroadcast(x1, 1u); let a06 = subgroupBroadcast(x1, 2u); let a07 = subgroupBroadcast(x1, 3u);
    let a08 = subgroupBroadcast(x2, 0u); let a09 = subgroupBroadcast(x2, 1u); let a10 = subgroupBroadcast(x2, 2u); let a11 = subgroupBroadcast(x2, 3u);
    let a12 = subgroupBroadcast(x3, 0u); let a13 = subgroupBroadcast(x3, 1u); let a14 = subgroupBroadcast(x3, 2u); let a15 = subgroupBroadcast(x3, 3u);
    let b0 = quad(j0, q); let b1 = quad(j0 + 1u, q); let b2 = quad(j0 + 2u, q); let b3 = quad(j0 + 3u, q);
    s00 += vec4<f32>(dot(a00, b0), dot(a00, b1), dot(a00, b2), dot(a00, b3));
    s01 += vec4<f32>(dot(a01, b0), dot(a01, b1), dot(a01, b2), dot(a01, b3));
    s02 += vec4<f32>(dot(a02, b0), dot(a02, b1), dot(a02, b2), dot(a02, b3));
    s03 += vec4<f32>(dot(a03, b0), dot(a03, b1), dot(a03, b2), dot(a03, b3));
    s04 += vec4<f32>(dot(a04, b0), dot(a04, b1), dot(a04, b2), dot(a04, b3));
    s05 += vec4<f32>(dot(a05, b0), dot(a05, b1), dot(a05, b2), dot(a05, b3));
    s06 += vec4<f32>(dot(a06, b0), dot(a06, b1), dot(a06, b2), dot(a06, b3));
    s07 += vec4<f32>(dot(a07, b0), dot(a07, b1), dot(a07, b2), dot(a07, b3));
    s08 += vec4<f32>(dot(a08, b0), dot(a08, b1), dot(a08, b2), dot(a08, b3));
    s09 += vec4<f32>(dot(a09, b0), dot(a09, b1), dot(a09, b2), dot(a09, b3));
    s10 += vec4<f32>(dot(a10, b0), dot(a10, b1), dot(a10, b2), dot(a10, b3));
    s11 += vec4<f32>(dot(a11, b0), dot(a11, b1), dot(a11, b2), dot(a11, b3));
    s12 += vec4<f32>(dot(a12, b0), dot(a12, b1), dot(a12, b2), dot(a12, b3));
    s13 += vec4<f32>(dot(a13, b0), dot(a13, b1), dot(a13, b2), dot(a13, b3));
    s14 += vec4<f32>(dot(a14, b0), dot(a14, b1), dot(a14, b2), dot(a14, b3));
    s15 += vec4<f32>(dot(a15, b0), dot(a15, b1), dot(a15, b2), dot(a15, b3));
  }
  if (!live) { return; }
  put(base, i0 + 0u, j0, s00); put(base, i0 + 1u, j0, s01); put(base, i0 + 2u, j0, s02); put(base, i0 + 3u, j0, s03);
  put(base, i0 + 4u, j0, s04); put(base, i0 + 5u, j0, s05); put(base, i0 + 6u, j0, s06); put(base, i0 + 7u, j0, s07);
  put(base, i0 + 8u, j0, s08); put(base, i0 + 9u, j0, s09); put(base, i0 + 10u, j0, s10); put(base, i0 + 11u, j0, s11);
  put(base, i0 + 12u, j0, s12); put(base, i0 + 13u, j0, s13); put(base, i0 + 14u, j0, s14); put(base, i0 + 15u, j0, s15);
}
