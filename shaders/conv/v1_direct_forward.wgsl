// conv/v1_direct_forward — 2-D convolution, stride 1, "same" zero padding (K odd, pad = K/2), plus bias,
// optionally followed by ReLU (relu = 1) so VGG's conv+bias+ReLU is one pass.
//
//   output[o, y, x] = bias[o] + Σ_c Σ_ky Σ_kx weight[o, c, ky, kx] · input[c, y+ky-pad, x+kx-pad]
//
// This is an implicit GEMM: M = output channels, N = pixels (H·W), reduction = C·K·K. Each
// invocation computes a register block of 8 output channels × 8 consecutive pixels (flattened
// y·W + x, so narrow deep layers waste nothing), without workgroup memory or barriers.
//
// Layout: input R×H×W, output N×H×W (row-major f32; R = the layer's C, N = its O).
//         weight repacked by conv/repack_weights (transpose = 0) into K×K×R×N8 "HWIO" order,
//         N padded with zeros to N8 = ceil(N/8)·8 and read as vec4 over 4 output channels.
// Split-K (for deep layers with few pixels, where too few invocations would each loop over all
// C·K·K): workgroup z sums only input channels [z·r_chunk, (z+1)·r_chunk) and, with partial = 1,
// writes its raw sums to slice z of `output` (S×N×H×W); conv/sum_slices then adds the slices,
// the bias and the ReLU. With partial = 0 (one slice) bias and ReLU are applied here.
// Dispatch: x = ceil(ceil(H·W / 8) / 64), y = N8 / 8, z = number of slices S.

struct Params {
  R: u32,        // channels reduced: the layer's input channels
  H: u32,        // map height in pixels (input and output)
  W: u32,        // map width in pixels
  N: u32,        // channels produced: the layer's output channels
  K: u32,        // kernel size (K×K taps, K odd, padding K/2)
  N8: u32,       // N padded to a multiple of 8: the packed weight's fastest dimension
  relu: u32,     // non-zero: ReLU after the bias (only when partial = 0)
  r_chunk: u32,  // input channels per split-K slice: workgroup z sums [z·r_chunk, (z+1)·r_chunk)
  partial: u32,  // 1: raw sums to slice z (conv/sum_slices finishes); 0: one slice, bias and ReLU here
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 48 bytes
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
  var r = v + bias[o];
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
  let o0 = gid.y * 8u;
  if (p0 >= HW || o0 >= params.N) { return; }

  // a_j: channels o0..o0+3 of pixel p0+j; b_j: channels o0+4..o0+7.
  var a0 = vec4<f32>(); var a1 = vec4<f32>(); var a2 = vec4<f32>(); var a3 = vec4<f32>();
  var a4 = vec4<f32>(); var a5 = vec4<f32>(); var a6 = vec4<f32>(); var a7 = vec4<f32>();
  var b0 = vec4<f32>(); var b1 = vec4<f32>(); var b2 = vec4<f32>(); var b3 = vec4<f32>();
  var b4 = vec4<f32>(); var b5 = vec4<f32>(); var b6 = vec4<f32>(); var b7 = vec4<f32>();

  let c0 = coords(p0);
  let c1 = coords(p0 + 4u);
  let cStart = gid.z * params.r_chunk;
  let cEnd = min(params.R, cStart + params.r_chunk);
  let pad = i32(params.K / 2u);
  for (var ky = 0u; ky < params.K; ky++) {
    for (var kx = 0u; kx < params.K; kx++) {
      let t0 = taps(c0, i32(ky) - pad, i32(kx) - pad);
      let t1 = taps(c1, i32(ky) - pad, i32(kx) - pad);
      var wi = (((ky * params.K + kx) * params.R + cStart) * params.N8 + o0) / 4u;
      let wStep = params.N8 / 4u;
      var cb = cStart * HW;
      for (var c = cStart; c < cEnd; c++) {
        let wl = weight[wi];
        let wh = weight[wi + 1u];
        let x0 = input[cb + t0.index.x] * t0.mask.x;
        let x1 = input[cb + t0.index.y] * t0.mask.y;
        let x2 = input[cb + t0.index.z] * t0.mask.z;
        let x3 = input[cb + t0.index.w] * t0.mask.w;
        let x4 = input[cb + t1.index.x] * t1.mask.x;
        let x5 = input[cb + t1.index.y] * t1.mask.y;
        let x6 = input[cb + t1.index.z] * t1.mask.z;
        let x7 = input[cb + t1.index.w] * t1.mask.w;
        a0 += wl * x0; b0 += wh * x0;
        a1 += wl * x1; b1 += wh * x1;
        a2 += wl * x2; b2 += wh * x2;
        a3 += wl * x3; b3 += wh * x3;
        a4 += wl * x4; b4 += wh * x4;
        a5 += wl * x5; b5 += wh * x5;
        a6 += wl * x6; b6 += wh * x6;
        a7 += wl * x7; b7 += wh * x7;
        wi += wStep;
        cb += HW;
      }
    }
  }
  store(p0, o0, gid.z, a0, b0);      store(p0 + 1u, o0, gid.z, a1, b1);
  store(p0 + 2u, o0, gid.z, a2, b2); store(p0 + 3u, o0, gid.z, a3, b3);
  store(p0 + 4u, o0, gid.z, a4, b4); store(p0 + 5u, o0, gid.z, a5, b5);
  store(p0 + 6u, o0, gid.z, a6, b6); store(p0 + 7u, o0, gid.z, a7, b7);
}
