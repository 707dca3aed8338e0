// conv/winograd_gemm_subgroup_tiles — Winograd's matrix products (as conv/winograd_gemm:
//   M[ξν, n, p] = Σ_r U[ξν, r, n] · V[ξν, r, p]) with the filters U shared through subgroups, for
// maps with many tiles. Used by conv versions 7 and 8 for chunks of 64 tiles and more.
// Why: on CPU drivers (Mesa's lavapipe) every lane of a storage load is its own scalar load, so
// loads, not multiply-adds, bound conv/winograd_gemm. Here the 8 invocations of a workgroup work on
// the same 32 channels and 8 different 8-tile blocks each; per r the first 4 lanes of each subgroup
// load the 32 channels' U values (two vec4 each) and subgroupBroadcast hands them to every lane:
// per r and lane, 2 + 2 vec4 loads feed 256 multiply-adds (conv/winograd_gemm: 6 per 128).
// Needs the "subgroups" feature with subgroups of at least 4 lanes; no lane may leave before the
// loop (lanes past the last tile block read a clamped block and skip the stores).
// Layout: U B×R×N16 and V B×R×P8, read as vec4; M B×N×P8 (n ≥ N and p ≥ P8 not stored).
// Dispatch: x = ceil(P8 / 64) (8 blocks of 8 tiles per workgroup), y = ceil(N16 / 32), z = B.
enable subgroups;

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

// Channels n … n+3 of tile p.
fn put(b: u32, n: u32, p: u32, v: vec4<f32>) {
  let base = b * params.N * params.P8 + p;
  for (var k = 0u; k < 4u; k++) {
    if (n + k < params.N) { M[base + (n + k) * params.P8] = v[k]; }
  }
}

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(subgroup_invocation_id) sid: u32) {
  let tileBlocks = params.P8 / 8u;
  let tileBlock = wid.x * 8u + li;
  let live = tileBlock < tileBlocks;
  let p0 = min(tileBlock, tileBlocks - 1u) * 8u;
  let n0 = wid.y * 32u;
  let b = wid.z;
  // Lane j of each group of 4 loads channels n0+8j … n0+8j+7. Past N16 (when N16 is not a
  // multiple of 32) that is the next row's data, used only for channels that are not stored;
  // the clamp keeps the last row's reads inside U.
  let j = sid % 4u;
  let uLast = arrayLength(&U) - 1u;
  let uStep = params.N16 / 4u;
  let vStep = params.P8 / 4u;
  var ui = b * params.R * uStep + n0 / 4u + 2u * j;
  var vi = b * params.R * vStep + p0 / 4u;

  // a<t><i>: channels n0+4i … n0+4i+3 of tile p0+t.
  var a00 = vec4<f32>(); var a01 = vec4<f32>(); var a02 = vec4<f32>(); var a03 = vec4<f32>(); var a04 = vec4<f32>(); var a05 = vec4<f32>(); var a06 = vec4<f32>(); var a07 = vec4<f32>();
  var a10 = vec4<f32>(); var a11 = vec4<f32>(); var a12 = vec4<f32>(); var a13 = vec4<f32>(); var a14 = vec4<f32>(); var a15 = vec4<f32>(); var a16 = vec4<f32>(); var a17 = vec4<f32>();
  var a20 = vec4<f32>(); var a21 = vec4<f32>(); var a22 = vec4<f32>(); var a23 = vec4<f32>(); var a24 = vec4<f32>(); var a25 = vec4<f32>(); var a26 = vec4<f32>(); var a27 = vec4<f32>();
  var a30 = vec4<f32>(); var a31 = vec4<f32>(); var a32 = vec4<f32>(); var a33 = vec4<f32>(); var a34 = vec4<f32>(); var a35 = vec4<f32>(); var a36 = vec4<f32>(); var a37 = vec4<f32>();
  var a40 = vec4<f32>(); var a41 = vec4<f32>(); var a42 = vec4<f32>(); var a43 = vec4<f32>(); var a44 = vec4<f32>(); var a45 = vec4<f32>(); var a46 = vec4<f32>(); var a47 = vec4<f32>();
  var a50 = vec4<f32>(); var a51 = vec4<f32>(); var a52 = vec4<f32>(); var a53 = vec4<f32>(); var a54 = vec4<f32>(); var a55 = vec4<f32>(); var a56 = vec4<f32>(); var a57 = vec4<f32>();
  var a60 = vec4<f32>(); var a61 = vec4<f32>(); var a62 = vec4<f32>(); var a63 = vec4<f32>(); var a64 = vec4<f32>(); var a65 = vec4<f32>(); var a66 = vec4<f32>(); var a67 = vec4<f32>();
  var a70 = vec4<f32>(); var a71 = vec4<f32>(); var a72 = vec4<f32>(); var a73 = vec4<f32>(); var a74 = vec4<f32>(); var a75 = vec4<f32>(); var a76 = vec4<f32>(); var a77 = vec4<f32>();
  for (var r = 0u; r < params.R; r++) {
    let x0 = U[min(ui, uLast)]; let x1 = U[min(ui + 1u, uLast)];
    // channels n0+4i … +3 sit in lane i/2's x(i%2)
    let u0 = subgroupBroadcast(x0, 0u); let u1 = subgroupBroadcast(x1, 0u);
    let u2 = subgroupBroadcast(x0, 1u); let u3 = subgroupBroadcast(x1, 1u);
    let u4 = subgroupBroadcast(x0, 2u); let u5 = subgroupBroadcast(x1, 2u);
    let u6 = subgroupBroadcast(x0, 3u); let u7 = subgroupBroadcast(x1, 3u);
    let vl = V[vi]; let vh = V[vi + 1u];
    a00 += u0 * vl.x; a01 += u1 * vl.x; a02 += u2 * vl.x; a03 += u3 * vl.x; a04 += u4 * vl.x; a05 += u5 * vl.x; a06 += u6 * vl.x; a07 += u7 * vl.x;
    a10 += u0 * vl.y; a11 += u1 * vl.y; a12 += u2 * vl.y; a13 += u3 * vl.y; a14 += u4 * vl.y; a15 += u5 * vl.y; a16 += u6 * vl.y; a17 += u7 * vl.y;
    a20 += u0 * vl.z; a21 += u1 * vl.z; a22 += u2 * vl.z; a23 += u3 * vl.z; a24 += u4 * vl.z; a25 += u5 * vl.z; a26 += u6 * vl.z; a27 += u7 * vl.z;
    a30 += u0 * vl.w; a31 += u1 * vl.w; a32 += u2 * vl.w; a33 += u3 * vl.w; a34 += u4 * vl.w; a35 += u5 * vl.w; a36 += u6 * vl.w; a37 += u7 * vl.w;
    a40 += u0 * vh.x; a41 += u1 * vh.x; a42 += u2 * vh.x; a43 += u3 * vh.x; a44 += u4 * vh.x; a45 += u5 * vh.x; a46 += u6 * vh.x; a47 += u7 * vh.x;
    a50 += u0 * vh.y; a51 += u1 * vh.y; a52 += u2 * vh.y; a53 += u3 * vh.y; a54 += u4 * vh.y; a55 += u5 * vh.y; a56 += u6 * vh.y; a57 += u7 * vh.y;
    a60 += u0 * vh.z; a61 += u1 * vh.z; a62 += u2 * vh.z; a63 += u3 * vh.z; a64 += u4 * vh.z; a65 += u5 * vh.z; a66 += u6 * vh.z; a67 += u7 * vh.z;
    a70 += u0 * vh.w; a71 += u1 * vh.w; a72 += u2 * vh.w; a73 += u3 * vh.w; a74 += u4 * vh.w; a75 += u5 * vh.w; a76 += u6 * vh.w; a77 += u7 * vh.w;
    ui += uStep;
    vi += vStep;
  }
  if (!live) { return; }
  put(b, n0 + 0u, p0 + 0u, a00); put(b, n0 + 4u, p0 + 0u, a01); put(b, n0 + 8u, p0 + 0u, a02); put(b, n0 + 12u, p0 + 0u, a03); put(b, n0 + 16u, p0 + 0u, a04); put(b, n0 + 20u, p0 + 0u, a05); put(b, n0 + 24u, p0 + 0u, a06); put(b, n0 + 28u, p0 + 0u, a07);
  put(b, n0 + 0u, p0 + 1u, a10); put(b, n0 + 4u, p0 + 1u, a11); put(b, n0 + 8u, p0 + 1u, a12); put(b, n0 + 12u, p0 + 1u, a13); put(b, n0 + 16u, p0 + 1u, a14); put(b, n0 + 20u, p0 + 1u, a15); put(b, n0 + 24u, p0 + 1u, a16); put(b, n0 + 28u, p0 + 1u, a17);
  put(b, n0 + 0u, p0 + 2u, a20); put(b, n0 + 4u, p0 + 2u, a21); put(b, n0 + 8u, p0 + 2u, a22); put(b, n0 + 12u, p0 + 2u, a23); put(b, n0 + 16u, p0 + 2u, a24); put(b, n0 + 20u, p0 + 2u, a25); put(b, n0 + 24u, p0 + 2u, a26); put(b, n0 + 28u, p0 + 2u, a27);
  put(b, n0 + 0u, p0 + 3u, a30); put(b, n0 + 4u, p0 + 3u, a31); put(b, n0 + 8u, p0 + 3u, a32); put(b, n0 + 12u, p0 + 3u, a33); put(b, n0 + 16u, p0 + 3u, a34); put(b, n0 + 20u, p0 + 3u, a35); put(b, n0 + 24u, p0 + 3u, a36); put(b, n0 + 28u, p0 + 3u, a37);
  put(b, n0 + 0u, p0 + 4u, a40); put(b, n0 + 4u, p0 + 4u, a41); put(b, n0 + 8u, p0 + 4u, a42); put(b, n0 + 12u, p0 + 4u, a43); put(b, n0 + 16u, p0 + 4u, a44); put(b, n0 + 20u, p0 + 4u, a45); put(b, n0 + 24u, p0 + 4u, a46); put(b, n0 + 28u, p0 + 4u, a47);
  put(b, n0 + 0u, p0 + 5u, a50); put(b, n0 + 4u, p0 + 5u, a51); put(b, n0 + 8u, p0 + 5u, a52); put(b, n0 + 12u, p0 + 5u, a53); put(b, n0 + 16u, p0 + 5u, a54); put(b, n0 + 20u, p0 + 5u, a55); put(b, n0 + 24u, p0 + 5u, a56); put(b, n0 + 28u, p0 + 5u, a57);
  put(b, n0 + 0u, p0 + 6u, a60); put(b, n0 + 4u, p0 + 6u, a61); put(b, n0 + 8u, p0 + 6u, a62); put(b, n0 + 12u, p0 + 6u, a63); put(b, n0 + 16u, p0 + 6u, a64); put(b, n0 + 20u, p0 + 6u, a65); put(b, n0 + 24u, p0 + 6u, a66); put(b, n0 + 28u, p0 + 6u, a67);
  put(b, n0 + 0u, p0 + 7u, a70); put(b, n0 + 4u, p0 + 7u, a71); put(b, n0 + 8u, p0 + 7u, a72); put(b, n0 + 12u, p0 + 7u, a73); put(b, n0 + 16u, p0 + 7u, a74); put(b, n0 + 20u, p0 + 7u, a75); put(b, n0 + 24u, p0 + 7u, a76); put(b, n0 + 28u, p0 + 7u, a77);
}
