// reduce/v1_chunks — barrier-free sum for CPU adapters (version 1 of reduce/v0_tree):
//   output[out_offset + i] = scale · Σ_{j < chunk} a[i·chunk + j]            (mode 0)
//                                                or a[k]·b[k] for those k   (mode 1, a dot product)
// Each invocation adds one contiguous chunk serially; the host runs it twice (≤ 256 chunks into
// a partials buffer, then one invocation over the partials into the final slot). reduce/v0_tree's
// tree needs nine workgroup barriers per workgroup, which dominate on SwiftShader; serial chunks
// need none. Summation order is fixed (deterministic).
// Layout: a, b: n floats (b is ignored in mode 0); output: floats at out_offset onward.
// Dispatch: ceil(ceil(n / chunk) / 64) workgroups of 64.

struct Params {
  n: u32,           // elements in a (and b)
  chunk: u32,       // elements per invocation
  mode: u32,        // 0: sum a; 1: sum a·b
  out_offset: u32,  // index in output of invocation 0's result
  scale: f32,       // factor on each invocation's sum
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let start = gid.x * params.chunk;
  if (start >= params.n) { return; }
  let end = min(start + params.chunk, params.n);
  var s = 0.0;
  if (params.mode == 1u) {
    for (var i = start; i < end; i++) { s += a[i] * b[i]; }
  } else {
    for (var i = start; i < end; i++) { s += a[i]; }
  }
  output[params.out_offset + gid.x] = params.scale * s;
}
