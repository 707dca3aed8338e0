// conv/winograd_gemm_subgroup_channels — Winograd's matrix products (as conv/winograd_gemm:
//   M[ξν, n, p] = Σ_r U[ξν, r, n] · V[ξν, r, p]) with the transformed input V shared through
// subgroups, for maps with few tiles (the deep layers). Used by conv versions 7 and 8 for chunks
// of fewer than 64 tiles.
// The 8 invocations of a workgroup work on the same 16 tiles and 16 different channels each; per r
// the first 4 lanes of each subgroup load the 16 tiles' V values (one vec4 each) and
// subgroupBroadcast hands them to every lane: per r and lane, 4 + 1 vec4 loads feed 256
// multiply-adds (conv/winograd_gemm: 6 per 128, and with 8-tile blocks over few tiles). See
// conv/winograd_gemm_subgroup_tiles for why loads are what counts on CPU drivers.
// Needs the "subgroups" feature with subgroups of at least 4 lanes; no lane may leave before the
// loop (lanes past the last channel block read a clamped block and skip the stores).
// Layout: U B×R×N16 and V B×R×P8, read as vec4; M B×N×P8 (n ≥ N and p ≥ P8 not stored).
// Dispatch: x = ceil(P8 / 16), y = ceil(N16 / 128) (8 blocks of 16 channels per workgroup), z = B.
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

// Channels n … n+3 of tile p (tiles p ≥ P8 belong to no column: the last block of 16 may pass P8).
fn put(b: u32, n: u32, p: u32, v: vec4<f32>) {
  if (p >= params.P8) { return; }
  let base = b * params.N * params.P8 + p;
  for (var k = 0u; k < 4u; k++) {
    if (n + k < params.N) { M[base + (n + k) * params.P8] = v[k]; }
  }
}

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(subgroup_invocation_id) sid: u32) {
  let p0 = wid.x * 16u;
  let chanBlock = wid.y * 8u + li;
  let live = chanBlock * 16u < params.N;
  let n0 = min(chanBlock * 16u, params.N16 - 16u);
  let b = wid.z;
  // Lane j of each group of 4 loads tiles p0+4j … p0+4j+3, clamped to the row (P8 may be 8
  // past p0: those lanes repeat the last vec4, for tiles that are not stored).
  let j = sid % 4u;
  let uStep = params.N16 / 4u;
  let vStep = params.P8 / 4u;
  var ui = b * params.R * uStep + n0 / 4u;
  var vi = b * params.R * vStep + min(p0 / 4u + j, vStep - 1u);

  // a<t><i>: channels n0+4i … n0+4i+3 of tile p0+t.
  var a000 = vec4<f32>(); var a001 = vec4<f32>(); var a002 = vec4<f32>(); var a003 = vec4<f32>(); var a010 = vec4<f32>(); var a011 = vec4<f32>(); var a012 = vec4<f32>(); var a013 = vec4<f32>();
  var a020 = vec4<f32>(); var a021 = vec4<f32>(); var a022 = vec4<f32>(); var a023 = vec4<f32>(); var a030 = vec4<f32>(); var a031 = vec4<f32>(); var a032 = vec4<f32>(); var a033 = vec4<f32>();
  var a040 = vec4<f32>(); var a041 = vec4<f32>(); var a042 = vec4<f32>(); var a043 = vec4<f32>(); var a050 = vec4<f32>(); var a051 = vec4<f32>(); var a052 = vec4<f32>(); var a053 = vec4<f32>();
  var a060 = vec4<f32>(); var a061 = vec4<f32>(); var a062 = vec4<f32>(); var a063 = vec4<f32>(); var a070 = vec4<f32>(); var a071 = vec4<f32>(); var a072 = vec4<f32>(); var a073 = vec4<f32>();
  var a080 = vec4<f32>(); var a081 = vec4<f32>(); var a082 = vec4<f32>(); var a083 = vec4<f32>(); var a090 = vec4<f32>(); var a091 = vec4<f32>(); var a092 = vec4<f32>(); var a093 = vec4<f32>();
  var a100 = vec4<f32>(); var a101 = vec4<f32>(); var a102 = vec4<f32>(); var a103 = vec4<f32>(); var a110 = vec4<f32>(); var a111 = vec4<f32>(); var a112 = vec4<f32>(); var a113 = vec4<f32>();
  var a120 = vec4<f32>(); var a121 = vec4<f32>(); var a122 = vec4<f32>(); var a123 = vec4<f32>(); var a130 = vec4<f32>(); var a131 = vec4<f32>(); var a132 = vec4<f32>(); var a133 = vec4<f32>();
  var a140 = vec4<f32>(); var a141 = vec4<f32>(); var a142 = vec4<f32>(); var a143 = vec4<f32>(); var a150 = vec4<f32>(); var a151 = vec4<f32>(); var a152 = vec4<f32>(); var a153 = vec4<f32>();
  for (var r = 0u; r < params.R; r++) {
    let x = V[vi];
    // tiles p0+4l … +3 sit in lane l's x
    let w0 = subgroupBroadcast(x, 0u); let w1 = subgroupBroadcast(x, 1u);
    let w2 = subgroupBroadcast(x, 2u); let w3 = subgroupBroadcast(x, 3u);
    let u0 = U[ui]; let u1 = U[ui + 1u]; let u2 = U[ui + 2u]; let u3 = U[ui + 3u];
    a000 += u0 * w0.x; a001 += u1 * w0.x; a002 += u2 * w0.x; a003 += u3 * w0.x;
    a010 += u0 * w0.y; a011 += u1 * w0.y; a012 += u2 * w0.y; a013 += u3 * w0.y;
    a020 += u0 * w0.z; a021 += u1 * w0.z; a022 += u2 * w0.z; a023 += u3 * w0.z;
    a030 += u0 * w0.w; a031 += u1 * w0.w; a032 += u2 * w0.w; a033 += u3 * w0.w;
    a040 += u0 * w1.x; a041 += u1 * w1.x; a042 += u2 * w1.x; a043 += u3 * w1.x;
    a050 += u0 * w1.y; a051 += u1 * w1.y; a052 += u2 * w1.y; a053 += u3 * w1.y;
    a060 += u0 * w1.z; a061 += u1 * w1.z; a062 += u2 * w1.z; a063 += u3 * w1.z;
    a070 += u0 * w1.w; a071 += u1 * w1.w; a072 += u2 * w1.w; a073 += u3 * w1.w;
    a080 += u0 * w2.x; a081 += u1 * w2.x; a082 += u2 * w2.x; a083 += u3 * w2.x;
    a090 += u0 * w2.y; a091 += u1 * w2.y; a092 += u2 * w2.y; a093 += u3 * w2.y;
    a100 += u0 * w2.z; a101 += u1 * w2.z; a102 += u2 * w2.z; a103 += u3 * w2.z;
    a110 += u0 * w2.w; a111 += u1 * w2.w; a112 += u2 * w2.w; a113 += u3 * w2.w;
    a120 += u0 * w3.x; a121 += u1 * w3.x; a122 += u2 * w3.x; a123 += u3 * w3.x;
    a130 += u0 * w3.y; a131 += u1 * w3.y; a132 += u2 * w3.y; a133 += u3 * w3.y;
    a140 += u0 * w3.z; a141 += u1 * w3.z; a142 += u2 * w3.z; a143 += u3 * w3.z;
    a150 += u0 * w3.w; a151 += u1 * w3.w; a152 += u2 * w3.w; a153 += u3 * w3.w;
    ui += uStep;
    vi += vStep;
  }
  if (!live) { return; }
  put(b, n0 + 0u, p0 + 0u, a000); put(b, n0 + 4u, p0 + 0u, a001); put(b, n0 + 8u, p0 + 0u, a002); put(b, n0 + 12u, p0 + 0u, a003);
  put(b, n0 + 0u, p0 + 1u, a010); put(b, n0 + 4u, p0 + 1u, a011); put(b, n0 + 8u, p0 + 1u, a012); put(b, n0 + 12u, p0 + 1u, a013);
  put(b, n0 + 0u, p0 + 2u, a020); put(b, n0 + 4u, p0 + 2u, a021); put(b, n0 + 8u, p0 + 2u, a022); put(b, n0 + 12u, p0 + 2u, a023);
  put(b, n0 + 0u, p0 + 3u, a030); put(b, n0 + 4u, p0 + 3u, a031); put(b, n0 + 8u, p0 + 3u, a032); put(b, n0 + 12u, p0 + 3u, a033);
  put(b, n0 + 0u, p0 + 4u, a040); put(b, n0 + 4u, p0 + 4u, a041); put(b, n0 + 8u, p0 + 4u, a042); put(b, n0 + 12u, p0 + 4u, a043);
  put(b, n0 + 0u, p0 + 5u, a050); put(b, n0 + 4u, p0 + 5u, a051); put(b, n0 + 8u, p0 + 5u, a052); put(b, n0 + 12u, p0 + 5u, a053);
  put(b, n0 + 0u, p0 + 6u, a060); put(b, n0 + 4u, p0 + 6u, a061); put(b, n0 + 8u, p0 + 6u, a062); put(b, n0 + 12u, p0 + 6u, a063);
  put(b, n0 + 0u, p0 + 7u, a070); put(b, n0 + 4u, p0 + 7u, a071); put(b, n0 + 8u, p0 + 7u, a072); put(b, n0 + 12u, p0 + 7u, a073);
  put(b, n0 + 0u, p0 + 8u, a080); put(b, n0 + 4u, p0 + 8u, a081); put(b, n0 + 8u, p0 + 8u, a082); put(b, n0 + 12u, p0 + 8u, a083);
  put(b, n0 + 0u, p0 + 9u, a090); put(b, n0 + 4u, p0 + 9u, a091); put(b, n0 + 8u, p0 + 9u, a092); put(b, n0 + 12u, p0 + 9u, a093);
  put(b, n0 + 0u, p0 + 10u, a100); put(b, n0 + 4u, p0 + 10u, a101); put(b, n0 + 8u, p0 + 10u, a102); put(b, n0 + 12u, p0 + 10u, a103);
  put(b, n0 + 0u, p0 + 11u, a110); put(b, n0 + 4u, p0 + 11u, a111); put(b, n0 + 8u, p0 + 11u, a112); put(b, n0 + 12u, p0 + 11u, a113);
  put(b, n0 + 0u, p0 + 12u, a120); put(b, n0 + 4u, p0 + 12u, a121); put(b, n0 + 8u, p0 + 12u, a122); put(b, n0 + 12u, p0 + 12u, a123);
  put(b, n0 + 0u, p0 + 13u, a130); put(b, n0 + 4u, p0 + 13u, a131); put(b, n0 + 8u, p0 + 13u, a132); put(b, n0 + 12u, p0 + 13u, a133);
  put(b, n0 + 0u, p0 + 14u, a140); put(b, n0 + 4u, p0 + 14u, a141); put(b, n0 + 8u, p0 + 14u, a142); put(b, n0 + 12u, p0 + 14u, a143);
  put(b, n0 + 0u, p0 + 15u, a150); put(b, n0 + 4u, p0 + 15u, a151); put(b, n0 + 8u, p0 + 15u, a152); put(b, n0 + 12u, p0 + 15u, a153);
}
