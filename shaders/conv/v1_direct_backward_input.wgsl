// conv/v1_direct_backward_input — gradient of conv/v1_direct_forward with respect to its input.
//
//   grad_input[c, y, x] = Σ_o Σ_ky Σ_kx weight[o, c, ky, kx] · grad_output[o, y-ky+pad, x-kx+pad]
//
// i.e. a "same" convolution of grad_output with the kernel transposed (O↔C) and flipped in space.
// Same implicit-GEMM scheme as conv/v1_direct_forward: M = input channels, N = pixels, reduction = O·K·K;
// each invocation computes 8 input channels × 8 consecutive pixels in registers, no barriers.
// (Bias and ReLU have their own backward kernels; this one sees the gradient after them.)
//
// Layout: grad_output R×H×W, grad_input N×H×W (row-major f32; R = the layer's O, N = its C).
//         weight repacked by conv/repack_weights (transpose = 1) into K×K×R×N8 "HWOI" order,
//         N padded with zeros to N8 = ceil(N/8)·8 and read as vec4 over 4 input channels.
// Split-K as in conv/v1_direct_forward: workgroup z sums only output channels [z·r_chunk, (z+1)·r_chunk)
// into slice z of grad_input (S×N×H×W); conv/sum_slices adds the slices when S > 1.
// Dispatch: x = ceil(ceil(H·W / 8) / 64), y = N8 / 8, z = number of slices S.

struct Params {
  N: u32,        // channels produced: the layer's input channels C = grad_input's channels
  H: u32,        // map height in pixels
  W: u32,        // map width in pixels
  R: u32,        // channels reduced: the layer's output channels O = grad_output's channels
  K: u32,        // kernel size (K×K taps, K odd, padding K/2)
  N8: u32,       // N padded to a multiple of 8: the packed weight's fastest dimension
  r_chunk: u32,  // output channels per split-K slice: workgroup z sums [z·r_chunk, (z+1)·r_chunk)
  _pad0: u32,    // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> grad_input: array<f32>;

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

fn store(p: u32, c0: u32, z: u32, lo: vec4<f32>, hi: vec4<f32>) {
  let HW = params.H * params.W;
  if (p >= HW) { return; }
  let base = z * params.N * HW;
  for (var k = 0u; k < 4u; k++) {
    if (c0 + k < params.N) { grad_input[base + (c0 + k) * HW + p] = lo[k]; }
    if (c0 + 4u + k < params.N) { grad_input[base + (c0 + 4u + k) * HW + p] = hi[k]; }
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let HW = params.H * params.W;
  let p0 = gid.x * 8u;
  let c0 = gid.y * 8u;
  if (p0 >= HW || c0 >= params.N) { return; }

  // a_j: input channels c0..c0+3 of pixel p0+j; b_j: channels c0+4..c0+7.
  var a0 = vec4<f32>(); var a1 = vec4<f32>(); var a2 = vec4<f32>(); var a3 = vec4<f32>();
  var a4 = vec4<f32>(); var a5 = vec4<f32>(); var a6 = vec4<f32>(); var a7 = vec4<f32>();
  var b0 = vec4<f32>(); var b1 = vec4<f32>(); var b2 = vec4<f32>(); var b3 = vec4<f32>();
  var b4 = vec4<f32>(); var b5 = vec4<f32>(); var b6 = vec4<f32>(); var b7 = vec4<f32>();

  let q0 = coords(p0);
  let q1 = coords(p0 + 4u);
  let oStart = gid.z * params.r_chunk;
  let oEnd = min(params.R, oStart + params.r_chunk);
  let pad = i32(params.K / 2u);
  for (var ky = 0u; ky < params.K; ky++) {
    for (var kx = 0u; kx < params.K; kx++) {
      let t0 = taps(q0, pad - i32(ky), pad - i32(kx));
      let t1 = taps(q1, pad - i32(ky), pad - i32(kx));
      var wi = (((ky * params.K + kx) * params.R + oStart) * params.N8 + c0) / 4u;
      let wStep = params.N8 / 4u;
      var cb = oStart * HW;
      for (var o = oStart; o < oEnd; o++) {
        let wl = weight[wi];
        let wh = weight[wi + 1u];
        let x0 = grad_output[cb + t0.index.x] * t0.mask.x;
        let x1 = grad_output[cb + t0.index.y] * t0.mask.y;
        let x2 = grad_output[cb + t0.index.z] * t0.mask.z;
        let x3 = grad_output[cb + t0.index.w] * t0.mask.w;
        let x4 = grad_output[cb + t1.index.x] * t1.mask.x;
        let x5 = grad_output[cb + t1.index.y] * t1.mask.y;
        let x6 = grad_output[cb + t1.index.z] * t1.mask.z;
        let x7 = grad_output[cb + t1.index.w] * t1.mask.w;
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
  store(p0, c0, gid.z, a0, b0);      store(p0 + 1u, c0, gid.z, a1, b1);
  store(p0 + 2u, c0, gid.z, a2, b2); store(p0 + 3u, c0, gid.z, a3, b3);
  store(p0 + 4u, c0, gid.z, a4, b4); store(p0 + 5u, c0, gid.z, a5, b5);
  store(p0 + 6u, c0, gid.z, a6, b6); store(p0 + 7u, c0, gid.z, a7, b7);
}
