// flow/warp_map_cubic — flow/warp_map with bicubic (Catmull-Rom) instead of bilinear sampling:
// a C-channel map sampled where a flow points, and whether that point lies inside the frame
// (video: the previous stylized frame carried along the flow without the slight low-pass that
// bilinear sampling adds every frame; host flowWarpMapCubic in src/kernels/flow/flow.ts, CPU
// reference warpMapCubicRef in src/kernels/flow/cpu.ts):
//   px = x + flow[0, y, x], py = y + flow[1, y, x]
//   fx = clamp(px, 0, W − 1), fy = clamp(py, 0, H − 1), x0 = ⌊fx⌋, y0 = ⌊fy⌋, tx = fx − x0, ty = fy − y0
//   out[c, y, x] = Σ_{j,i ∈ −1..2} wy_j · wx_i · input[c, clamp(y0 + j, 0, H − 1), clamp(x0 + i, 0, W − 1)], c < C
//   out[C, y, x] = 1 if 0 ≤ px ≤ W − 1 and 0 ≤ py ≤ H − 1, else 0 (as flow/warp_map)
// Catmull-Rom weights (Keys' cubic, a = −0.5) at t ∈ [0, 1), taps −1, 0, 1, 2:
//   w−1 = (−t³ + 2t² − t)/2, w0 = (3t³ − 5t² + 2)/2, w1 = (−3t³ + 4t² + t)/2, w2 = (t³ − t²)/2
// (they sum to 1 and reproduce linear ramps; t = 0 gives 0, 1, 0, 0, so integer shifts are exact;
// taps past an edge repeat the edge pixel). Each row's 4 taps are summed first, then the 4 rows.
// Layout: input C×H×W, flow 2×H×W (dx plane, then dy), out (C + 1)×H×W, row-major f32.
// Dispatch: ceil(H·W / 256), spilling into y; one invocation per pixel, looping over the C channels.

struct Params {
  C: u32,     // channels of input
  H: u32,     // height
  W: u32,     // width
  _pad0: u32, // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> flow: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// Catmull-Rom weights of taps −1, 0, 1, 2 at fraction t
fn weights(t: f32) -> vec4<f32> {
  let t2 = t * t;
  let t3 = t2 * t;
  return 0.5 * vec4<f32>(-t3 + 2.0 * t2 - t, 3.0 * t3 - 5.0 * t2 + 2.0, -3.0 * t3 + 4.0 * t2 + t, t3 - t2);
}

// the 4 tap indices x0 − 1 … x0 + 2 clamped to [0, last]
fn taps(x0: i32, last: i32) -> vec4<u32> {
  return vec4<u32>(clamp(vec4<i32>(x0 - 1, x0, x0 + 1, x0 + 2), vec4<i32>(0), vec4<i32>(last)));
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * 256u;
  let W = params.W;
  let n = params.H * W;
  if (p >= n) { return; }
  let y = p / W;
  let x = p % W;
  let px = f32(x) + flow[p];
  let py = f32(y) + flow[n + p];
  let maxX = f32(W - 1u);
  let maxY = f32(params.H - 1u);
  let inside = px >= 0.0 && px <= maxX && py >= 0.0 && py <= maxY;
  let fx = clamp(px, 0.0, maxX);
  let fy = clamp(py, 0.0, maxY);
  let x0 = floor(fx);
  let y0 = floor(fy);
  let wx = weights(fx - x0);
  let wy = weights(fy - y0);
  let xs = taps(i32(x0), i32(W) - 1);
  let rows = taps(i32(y0), i32(params.H) - 1) * W;
  for (var c = 0u; c < params.C; c++) {
    let o = c * n;
    var acc = 0.0;
    for (var j = 0u; j < 4u; j++) {
      let r = o + rows[j];
      let row = input[r + xs.x] * wx.x + input[r + xs.y] * wx.y + input[r + xs.z] * wx.z + input[r + xs.w] * wx.w;
      acc += row * wy[j];
    }
    out[o + p] = acc;
  }
  out[params.C * n + p] = select(0.0, 1.0, inside);
}
