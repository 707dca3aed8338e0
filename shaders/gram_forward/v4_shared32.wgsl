// gram_forward/v4_shared32 — version 4, for GPUs: G = scale · F·Fᵀ from tiles in workgroup memory,
//   gram[i, j] = scale · Σ_m features[i, m] · features[j, m]      (F is C×M, M = H·W)
// One workgroup of 8×8 invocations computes a 32×32 tile of G (each invocation a 4×4 block of
// it). The tile's 32 + 32 rows of F are staged through workgroup memory 16 positions at a time:
// every invocation loads 8 + 8 values (consecutive invocations read consecutive positions), a
// barrier, then each multiplies its 4 + 4 staged values 16 times (256 multiply-adds per 16
// workgroup-memory reads of 4), a barrier. Versions 0–3 read every value from storage once per
// block that needs it; here a value is read from storage once per 32-row tile. Only tiles on or
// above the diagonal exist (workgroup x counts them row by row); an off-diagonal tile also writes
// its mirror. Rows past C and positions past the slice read as zero. Split-K over workgroup z as
// in version 0.
// Layout: features C×M (a CHW map read as C rows of M); gram S×C×C (S = number of slices,
// summed by gram_forward/sum_slices when S > 1).
// Dispatch: (T, 1, S) workgroups of 8×8, T = B·(B + 1)/2 tiles for B = ceil(C / 32).

struct Params {
  C: u32,      // channels: rows of F, G is C×C
  M: u32,      // values per channel, H·W
  scale: f32,  // factor on F·Fᵀ
  chunk: u32,  // m per split-K slice: workgroup z sums m in [z·chunk, (z+1)·chunk); M if unsplit
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<f32>;
@group(0) @binding(2) var<storage, read_write> gram: array<f32>;

const TILE = 32u;   // rows of G per tile side
const DEPTH = 16u;  // positions staged per step
// staged rows, position fastest: rowsI[r·DEPTH + k] = F[i0 + r, m + k] (rowsJ likewise for j0)
var<workgroup> rowsI: array<f32, 512>;
var<workgroup> rowsJ: array<f32, 512>;

fn load(row: u32, m: u32, mEnd: u32) -> f32 {
  if (row >= params.C || m >= mEnd) { return 0.0; }
  return features[row * params.M + m];
}

fn store(i: u32, j: u32, z: u32, v: f32, mirror: bool) {
  if (i >= params.C || j >= params.C) { return; }
  let base = z * params.C * params.C;
  gram[base + i * params.C + j] = v * params.scale;
  if (mirror) { gram[base + j * params.C + i] = v * params.scale; }
}

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  // tile t of the upper triangle, row by row: tile row r holds tiles r … B - 1 (uniform per workgroup)
  let B = (params.C + TILE - 1u) / TILE;
  var t = wid.x;
  var r = 0u;
  while (r < B && t >= B - r) {
    t -= B - r;
    r++;
  }
  if (r >= B) { return; }
  let i0 = r * TILE;
  let j0 = (r + t) * TILE;
  let flat = lid.y * 8u + lid.x;   // 0 … 63
  let bi = lid.y * 4u;             // this invocation's rows i0 + bi … + 3
  let bj = lid.x * 4u;             // and columns j0 + bj … + 3

  var s0 = vec4<f32>(); var s1 = vec4<f32>(); var s2 = vec4<f32>(); var s3 = vec4<f32>();
  let mBegin = wid.z * params.chunk;
  let mEnd = min(params.M, mBegin + params.chunk);
  for (var m = mBegin; m < mEnd; m += DEPTH) {
    // 512 values per side, 8 per invocation: value l = flat + 64q is row l / 16, position l % 16
    for (var q = 0u; q < 8u; q++) {
      let l = flat + 64u * q;
      rowsI[l] = load(i0 + l / DEPTH, m + l % DEPTH, mEnd);
      rowsJ[l] = load(j0 + l / DEPTH, m + l % DEPTH, mEnd);
    }
    workgroupBarrier();
    for (var k = 0u; k < DEPTH; k++) {
      let a = vec4<f32>(rowsI[bi * DEPTH + k], rowsI[(bi + 1u) * DEPTH + k], rowsI[(bi + 2u) * DEPTH + k], rowsI[(bi + 3u) * DEPTH + k]);
      let b = vec4<f32>(rowsJ[bj * DEPTH + k], rowsJ[(bj + 1u) * DEPTH + k], rowsJ[(bj + 2u) * DEPTH + k], rowsJ[(bj + 3u) * DEPTH + k]);
      s0 += a.x * b; s1 += a.y * b; s2 += a.z * b; s3 += a.w * b;
    }
    workgroupBarrier();
  }
  // a diagonal tile covers both (i, j) and (j, i) itself; an off-diagonal one writes the mirror
  let mirror = i0 != j0;
  for (var c = 0u; c < 4u; c++) {
    store(i0 + bi, j0 + bj + c, wid.z, s0[c], mirror);
    store(i0 + bi + 1u, j0 + bj + c, wid.z, s1[c], mirror);
    store(i0 + bi + 2u, j0 + bj + c, wid.z, s2[c], mirror);
    store(i0 + bi + 3u, j0 + bj + c, wid.z, s3[c], mirror);
  }
}
