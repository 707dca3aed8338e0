// conv/v3_rows — 3×3 convolution, stride 1, zero padding 1, as used by both passes of VGG:
//   flip = 0 (forward):        out[o, y, x] = Σ_c Σ_ky,kx w[ky, kx, c, o] · in[c, y+ky-1, x+kx-1]  (+ bias, ReLU)
//   flip = 1 (backward-input): the same with the taps mirrored, w[2-ky, 2-kx, c, o], which with
//                              the transposed packing (HWOI) is grad_input = conv_transposeᵀ(grad_output).
// Version 3 of the convolution, 3×3 only; versions 0–2 (conv/v0_naive, conv/v1_direct_forward /
// conv/v1_direct_backward_input, conv/v2_flat16) stay as the general-K kernels.
// Each invocation computes 8 output channels × 8 pixels of ONE row. For each input channel and
// kernel row it loads the 10 input values x0-1 … x0+8 once and reuses them for all three kx taps
// (v[j + kx] feeds pixel j at tap kx): 10 scalar loads + 6 vec4 weight loads per 192 multiply-adds,
// against 10 loads per 64 in version 1. Padding is handled by masking the two edge values and by
// skipping kernel rows outside the image; no workgroup memory or barriers.
//
// Layout: input R×H×W; output N×H×W (or S slices of it, see split-K); bias N.
//         weight: K×K×R×N8 (HWIO, N padded to N8 = ceil(N/8)·8), read as vec4 over 4 outputs —
//         conv/repack_weights' forward packing, or its transposed packing for the backward pass.
// Split-K: workgroup z sums reduced channels [z·r_chunk, (z+1)·r_chunk); partial = 1 writes raw sums
// to slice z (conv/sum_slices finishes); partial = 0 applies bias (if has_bias) and ReLU (if relu).
// Dispatch: x = ceil(H·ceil(W/8) / 64), y = N8 / 8, z = number of slices S.

struct Params {
  R: u32,         // channels reduced: the layer's input channels C (flip = 1: its outputs O, grad_output's)
  H: u32,         // map height in pixels (input and output)
  W: u32,         // map width in pixels
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
@group(0) @binding(1) var<storage, read> input: array<f32>;
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

  // The 10 columns x0-1 … x0+8: clamped read positions and 0/1 masks (0 outside the image).
  var col: array<u32, 10>;
  var m: array<f32, 10>;
  for (var k = 0u; k < 10u; k++) {
    let x = i32(x0 + k) - 1;
    col[k] = u32(clamp(x, 0, i32(W) - 1));
    m[k] = select(0.0, 1.0, x >= 0 && x < i32(W));
  }
  let m0 = m[0]; let m1 = m[1]; let m2 = m[2]; let m3 = m[3]; let m4 = m[4];
  let m5 = m[5]; let m6 = m[6]; let m7 = m[7]; let m8 = m[8]; let m9 = m[9];
  let c0 = col[0]; let c1 = col[1]; let c2 = col[2]; let c3 = col[3]; let c4 = col[4];
  let c5 = col[5]; let c6 = col[6]; let c7 = col[7]; let c8 = col[8]; let c9 = col[9];

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
    var rowBase = cStart * HW + u32(yy) * W;
    var wc = cStart * wStep;
    for (var c = cStart; c < cEnd; c++) {
      let v0 = input[rowBase + c0] * m0; let v1 = input[rowBase + c1] * m1;
      let v2 = input[rowBase + c2] * m2; let v3 = input[rowBase + c3] * m3;
      let v4 = input[rowBase + c4] * m4; let v5 = input[rowBase + c5] * m5;
      let v6 = input[rowBase + c6] * m6; let v7 = input[rowBase + c7] * m7;
      let v8 = input[rowBase + c8] * m8; let v9 = input[rowBase + c9] * m9;
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
      rowBase += HW;
      wc += wStep;
    }
  }
  store(y, x0, o0, gid.z, a0, b0);      store(y, x0 + 1u, o0, gid.z, a1, b1);
  store(y, x0 + 2u, o0, gid.z, a2, b2); store(y, x0 + 3u, o0, gid.z, a3, b3);
  store(y, x0 + 4u, o0, gid.z, a4, b4); store(y, x0 + 5u, o0, gid.z, a5, b5);
  store(y, x0 + 6u, o0, gid.z, a6, b6); store(y, x0 + 7u, o0, gid.z, a7, b7);
}
