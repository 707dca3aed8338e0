// matmul/matmul — C = A·B, the benchmark's throughput ceiling (a plain GEMM with the same register
// blocking idea as the conv kernels): C is M×N, A is given K-major (at = Aᵀ, K×M) and B is K×N.
// Each invocation computes an 8×8 block of C: per k it loads two vec4 of A and two of B and does
// 64 multiply-adds, no workgroup memory or barriers. M and N must be multiples of 8.
// Layout: at K×M, b K×N, c M×N, row-major f32 (vec4 views).
// Dispatch: (ceil(N/8 / 8), ceil(M/8 / 8)) workgroups of 8×8.

struct Params {
  M: u32,     // rows of C and A (a multiple of 8)
  N: u32,     // columns of C and B (a multiple of 8)
  K: u32,     // reduction length: columns of A, rows of B
  _pad: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> at: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n0 = gid.x * 8u;
  let m0 = gid.y * 8u;
  if (n0 >= params.N || m0 >= params.M) { return; }
  let M4 = params.M / 4u;
  let N4 = params.N / 4u;
  var c00 = vec4<f32>(); var c01 = vec4<f32>(); var c10 = vec4<f32>(); var c11 = vec4<f32>();
  var c20 = vec4<f32>(); var c21 = vec4<f32>(); var c30 = vec4<f32>(); var c31 = vec4<f32>();
  var c40 = vec4<f32>(); var c41 = vec4<f32>(); var c50 = vec4<f32>(); var c51 = vec4<f32>();
  var c60 = vec4<f32>(); var c61 = vec4<f32>(); var c70 = vec4<f32>(); var c71 = vec4<f32>();
  for (var k = 0u; k < params.K; k++) {
    let a0 = at[k * M4 + m0 / 4u];
    let a1 = at[k * M4 + m0 / 4u + 1u];
    let b0 = b[k * N4 + n0 / 4u];
    let b1 = b[k * N4 + n0 / 4u + 1u];
    c00 += a0.x * b0; c01 += a0.x * b1;
    c10 += a0.y * b0; c11 += a0.y * b1;
    c20 += a0.z * b0; c21 += a0.z * b1;
    c30 += a0.w * b0; c31 += a0.w * b1;
    c40 += a1.x * b0; c41 += a1.x * b1;
    c50 += a1.y * b0; c51 += a1.y * b1;
    c60 += a1.z * b0; c61 += a1.z * b1;
    c70 += a1.w * b0; c71 += a1.w * b1;
  }
  let base = m0 * N4 + n0 / 4u;
  c[base] = c00; c[base + 1u] = c01;
  c[base + N4] = c10; c[base + N4 + 1u] = c11;
  c[base + 2u * N4] = c20; c[base + 2u * N4 + 1u] = c21;
  c[base + 3u * N4] = c30; c[base + 3u * N4 + 1u] = c31;
  c[base + 4u * N4] = c40; c[base + 4u * N4 + 1u] = c41;
  c[base + 5u * N4] = c50; c[base + 5u * N4 + 1u] = c51;
  c[base + 6u * N4] = c60; c[base + 6u * N4 + 1u] = c61;
  c[base + 7u * N4] = c70; c[base + 7u * N4 + 1u] = c71;
}
