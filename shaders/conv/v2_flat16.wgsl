// conv/v2_flat16 — 2-D convolution, stride 1, "same" zero padding (K odd), for CPU adapters:
//   flip = 0 (forward):        out[o, y, x] = Σ_c Σ_ky,kx w[ky, kx, c, o] · in[c, y+ky-pad, x+kx-pad]  (+ bias, ReLU)
//   flip = 1 (backward-input): taps mirrored, in[c, y-ky+pad, x-kx+pad], with the transposed (HWOI)
//                              packing, i.e. grad_input from grad_output.
// Version 2 of the convolution: version 1 (conv/v1_direct_forward / conv/v1_direct_backward_input) with a
// register block of 16 output channels × 8 flattened pixels instead of 8 × 8: each gathered input
// value feeds 16 multiply-adds instead of 8 (on SwiftShader a 16×8-block matmul runs ~12% faster
// than 8×8). No workgroup memory or barriers. Needs N8 (produced channels padded to 8) to be a
// multiple of 16.
// Layout: input R×H×W; output N×H×W (or S slices, see split-K in conv/v1_direct_forward); bias N;
//         weight K×K×R×N8 as vec4 over outputs (conv/repack_weights' forward or transposed packing).
// Dispatch: x = ceil(ceil(H·W / 8) / 64), y = N8 / 16, z = number of slices S.

struct Params {
  R: u32,         // channels reduced: the layer's input channels C (flip = 1: its outputs O, grad_output's)
  H: u32,         // map height in pixels (input and output)
  W: u32,         // map width in pixels
  N: u32,         // channels produced: the layer's output channels O (flip = 1: its inputs C, grad_input's)
  K: u32,         // kernel size (K×K taps, K odd, padding K/2)
  N8: u32,        // N padded to 8, here a multiple of 16: the packed weight's fastest dimension
  relu: u32,      // non-zero: ReLU when finishing (only when partial = 0)
  r_chunk: u32,   // reduced channels per split-K slice: workgroup z sums [z·r_chunk, (z+1)·r_chunk)
  partial: u32,   // 1: raw sums to slice z (conv/sum_slices finishes); 0: one slice, bias and ReLU here
  flip: u32,      // 1: taps mirrored (backward to input, transposed packing); 0: forward
  has_bias: u32,  // 1: add bias[n] when finishing; 0: bias is not read
  _pad0: u32,     // padding to 48 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

// Pixel coordinates of 4 consecutive flat pixels p..p+3 (x = column, y = row, w = 1 if p < H·W).
fn coords(p: u32) -> array<vec4<i32>, 3> {
  let ps = vec4<u32>(p, p + 1u, p + 2u, p + 3u);
  let W = vec4<u32>(params.W);
  return array<vec4<i32>, 3>(vec4<i32>(ps % W), vec4<i32>(ps / W), vec4<i32>(ps < vec4<u32>(params.H * params.W)));
}

// For tap offset (dy, dx): each pixel's flat read index and a 0/1 mask (0 where the tap falls
// into the zero padding). Out-of-range indices are clamped to 0 and masked, never read as data.
struct Taps { index: vec4<u32>, mask: vec4<f32> }

fn taps(c: array<vec4<i32>, 3>, dy: i32, dx: i32) -> Taps {
  let x = c[0] + vec4<i32>(dx);
  let y = c[1] + vec4<i32>(dy);
  let inside = (x >= vec4<i32>(0)) & (x < vec4<i32>(i32(params.W))) & (y >= vec4<i32>(0)) & (y < vec4<i32>(i32(params.H))) & (c[2] == vec4<i32>(1));
  let index = select(vec4<u32>(0u), vec4<u32>(y) * params.W + vec4<u32>(x), inside);
  return Taps(index, select(vec4<f32>(0.0), vec4<f32>(1.0), inside));
}

fn finish(v: f32, o: u32) -> f32 {
  if (params.partial == 1u) { return v; }
  var r = v;
  if (params.has_bias == 1u) { r += bias[o]; }
  if (params.relu != 0u) { r = max(r, 0.0); }
  return r;
}

fn store(p: u32, o0: u32, z: u32, lo: vec4<f32>, hi: vec4<f32>) {
  let HW = params.H * params.W;
  if (p >= HW) { return; }
  let base = z * params.N * HW;
  for (var k = 0u; k < 4u; k++) {
    if (o0 + k < params.N) { output[base + (o0 + k) * HW + p] = finish(lo[k], o0 + k); }
    if (o0 + 4u + k < params.N) { output[base + (o0 + 4u + k) * HW + p] = finish(hi[k], o0 + 4u + k); }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let HW = params.H * params.W;
  let p0 = gid.x * 8u;
  let o0 = gid.y * 16u;
  if (p0 >= HW || o0 >= params.N) { return; }

  // a_j, b_j, e_j, f_j: channels o0..o0+3, +4..+7, +8..+11, +12..+15 of pixel p0+j.
  var a0 = vec4<f32>(); var a1 = vec4<f32>(); var a2 = vec4<f32>(); var a3 = vec4<f32>();
  var a4 = vec4<f32>(); var a5 = vec4<f32>(); var a6 = vec4<f32>(); var a7 = vec4<f32>();
  var b0 = vec4<f32>(); var b1 = vec4<f32>(); var b2 = vec4<f32>(); var b3 = vec4<f32>();
  var b4 = vec4<f32>(); var b5 = vec4<f32>(); var b6 = vec4<f32>(); var b7 = vec4<f32>();
  var e0 = vec4<f32>(); var e1 = vec4<f32>(); var e2 = vec4<f32>(); var e3 = vec4<f32>();
  var e4 = vec4<f32>(); var e5 = vec4<f32>(); var e6 = vec4<f32>(); var e7 = vec4<f32>();
  var f0 = vec4<f32>(); var f1 = vec4<f32>(); var f2 = vec4<f32>(); var f3 = vec4<f32>();
  var f4 = vec4<f32>(); var f5 = vec4<f32>(); var f6 = vec4<f32>(); var f7 = vec4<f32>();

  let c0 = coords(p0);
  let c1 = coords(p0 + 4u);
  let cStart = gid.z * params.r_chunk;
  let cEnd = min(params.R, cStart + params.r_chunk);
  let pad = i32(params.K / 2u);
  for (var ky = 0u; ky < params.K; ky++) {
    for (var kx = 0u; kx < params.K; kx++) {
      let dy = select(i32(ky) - pad, pad - i32(ky), params.flip == 1u);
      let dx = select(i32(kx) - pad, pad - i32(kx), params.flip == 1u);
      let t0 = taps(c0, dy, dx);
      let t1 = taps(c1, dy, dx);
      var wi = (((ky * params.K + kx) * params.R + cStart) * params.N8 + o0) / 4u;
      let wStep = params.N8 / 4u;
      var cb = cStart * HW;
      for (var c = cStart; c < cEnd; c++) {
        let w0 = weight[wi]; let w1 = weight[wi + 1u]; let w2 = weight[wi + 2u]; let w3 = weight[wi + 3u];
        let x0 = input[cb + t0.index.x] * t0.mask.x;
        let x1 = input[cb + t0.index.y] * t0.mask.y;
        let x2 = input[cb + t0.index.z] * t0.mask.z;
        let x3 = input[cb + t0.index.w] * t0.mask.w;
        let x4 = input[cb + t1.index.x] * t1.mask.x;
        let x5 = input[cb + t1.index.y] * t1.mask.y;
        let x6 = input[cb + t1.index.z] * t1.mask.z;
        let x7 = input[cb + t1.index.w] * t1.mask.w;
        a0 += w0 * x0; b0 += w1 * x0; e0 += w2 * x0; f0 += w3 * x0;
        a1 += w0 * x1; b1 += w1 * x1; e1 += w2 * x1; f1 += w3 * x1;
        a2 += w0 * x2; b2 += w1 * x2; e2 += w2 * x2; f2 += w3 * x2;
        a3 += w0 * x3; b3 += w1 * x3; e3 += w2 * x3; f3 += w3 * x3;
        a4 += w0 * x4; b4 += w1 * x4; e4 += w2 * x4; f4 += w3 * x4;
        a5 += w0 * x5; b5 += w1 * x5; e5 += w2 * x5; f5 += w3 * x5;
        a6 += w0 * x6; b6 += w1 * x6; e6 += w2 * x6; f6 += w3 * x6;
        a7 += w0 * x7; b7 += w1 * x7; e7 += w2 * x7; f7 += w3 * x7;
        wi += wStep;
        cb += HW;
      }
    }
  }
  store(p0 + 0u, o0, gid.z, a0, b0); store(p0 + 0u, o0 + 8u, gid.z, e0, f0);
  store(p0 + 1u, o0, gid.z, a1, b1); store(p0 + 1u, o0 + 8u, gid.z, e1, f1);
  store(p0 + 2u, o0, gid.z, a2, b2); store(p0 + 2u, o0 + 8u, gid.z, e2, f2);
  store(p0 + 3u, o0, gid.z, a3, b3); store(p0 + 3u, o0 + 8u, gid.z, e3, f3);
  store(p0 + 4u, o0, gid.z, a4, b4); store(p0 + 4u, o0 + 8u, gid.z, e4, f4);
  store(p0 + 5u, o0, gid.z, a5, b5); store(p0 + 5u, o0 + 8u, gid.z, e5, f5);
  store(p0 + 6u, o0, gid.z, a6, b6); store(p0 + 6u, o0 + 8u, gid.z, e6, f6);
  store(p0 + 7u, o0, gid.z, a7, b7); store(p0 + 7u, o0 + 8u, gid.z, e7, f7);
}
