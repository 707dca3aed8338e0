// conv/v4_rows_vec4 — version 4 of the convolution, 3×3 only (GPUs, W a multiple of 4): the same
// computation, flip, split-K, epilogue and layouts as conv/v3_rows (version 3), but the 10
// input values x0-1 … x0+8 of a kernel row are fetched as four aligned vec4 loads (the one
// holding x0-1, x0…x0+3, x0+4…x0+7, the one holding x0+8) instead of ten scalar loads. On an
// H100 version 3 is limited by L1 traffic (neighbouring invocations read 32 bytes apart, so each
// scalar load touches 8 cache lines per warp); this cuts the load instructions 2.5×.
// Layout: input R×H×W read as vec4 (needs W % 4 = 0, so rows start 16-byte aligned); output
// N×H×W (or S slices); bias N; weight K×K×R×N8 (HWIO), vec4 over outputs.
// Dispatch: x = ceil(H·ceil(W/8) / 64), y = N8 / 8, z = number of slices S.

struct Params {
  R: u32,         // channels reduced: the layer's input channels C (flip = 1: its outputs O, grad_output's)
  H: u32,         // map height in pixels (input and output)
  W: u32,         // map width in pixels (a multiple of 4)
  N: u32,         // channels produced: the layer's output channels O (flip = 1: its inputs C, grad_input's)
  N8: u32,        // N padded to a multiple of 8: the packed weight's fastest dimension
  relu: u32,      // non-zero: ReLU when finishing (only when partial = 0)
  r_chunk: u32,   // reduced channels per split-K slice: workgroup z sums [z·r_chunk, (z+1)·r_chunk)
  partial: u32,   // 1: raw sums to slice z (conv/sum_slices finishes); 0: one slice, bias and ReLU here
  flip: u32,      // 1: taps mirrored (backward to input, transposed packing); 0: forward
  has_bias: u32,  // 1: add bias[n] when finishing; 0: bias is not read
  _pad0: u32, _pad1: u32,  // padding to 48 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

fn finish(v: f32, o: u32) -> f32 {
  if (params.partial == 1u) { return v; }
  var r = v;
  if (params.has_bias == 1u) { r += bias[o]; }
  if (params.relu != 0u) { r = max(r, 0.0); }
  return r;
}

fn store(y: u32, x: u32, o0: u32, z: u32, lo: vec4<f32>, hi: vec4<f32>) {
  if (x >= params.W) { return; }
  let HW = params.H * params.W;
  let p = z * params.N * HW + y * params.W + x;
  for (var k = 0u; k < 4u; k++) {
    if (o0 + k < params.N) { output[p + (o0 + k) * HW] = finish(lo[k], o0 + k); }
    if (o0 + 4u + k < params.N) { output[p + (o0 + 4u + k) * HW] = finish(hi[k], o0 + 4u + k); }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let W = params.W;
  let H = params.H;
  let blocksPerRow = (W + 7u) / 8u;
  if (gid.x >= H * blocksPerRow) { return; }
  let y = gid.x / blocksPerRow;
  let x0 = (gid.x % blocksPerRow) * 8u;
  let o0 = gid.y * 8u;
  if (o0 >= params.N) { return; }

  // a_j: outputs o0..o0+3 at pixel x0+j; b_j: outputs o0+4..o0+7.
  var a0 = vec4<f32>(); var a1 = vec4<f32>(); var a2 = vec4<f32>(); var a3 = vec4<f32>();
  var a4 = vec4<f32>(); var a5 = vec4<f32>(); var a6 = vec4<f32>(); var a7 = vec4<f32>();
  var b0 = vec4<f32>(); var b1 = vec4<f32>(); var b2 = vec4<f32>(); var b3 = vec4<f32>();
  var b4 = vec4<f32>(); var b5 = vec4<f32>(); var b6 = vec4<f32>(); var b7 = vec4<f32>();

  // Which of the four vec4s lie inside the row: the one before x0 (holds x0-1), the second half
  // x0+4…x0+7 (absent when the row ends at x0+4) and the one after (holds x0+8). With W % 4 = 0
  // a vec4 is either wholly inside the row or wholly outside; outside ones read as zeros.
  let hasPrev = x0 > 0u;
  let hasHigh = x0 + 4u < W;
  let hasNext = x0 + 8u < W;
  let mPrev = select(0.0, 1.0, hasPrev);
  let mHigh = select(vec4<f32>(0.0), vec4<f32>(1.0), hasHigh);
  let mNext = select(0.0, 1.0, hasNext);
  let q = x0 / 4u;
  let HW = H * W;
  let cStart = gid.z * params.r_chunk;
  let cEnd = min(params.R, cStart + params.r_chunk);
  let wStep = params.N8 / 4u;            // vec4s per input channel
  let tapStride = params.R * wStep;      // vec4s per tap
  for (var r = 0u; r < 3u; r++) {
    let yy = i32(y + r) - 1;
    if (yy < 0 || yy >= i32(H)) { continue; }
    // weight taps for row offset r and column offsets 0, 1, 2 (mirrored when flip = 1)
    let ky = select(r, 2u - r, params.flip == 1u);
    let kx0 = select(0u, 2u, params.flip == 1u);
    let kx2 = 2u - kx0;
    let t0 = (ky * 3u + kx0) * tapStride + o0 / 4u;
    let t1 = (ky * 3u + 1u) * tapStride + o0 / 4u;
    let t2 = (ky * 3u + kx2) * tapStride + o0 / 4u;
    var rowBase = (cStart * HW + u32(yy) * W) / 4u + q; // vec4 index of x0…x0+3
    let HW4 = HW / 4u;
    var wc = cStart * wStep;
    for (var c = cStart; c < cEnd; c++) {
      let lo = input[rowBase];
      let hi = input[select(rowBase, rowBase + 1u, hasHigh)] * mHigh;
      let v0 = input[select(rowBase, rowBase - 1u, hasPrev)].w * mPrev;
      let v9 = input[select(rowBase, rowBase + 2u, hasNext)].x * mNext;
      let v1 = lo.x; let v2 = lo.y; let v3 = lo.z; let v4 = lo.w;
      let v5 = hi.x; let v6 = hi.y; let v7 = hi.z; let v8 = hi.w;
      // column offset 0: pixel j reads v[j]
      var wl = weight[t0 + wc]; var wh = weight[t0 + wc + 1u];
      a0 += wl * v0; b0 += wh * v0; a1 += wl * v1; b1 += wh * v1;
      a2 += wl * v2; b2 += wh * v2; a3 += wl * v3; b3 += wh * v3;
      a4 += wl * v4; b4 += wh * v4; a5 += wl * v5; b5 += wh * v5;
      a6 += wl * v6; b6 += wh * v6; a7 += wl * v7; b7 += wh * v7;
      // column offset 1: pixel j reads v[j + 1]
      wl = weight[t1 + wc]; wh = weight[t1 + wc + 1u];
      a0 += wl * v1; b0 += wh * v1; a1 += wl * v2; b1 += wh * v2;
      a2 += wl * v3; b2 += wh * v3; a3 += wl * v4; b3 += wh * v4;
      a4 += wl * v5; b4 += wh * v5; a5 += wl * v6; b5 += wh * v6;
      a6 += wl * v7; b6 += wh * v7; a7 += wl * v8; b7 += wh * v8;
      // column offset 2: pixel j reads v[j + 2]
      wl = weight[t2 + wc]; wh = weight[t2 + wc + 1u];
      a0 += wl * v2; b0 += wh * v2; a1 += wl * v3; b1 += wh * v3;
      a2 += wl * v4; b2 += wh * v4; a3 += wl * v5; b3 += wh * v5;
      a4 += wl * v6; b4 += wh * v6; a5 += wl * v7; b5 += wh * v7;
      a6 += wl * v8; b6 += wh * v8; a7 += wl * v9; b7 += wh * v9;
      rowBase += HW4;
      wc += wStep;
    }
  }
  store(y, x0, o0, gid.z, a0, b0);      store(y, x0 + 1u, o0, gid.z, a1, b1);
  store(y, x0 + 2u, o0, gid.z, a2, b2); store(y, x0 + 3u, o0, gid.z, a3, b3);
  store(y, x0 + 4u, o0, gid.z, a4, b4); store(y, x0 + 5u, o0, gid.z, a5, b5);
  store(y, x0 + 6u, o0, gid.z, a6, b6); store(y, x0 + 7u, o0, gid.z, a7, b7);
}
