// reduce/v0_tree — sums a buffer on the GPU (one pass of a two-pass reduction):
//   output[out_offset + w] = scale · Σ over workgroup w's block of  a[i]        (mode 0)
//                                                               or a[i]·b[i]   (mode 1, a dot product)
// Workgroup w covers a[w·block .. (w+1)·block) (block a multiple of 256): each invocation sums a
// strided run, then a tree reduction in workgroup memory. The host runs it once with up to 256
// workgroups into a partials buffer, then once with one workgroup over the partials into the
// final slot, so the result never leaves the GPU. Summation order is fixed (deterministic).
// Layout: a, b: n floats (b is ignored in mode 0); output: floats at out_offset onward.
// Dispatch: number of blocks (≤ 65535).

struct Params {
  n: u32,           // elements in a (and b)
  block: u32,       // elements per workgroup, a multiple of 256
  mode: u32,        // 0: sum a; 1: sum a·b
  out_offset: u32,  // index in output of workgroup 0's result
  scale: f32,       // factor on each workgroup's sum
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let start = wid.x * params.block;
  let end = min(start + params.block, params.n);
  var s = 0.0;
  for (var i = start + lid.x; i < end; i += 256u) {
    if (params.mode == 1u) { s += a[i] * b[i]; } else { s += a[i]; }
  }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) { partial[lid.x] += partial[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { output[params.out_offset + wid.x] = params.scale * partial[0]; }
}
