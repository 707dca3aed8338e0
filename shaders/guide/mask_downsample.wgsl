// guide/mask_downsample — one level of a guidance map's pyramid: the map follows the network's
// downsampling (a pooling or strided conv window), each output the mean of the input values its
// window covers inside the map:
//   out[yo, xo] = mean { m[y, x] : y ∈ [yo·S − P, yo·S − P + K) ∩ [0, H), x likewise in [0, W) }
// (PyTorch's avg_pool2d(K, S, P, ceil_mode, count_include_pad=False)). The host gives Ho×Wo by
// the layer's own rule (floor, or ceil with the last window starting inside the map), so a
// window past the edge is clipped, never empty.
// Layout: m H×W, out Ho×Wo (row-major f32).
// Dispatch: ceil(Ho·Wo / 64), spilling into y.

struct Params {
  H: u32,       // input height
  W: u32,       // input width
  Ho: u32,      // output height
  Wo: u32,      // output width
  K: u32,       // window size (K×K)
  stride: u32,  // window step, both directions
  pad: u32,     // rows/columns before the first window (outside the map: not counted)
  _pad0: u32,   // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= params.Ho * params.Wo) { return; }
  let y0 = i32(i / params.Wo * params.stride) - i32(params.pad);
  let x0 = i32(i % params.Wo * params.stride) - i32(params.pad);
  let y1 = min(y0 + i32(params.K), i32(params.H));
  let x1 = min(x0 + i32(params.K), i32(params.W));
  var sum = 0.0;
  var count = 0u;
  for (var y = max(y0, 0); y < y1; y++) {
    for (var x = max(x0, 0); x < x1; x++) {
      sum += m[u32(y) * params.W + u32(x)];
      count++;
    }
  }
  out[i] = sum / f32(max(count, 1u));
}
