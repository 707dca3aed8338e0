// gram_backward/v2_flat — version 2 of gram_backward/v0_narrow (same result), for CPU adapters:
//   grad_features[i, m] = scale · Σ_j (grad_gram[i, j] + grad_gram[j, i]) · features[j, m]
// Each invocation computes 8 rows × 16 columns of grad_features, so one pass over j costs
// 32 loads (8 symmetrised entries, two loads each, and 16 features) for 128 multiply-adds (version 1:
// 16 per 32). Invocations enumerate (column block, row block) pairs, column blocks fastest, so
// a small map (few column blocks, e.g. 16 positions at 4×4) still fills every lane of a
// workgroup (versions 0 and 1 give each workgroup 64 column blocks of one row block, mostly idle
// there). Reads use clamped indices and stay inside the buffers; only in-range results are stored.
// No workgroup memory or barriers.
// Layout: features C×M, grad_gram C×C, grad_features C×M.
// Dispatch: grid1d(ceil(M/16) · ceil(C/8), 64): x (spilling into y past 65535 workgroups) enumerates the pairs.

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

// Row i's results for columns m0 + 4q … m0 + 4q + 3, where they lie inside the matrix.
fn store(i: u32, m: u32, v: vec4<f32>) {
  if (i >= params.C) { return; }
  for (var b = 0u; b < 4u; b++) {
    if (m + b < params.M) { grad_features[i * params.M + m + b] = params.scale * v[b]; }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = gid.x + gid.y * nwg.x * 64u;
  let colBlocks = (params.M + 15u) / 16u;
  let m0 = (index % colBlocks) * 16u;
  let i0 = (index / colBlocks) * 8u;
  if (i0 >= params.C) { return; }
  // Clamped row and column indices: rows past C and columns past M read real entries, whose
  // results are never stored.
  let lastRow = params.C - 1u;
  let lastCol = params.M - 1u;
  let r0 = min(i0 + 0u, lastRow);
  let r1 = min(i0 + 1u, lastRow);
  let r2 = min(i0 + 2u, lastRow);
  let r3 = min(i0 + 3u, lastRow);
  let r4 = min(i0 + 4u, lastRow);
  let r5 = min(i0 + 5u, lastRow);
  let r6 = min(i0 + 6u, lastRow);
  let r7 = min(i0 + 7u, lastRow);
  let c0 = min(m0 + 0u, lastCol);
  let c1 = min(m0 + 1u, lastCol);
  let c2 = min(m0 + 2u, lastCol);
  let c3 = min(m0 + 3u, lastCol);
  let c4 = min(m0 + 4u, lastCol);
  let c5 = min(m0 + 5u, lastCol);
  let c6 = min(m0 + 6u, lastCol);
  let c7 = min(m0 + 7u, lastCol);
  let c8 = min(m0 + 8u, lastCol);
  let c9 = min(m0 + 9u, lastCol);
  let c10 = min(m0 + 10u, lastCol);
  let c11 = min(m0 + 11u, lastCol);
  let c12 = min(m0 + 12u, lastCol);
  let c13 = min(m0 + 13u, lastCol);
  let c14 = min(m0 + 14u, lastCol);
  let c15 = min(m0 + 15u, lastCol);
  // a<k>_<q>: row i0+k, columns m0+4q … m0+4q+3
  var a0_0 = vec4<f32>(); var a0_1 = vec4<f32>(); var a0_2 = vec4<f32>(); var a0_3 = vec4<f32>();
  var a1_0 = vec4<f32>(); var a1_1 = vec4<f32>(); var a1_2 = vec4<f32>(); var a1_3 = vec4<f32>();
  var a2_0 = vec4<f32>(); var a2_1 = vec4<f32>(); var a2_2 = vec4<f32>(); var a2_3 = vec4<f32>();
  var a3_0 = vec4<f32>(); var a3_1 = vec4<f32>(); var a3_2 = vec4<f32>(); var a3_3 = vec4<f32>();
  var a4_0 = vec4<f32>(); var a4_1 = vec4<f32>(); var a4_2 = vec4<f32>(); var a4_3 = vec4<f32>();
  var a5_0 = vec4<f32>(); var a5_1 = vec4<f32>(); var a5_2 = vec4<f32>(); var a5_3 = vec4<f32>();
  var a6_0 = vec4<f32>(); var a6_1 = vec4<f32>(); var a6_2 = vec4<f32>(); var a6_3 = vec4<f32>();
  var a7_0 = vec4<f32>(); var a7_1 = vec4<f32>(); var a7_2 = vec4<f32>(); var a7_3 = vec4<f32>();
  for (var j = 0u; j < params.C; j++) {
    let row = j * params.M;
    let f0 = vec4<f32>(features[row + c0], features[row + c1], features[row + c2], features[row + c3]);
    let f1 = vec4<f32>(features[row + c4], features[row + c5], features[row + c6], features[row + c7]);
    let f2 = vec4<f32>(features[row + c8], features[row + c9], features[row + c10], features[row + c11]);
    let f3 = vec4<f32>(features[row + c12], features[row + c13], features[row + c14], features[row + c15]);
    let s0 = grad_gram[r0 * params.C + j] + grad_gram[j * params.C + r0];
    let s1 = grad_gram[r1 * params.C + j] + grad_gram[j * params.C + r1];
    let s2 = grad_gram[r2 * params.C + j] + grad_gram[j * params.C + r2];
    let s3 = grad_gram[r3 * params.C + j] + grad_gram[j * params.C + r3];
    let s4 = grad_gram[r4 * params.C + j] + grad_gram[j * params.C + r4];
    let s5 = grad_gram[r5 * params.C + j] + grad_gram[j * params.C + r5];
    let s6 = grad_gram[r6 * params.C + j] + grad_gram[j * params.C + r6];
    let s7 = grad_gram[r7 * params.C + j] + grad_gram[j * params.C + r7];
    a0_0 += s0 * f0; a0_1 += s0 * f1; a0_2 += s0 * f2; a0_3 += s0 * f3;
    a1_0 += s1 * f0; a1_1 += s1 * f1; a1_2 += s1 * f2; a1_3 += s1 * f3;
    a2_0 += s2 * f0; a2_1 += s2 * f1; a2_2 += s2 * f2; a2_3 += s2 * f3;
    a3_0 += s3 * f0; a3_1 += s3 * f1; a3_2 += s3 * f2; a3_3 += s3 * f3;
    a4_0 += s4 * f0; a4_1 += s4 * f1; a4_2 += s4 * f2; a4_3 += s4 * f3;
    a5_0 += s5 * f0; a5_1 += s5 * f1; a5_2 += s5 * f2; a5_3 += s5 * f3;
    a6_0 += s6 * f0; a6_1 += s6 * f1; a6_2 += s6 * f2; a6_3 += s6 * f3;
    a7_0 += s7 * f0; a7_1 += s7 * f1; a7_2 += s7 * f2; a7_3 += s7 * f3;
  }
  store(i0 + 0u, m0 + 0u, a0_0); store(i0 + 0u, m0 + 4u, a0_1); store(i0 + 0u, m0 + 8u, a0_2); store(i0 + 0u, m0 + 12u, a0_3);
  store(i0 + 1u, m0 + 0u, a1_0); store(i0 + 1u, m0 + 4u, a1_1); store(i0 + 1u, m0 + 8u, a1_2); store(i0 + 1u, m0 + 12u, a1_3);
  store(i0 + 2u, m0 + 0u, a2_0); store(i0 + 2u, m0 + 4u, a2_1); store(i0 + 2u, m0 + 8u, a2_2); store(i0 + 2u, m0 + 12u, a2_3);
  store(i0 + 3u, m0 + 0u, a3_0); store(i0 + 3u, m0 + 4u, a3_1); store(i0 + 3u, m0 + 8u, a3_2); store(i0 + 3u, m0 + 12u, a3_3);
  store(i0 + 4u, m0 + 0u, a4_0); store(i0 + 4u, m0 + 4u, a4_1); store(i0 + 4u, m0 + 8u, a4_2); store(i0 + 4u, m0 + 12u, a4_3);
  store(i0 + 5u, m0 + 0u, a5_0); store(i0 + 5u, m0 + 4u, a5_1); store(i0 + 5u, m0 + 8u, a5_2); store(i0 + 5u, m0 + 12u, a5_3);
  store(i0 + 6u, m0 + 0u, a6_0); store(i0 + 6u, m0 + 4u, a6_1); store(i0 + 6u, m0 + 8u, a6_2); store(i0 + 6u, m0 + 12u, a6_3);
  store(i0 + 7u, m0 + 0u, a7_0); store(i0 + 7u, m0 + 4u, a7_1); store(i0 + 7u, m0 + 8u, a7_2); store(i0 + 7u, m0 + 12u, a7_3);
}
