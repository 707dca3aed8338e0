// conv/repack_weights — reorder OIHW conv weights (PyTorch's layout) for the implicit-GEMM kernels.
//
//   transpose = 0: packed[ky, kx, c, o] = weight[o, c, ky, kx]   (HWIO, o padded to P = ceil(O/8)·8)
//   transpose = 1: packed[ky, kx, o, c] = weight[o, c, ky, kx]   (HWOI, c padded to P = ceil(C/8)·8)
//
// Padding entries are zero, so the conv kernels can always read 8 channels at once. Run once per
// weight tensor (weights are constants during style transfer).
// Layout: weight O×C×K×K; packed K×K×(C or O)×P. Dispatch: ceil(K·K·(C or O)·P / 64) workgroups
// (spilling into y past 65535).

struct Params {
  O: u32,          // output channels of the OIHW weight
  C: u32,          // input channels of the OIHW weight
  K: u32,          // kernel size (K×K taps)
  transpose: u32,  // 0: HWIO packing, o fastest; 1: HWOI packing, c fastest
  P: u32,          // fastest dimension padded to 8: ceil(O/8)·8 (transpose 0) or ceil(C/8)·8 (1)
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> packed: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  let KK = params.K * params.K;
  let rows = select(params.C, params.O, params.transpose == 1u);
  if (i >= KK * rows * params.P) { return; }
  let inner = i % params.P;           // padded (fast) dimension
  let row = (i / params.P) % rows;    // the other channel dimension
  let tap = i / (params.P * rows);    // ky·K + kx
  var o = inner; var c = row;
  if (params.transpose == 1u) { o = row; c = inner; }
  var v = 0.0;
  if (o < params.O && c < params.C) { v = weight[(o * params.C + c) * KK + tap]; }
  packed[i] = v;
}
