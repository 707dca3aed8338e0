// conv/winograd_gemm — the independent matrix products of Winograd, one per ξν: 16 for
// F(2×2, 3×3) (conv version 5), 36 for F(4×4, 3×3) (version 6); shared by both, so unnumbered:
//   M[ξν, n, p] = Σ_r U[ξν, r, n] · V[ξν, r, p]
// U from conv/v5_winograd_filter or v6_winograd4_filter (r reduced, n produced channel), V from
// conv/v5_winograd_input or v6_winograd4_input (p = tile). Each invocation holds a register block of 16 channels ×
// 8 tiles (32 vec4 accumulators, as in conv/v2_flat16); per r it loads 4 vec4 of U and 2 vec4 of V
// for 128 multiply-adds. No workgroup memory or barriers. Each product here replaces 2.25 of a
// direct 3×3 conv in F(2×2, 3×3) (16 per 4 outputs instead of 36), 4 in F(4×4, 3×3) (36 per 16).
// Layout: U B×R×N16 and V B×R×P8, both read as vec4 (N16, P8 multiples of 16 and 8);
//         M B×N×P8 (channels n ≥ N not stored); B = 16 or 36 planes.
// Dispatch: x = ceil(P8 / 8 · N16 / 16 / 64), y = 1, z = B.

struct Params {
  R: u32,    // channels reduced (rows of U and V per ξν)
  N: u32,    // channels produced (rows of M per ξν; n ≥ N not stored)
  N16: u32,  // N padded to a multiple of 16: U's row length
  P8: u32,   // this chunk's tile count padded to a multiple of 8: V's and M's row length
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> U: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> V: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> M: array<f32>;

// Tile p's results for channels n0 … n0+7 (lo: n0 … n0+3, hi: n0+4 … n0+7).
fn store(b: u32, n0: u32, p: u32, lo: vec4<f32>, hi: vec4<f32>) {
  let base = b * params.N * params.P8 + p;
  for (var k = 0u; k < 4u; k++) {
    if (n0 + k < params.N) { M[base + (n0 + k) * params.P8] = lo[k]; }
    if (n0 + 4u + k < params.N) { M[base + (n0 + 4u + k) * params.P8] = hi[k]; }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  // x enumerates (tile block, channel block) pairs, tile blocks fastest, so that small maps
  // (few tile blocks) still fill the workgroup's lanes
  let tileBlocks = params.P8 / 8u;
  let p0 = (gid.x % tileBlocks) * 8u;
  let n0 = (gid.x / tileBlocks) * 16u;
  let b = gid.z;
  // Only n0 is checked, never p0: p0 = (gid.x % tileBlocks)·8 ≤ P8 − 8 by construction, so tiles
  // p0 … p0+7 always lie inside this chunk's P8 columns of V and M, whatever the dispatch size.
  // (x is rounded up to whole workgroups; the extra invocations have gid.x ≥ tileBlocks·N16/16,
  // so n0 ≥ N16 ≥ N and they return here.) Columns at or past the chunk's real tile count exist
  // only in the last chunk of a map: conv/v5_winograd_input wrote zeros there (tiles p ≥ P), so
  // their products are zeros, stored into M's padding columns, which conv/v5_winograd_output
  // never reads (it reads p < tiles). The host (winogradConv, src/kernels/conv2d.ts) keeps the
  // chunk a whole number of 8-tile blocks, so P8 = ceil8(tiles) ≤ chunk, and V and M hold at
  // least 16·R·chunk and 16·N·chunk floats.
  if (n0 >= params.N) { return; }

  // a_j, c_j, e_j, f_j: channels n0..n0+3, +4..+7, +8..+11, +12..+15 of tile p0+j.
  var a0 = vec4<f32>(); var a1 = vec4<f32>(); var a2 = vec4<f32>(); var a3 = vec4<f32>();
  var a4 = vec4<f32>(); var a5 = vec4<f32>(); var a6 = vec4<f32>(); var a7 = vec4<f32>();
  var c0 = vec4<f32>(); var c1 = vec4<f32>(); var c2 = vec4<f32>(); var c3 = vec4<f32>();
  var c4 = vec4<f32>(); var c5 = vec4<f32>(); var c6 = vec4<f32>(); var c7 = vec4<f32>();
  var e0 = vec4<f32>(); var e1 = vec4<f32>(); var e2 = vec4<f32>(); var e3 = vec4<f32>();
  var e4 = vec4<f32>(); var e5 = vec4<f32>(); var e6 = vec4<f32>(); var e7 = vec4<f32>();
  var f0 = vec4<f32>(); var f1 = vec4<f32>(); var f2 = vec4<f32>(); var f3 = vec4<f32>();
  var f4 = vec4<f32>(); var f5 = vec4<f32>(); var f6 = vec4<f32>(); var f7 = vec4<f32>();

  let uStep = params.N16 / 4u;
  let vStep = params.P8 / 4u;
  var ui = b * params.R * uStep + n0 / 4u;
  var vi = b * params.R * vStep + p0 / 4u;
  for (var r = 0u; r < params.R; r++) {
    let u0 = U[ui]; let u1 = U[ui + 1u]; let u2 = U[ui + 2u]; let u3 = U[ui + 3u];
    let vl = V[vi]; let vh = V[vi + 1u];
    a0 += u0 * vl.x; c0 += u1 * vl.x; e0 += u2 * vl.x; f0 += u3 * vl.x;
    a1 += u0 * vl.y; c1 += u1 * vl.y; e1 += u2 * vl.y; f1 += u3 * vl.y;
    a2 += u0 * vl.z; c2 += u1 * vl.z; e2 += u2 * vl.z; f2 += u3 * vl.z;
    a3 += u0 * vl.w; c3 += u1 * vl.w; e3 += u2 * vl.w; f3 += u3 * vl.w;
    a4 += u0 * vh.x; c4 += u1 * vh.x; e4 += u2 * vh.x; f4 += u3 * vh.x;
    a5 += u0 * vh.y; c5 += u1 * vh.y; e5 += u2 * vh.y; f5 += u3 * vh.y;
    a6 += u0 * vh.z; c6 += u1 * vh.z; e6 += u2 * vh.z; f6 += u3 * vh.z;
    a7 += u0 * vh.w; c7 += u1 * vh.w; e7 += u2 * vh.w; f7 += u3 * vh.w;
    ui += uStep;
    vi += vStep;
  }
  store(b, n0, p0 + 0u, a0, c0); store(b, n0 + 8u, p0 + 0u, e0, f0);
  store(b, n0, p0 + 1u, a1, c1); store(b, n0 + 8u, p0 + 1u, e1, f1);
  store(b, n0, p0 + 2u, a2, c2); store(b, n0 + 8u, p0 + 2u, e2, f2);
  store(b, n0, p0 + 3u, a3, c3); store(b, n0 + 8u, p0 + 3u, e3, f3);
  store(b, n0, p0 + 4u, a4, c4); store(b, n0 + 8u, p0 + 4u, e4, f4);
  store(b, n0, p0 + 5u, a5, c5); store(b, n0 + 8u, p0 + 5u, e5, f5);
  store(b, n0, p0 + 6u, a6, c6); store(b, n0 + 8u, p0 + 6u, e6, f6);
  store(b, n0, p0 + 7u, a7, c7); store(b, n0 + 8u, p0 + 7u, e7, f7);
}
