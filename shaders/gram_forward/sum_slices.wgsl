// gram_forward/sum_slices — the second half of the split-K Gram: gram[i] = Σ_z partial[z·n + i].
// Layout: partial S×n (S slices of an n = C·C matrix), gram n. Dispatch: ceil(n / 256), spilling into y.

struct Params {
  n: u32,       // elements per slice, C·C
  slices: u32,  // number of partial Grams S to add
  _pad0: u32, _pad1: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> gram: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  var s = 0.0;
  for (var z = 0u; z < params.slices; z++) { s += partial[z * params.n + i]; }
  gram[i] = s;
}
