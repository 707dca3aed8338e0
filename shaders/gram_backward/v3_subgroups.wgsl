// gram_backward/v3_subgroups — version 3 of gram_backward/v0_narrow (same result), for CPU
// adapters with subgroups:
//   grad_features[i, m] = scale · Σ_j (grad_gram[i, j] + grad_gram[j, i]) · features[j, m]
// The 8 invocations of a workgroup work on the same 32 rows and 8 different 8-column blocks each.
// Per j the first 4 lanes of each subgroup load the 32 rows' symmetrised coefficients (row j of
// grad_gram as two vec4, column j as 8 scalars) and subgroupBroadcast hands them to every lane,
// which loads only its own 8 features: per j and lane 24 values loaded for 256 multiply-adds
// (version 2: 32 per 128). See conv/winograd_gemm_subgroup_tiles for why loads are what counts
// on CPU drivers. Needs the "subgroups" feature with subgroups of at least 4 lanes, and C and M
// multiples of 4 (rows read and written as vec4). No lane leaves before the loop: reads past the
// last row or column are clamped into the buffers and their results are not stored.
// Layout: features C×M, grad_gram C×C, grad_features C×M (grad_gram bound twice: as scalars for
// its columns and as vec4 rows).
// Dispatch: x = ceil(ceil(M / 8) / 8) workgroups of 8 column blocks, y = ceil(C / 32) row blocks.
enable subgroups;

struct Params {
  C: u32,      // channels: rows of features and of grad_features, grad_gram is C×C (a multiple of 4)
  M: u32,      // values per channel, H·W (a multiple of 4)
  scale: f32,  // factor on the result (the Gram's scale)
  _pad: u32,   // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> grad_gram: array<f32>;
@group(0) @binding(3) var<storage, read> grad_gram_rows: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> grad_features: array<vec4<f32>>;

// Row i's results for columns m0 … m0+7 (lo: m0 … m0+3, hi: m0+4 … m0+7), where they lie inside.
fn put(i: u32, m0: u32, lo: vec4<f32>, hi: vec4<f32>) {
  if (i >= params.C) { return; }
  let q = (i * params.M + m0) / 4u;
  if (m0 < params.M) { grad_features[q] = params.scale * lo; }
  if (m0 + 4u < params.M) { grad_features[q + 1u] = params.scale * hi; }
}

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(subgroup_invocation_id) sid: u32) {
  let quads = params.M / 4u;
  let colBlocks = (params.M + 7u) / 8u;
  let m0 = min(wid.x * 8u + li, colBlocks - 1u) * 8u;
  let live = wid.x * 8u + li < colBlocks;
  let i0 = wid.y * 32u;
  // lane q of each group of 4 reads the coefficients of rows i0+8q … i0+8q+7
  let q = sid % 4u;
  let lastRow = params.C - 1u;
  let rowsLast = arrayLength(&grad_gram_rows) - 1u;
  let r0 = min(i0 + 8u * q + 0u, lastRow) * params.C; let r1 = min(i0 + 8u * q + 1u, lastRow) * params.C;
  let r2 = min(i0 + 8u * q + 2u, lastRow) * params.C; let r3 = min(i0 + 8u * q + 3u, lastRow) * params.C;
  let r4 = min(i0 + 8u * q + 4u, lastRow) * params.C; let r5 = min(i0 + 8u * q + 5u, lastRow) * params.C;
  let r6 = min(i0 + 8u * q + 6u, lastRow) * params.C; let r7 = min(i0 + 8u * q + 7u, lastRow) * params.C;
  // this lane's two feature quads, the second clamped to the row (M % 8 = 4: the last block's
  // second quad lies past M and is not stored)
  let fq0 = m0 / 4u;
  let fq1 = min(fq0 + 1u, quads - 1u);

  // a<k>_<h>: row i0+k, columns m0+4h … m0+4h+3.
  var a00_0 = vec4<f32>(); var a00_1 = vec4<f32>(); var a01_0 = vec4<f32>(); var a01_1 = vec4<f32>(); var a02_0 = vec4<f32>(); var a02_1 = vec4<f32>(); var a03_0 = vec4<f32>(); var a03_1 = vec4<f32>();
  var a04_0 = vec4<f32>(); var a04_1 = vec4<f32>(); var a05_0 = vec4<f32>(); var a05_1 = vec4<f32>(); var a06_0 = vec4<f32>(); var a06_1 = vec4<f32>(); var a07_0 = vec4<f32>(); var a07_1 = vec4<f32>();
  var a08_0 = vec4<f32>(); var a08_1 = vec4<f32>(); var a09_0 = vec4<f32>(); var a09_1 = vec4<f32>(); var a10_0 = vec4<f32>(); var a10_1 = vec4<f32>(); var a11_0 = vec4<f32>(); var a11_1 = vec4<f32>();
  var a12_0 = vec4<f32>(); var a12_1 = vec4<f32>(); var a13_0 = vec4<f32>(); var a13_1 = vec4<f32>(); var a14_0 = vec4<f32>(); var a14_1 = vec4<f32>(); var a15_0 = vec4<f32>(); var a15_1 = vec4<f32>();
  var a16_0 = vec4<f32>(); var a16_1 = vec4<f32>(); var a17_0 = vec4<f32>(); var a17_1 = vec4<f32>(); var a18_0 = vec4<f32>(); var a18_1 = vec4<f32>(); var a19_0 = vec4<f32>(); var a19_1 = vec4<f32>();
  var a20_0 = vec4<f32>(); var a20_1 = vec4<f32>(); var a21_0 = vec4<f32>(); var a21_1 = vec4<f32>(); var a22_0 = vec4<f32>(); var a22_1 = vec4<f32>(); var a23_0 = vec4<f32>(); var a23_1 = vec4<f32>();
  var a24_0 = vec4<f32>(); var a24_1 = vec4<f32>(); var a25_0 = vec4<f32>(); var a25_1 = vec4<f32>(); var a26_0 = vec4<f32>(); var a26_1 = vec4<f32>(); var a27_0 = vec4<f32>(); var a27_1 = vec4<f32>();
  var a28_0 = vec4<f32>(); var a28_1 = vec4<f32>(); var a29_0 = vec4<f32>(); var a29_1 = vec4<f32>(); var a30_0 = vec4<f32>(); var a30_1 = vec4<f32>(); var a31_0 = vec4<f32>(); var a31_1 = vec4<f32>();
  for (var j = 0u; j < params.C; j++) {
    // row j of grad_gram at columns i0+8q … (past the last row: the next row's or clamped data, not stored)
    let rq = (j * params.C + i0) / 4u + 2u * q;
    let s0 = grad_gram_rows[min(rq, rowsLast)] + vec4<f32>(grad_gram[r0 + j], grad_gram[r1 + j], grad_gram[r2 + j], grad_gram[r3 + j]);
    let s1 = grad_gram_rows[min(rq + 1u, rowsLast)] + vec4<f32>(grad_gram[r4 + j], grad_gram[r5 + j], grad_gram[r6 + j], grad_gram[r7 + j]);
    // rows i0+4t … +3 sit in lane t/2's s(t%2)
    let w0 = subgroupBroadcast(s0, 0u); let w1 = subgroupBroadcast(s1, 0u);
    let w2 = subgroupBroadcast(s0, 1u); let w3 = subgroupBroadcast(s1, 1u);
    let w4 = subgroupBroadcast(s0, 2u); let w5 = subgroupBroadcast(s1, 2u);
    let w6 = subgroupBroadcast(s0, 3u); let w7 = subgroupBroadcast(s1, 3u);
    let f0 = features[j * quads + fq0]; let f1 = features[j * quads + fq1];
    a00_0 += w0.x * f0; a00_1 += w0.x * f1; a01_0 += w0.y * f0; a01_1 += w0.y * f1;
    a02_0 += w0.z * f0; a02_1 += w0.z * f1; a03_0 += w0.w * f0; a03_1 += w0.w * f1;
    a04_0 += w1.x * f0; a04_1 += w1.x * f1; a05_0 += w1.y * f0; a05_1 += w1.y * f1;
    a06_0 += w1.z * f0; a06_1 += w1.z * f1; a07_0 += w1.w * f0; a07_1 += w1.w * f1;
    a08_0 += w2.x * f0; a08_1 += w2.x * f1; a09_0 += w2.y * f0; a09_1 += w2.y * f1;
    a10_0 += w2.z * f0; a10_1 += w2.z * f1; a11_0 += w2.w * f0; a11_1 += w2.w * f1;
    a12_0 += w3.x * f0; a12_1 += w3.x * f1; a13_0 += w3.y * f0; a13_1 += w3.y * f1;
    a14_0 += w3.z * f0; a14_1 += w3.z * f1; a15_0 += w3.w * f0; a15_1 += w3.w * f1;
    a16_0 += w4.x * f0; a16_1 += w4.x * f1; a17_0 += w4.y * f0; a17_1 += w4.y * f1;
    a18_0 += w4.z * f0; a18_1 += w4.z * f1; a19_0 += w4.w * f0; a19_1 += w4.w * f1;
    a20_0 += w5.x * f0; a20_1 += w5.x * f1; a21_0 += w5.y * f0; a21_1 += w5.y * f1;
    a22_0 += w5.z * f0; a22_1 += w5.z * f1; a23_0 += w5.w * f0; a23_1 += w5.w * f1;
    a24_0 += w6.x * f0; a24_1 += w6.x * f1; a25_0 += w6.y * f0; a25_1 += w6.y * f1;
    a26_0 += w6.z * f0; a26_1 += w6.z * f1; a27_0 += w6.w * f0; a27_1 += w6.w * f1;
    a28_0 += w7.x * f0; a28_1 += w7.x * f1; a29_0 += w7.y * f0; a29_1 += w7.y * f1;
    a30_0 += w7.z * f0; a30_1 += w7.z * f1; a31_0 += w7.w * f0; a31_1 += w7.w * f1;
  }
  if (!live) { return; }
  put(i0 + 0u, m0, a00_0, a00_1); put(i0 + 1u, m0, a01_0, a01_1);
  put(i0 + 2u, m0, a02_0, a02_1); put(i0 + 3u, m0, a03_0, a03_1);
  put(i0 + 4u, m0, a04_0, a04_1); put(i0 + 5u, m0, a05_0, a05_1);
  put(i0 + 6u, m0, a06_0, a06_1); put(i0 + 7u, m0, a07_0, a07_1);
  put(i0 + 8u, m0, a08_0, a08_1); put(i0 + 9u, m0, a09_0, a09_1);
  put(i0 + 10u, m0, a10_0, a10_1); put(i0 + 11u, m0, a11_0, a11_1);
  put(i0 + 12u, m0, a12_0, a12_1); put(i0 + 13u, m0, a13_0, a13_1);
  put(i0 + 14u, m0, a14_0, a14_1); put(i0 + 15u, m0, a15_0, a15_1);
  put(i0 + 16u, m0, a16_0, a16_1); put(i0 + 17u, m0, a17_0, a17_1);
  put(i0 + 18u, m0, a18_0, a18_1); put(i0 + 19u, m0, a19_0, a19_1);
  put(i0 + 20u, m0, a20_0, a20_1); put(i0 + 21u, m0, a21_0, a21_1);
  put(i0 + 22u, m0, a22_0, a22_1); put(i0 + 23u, m0, a23_0, a23_1);
  put(i0 + 24u, m0, a24_0, a24_1); put(i0 + 25u, m0, a25_0, a25_1);
  put(i0 + 26u, m0, a26_0, a26_1); put(i0 + 27u, m0, a27_0, a27_1);
  put(i0 + 28u, m0, a28_0, a28_1); put(i0 + 29u, m0, a29_0, a29_1);
  put(i0 + 30u, m0, a30_0, a30_1); put(i0 + 31u, m0, a31_0, a31_1);
}
