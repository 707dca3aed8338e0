// conv/v0_naive — 2-D convolution, stride 1, "same" zero padding (K odd), one invocation per output value.
//
//   flip = 0 (forward):         out[n, y, x] = Σ_r Σ_ky,kx w[ky, kx, r, n] · in[r, y+ky-pad, x+kx-pad]   (+ bias, ReLU)
//   flip = 1 (backward-input):  out[n, y, x] = Σ_r Σ_ky,kx w[ky, kx, r, n] · in[r, y-ky+pad, x-kx+pad]
//
// with pad = K/2. Forward: r runs over the C input channels, n over the O outputs, w is the
// forward packing. Backward to the input: `in` is grad_output (r over O), `out` is grad_input
// (n over C), w the transposed packing, and the taps are mirrored — the transposed convolution.
// This is the version to read first: every later version (conv/v1_direct_forward … conv/v5_winograd_*)
// computes exactly this sum, only faster (register blocks, row reuse, vec4 reads, Winograd).
// It reads each input value K·K·N times from memory, so it is the slowest; autotuning skips it.
// Layout: input R×H×W, output N×H×W (row-major f32), bias N;
//         weight K×K×R×N8 from conv/repack_weights (N8 = N padded to a multiple of 8).
// Dispatch: ceil(N·H·W / 64) workgroups of 64, spilling into y past 65535.

struct Params {
  R: u32,        // channels reduced (forward: input channels; backward: output channels)
  H: u32,        // map height
  W: u32,        // map width
  N: u32,        // channels produced (forward: output channels; backward: input channels)
  K: u32,        // kernel size (odd)
  N8: u32,       // N padded to a multiple of 8: the packed weights' row length
  relu: u32,     // 1: max(0, ·) on the result (forward only)
  flip: u32,     // 1: mirrored taps (backward to the input)
  has_bias: u32, // 1: add bias[n]
  _pad0: u32,    // padding to a multiple of 16 bytes
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  let HW = params.H * params.W;
  if (i >= params.N * HW) { return; }
  let n = i / HW;
  let y = i32((i % HW) / params.W);
  let x = i32(i % params.W);
  let K = i32(params.K);
  let pad = K / 2;
  var sum = 0.0;
  for (var r = 0u; r < params.R; r++) {
    for (var ky = 0; ky < K; ky++) {
      for (var kx = 0; kx < K; kx++) {
        var sy = y + ky - pad;
        var sx = x + kx - pad;
        if (params.flip == 1u) {
          sy = y - ky + pad;
          sx = x - kx + pad;
        }
        // taps outside the map read the zero padding
        if (sy < 0 || sy >= i32(params.H) || sx < 0 || sx >= i32(params.W)) { continue; }
        let tap = u32(ky * K + kx);
        sum += weight[(tap * params.R + r) * params.N8 + n] * input[(r * params.H + u32(sy)) * params.W + u32(sx)];
      }
    }
  }
  if (params.has_bias == 1u) { sum += bias[n]; }
  if (params.relu == 1u) { sum = max(sum, 0.0); }
  output[i] = sum;
}
