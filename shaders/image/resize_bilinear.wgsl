// image/resize_bilinear — a C×h×w float map resized to C×H×W, bilinear, pixel centres aligned
// (the convention of resizeBilinear in src/io/rgba_image.ts, without its rounding to bytes):
//   fy = clamp((y + ½)·h/H − ½, 0, h − 1), y0 = ⌊fy⌋, y1 = min(y0 + 1, h − 1), wy = fy − y0
//   (fx, x0, x1, wx likewise across), and
//   out[c, y, x] = (1 − wy)·((1 − wx)·in[c, y0, x0] + wx·in[c, y0, x1])
//                +      wy ·((1 − wx)·in[c, y1, x0] + wx·in[c, y1, x1])
// Coarse to fine carries a scale's image (network space) to the next scale with it (src/job/run.ts).
// out may not be in (a second buffer).
// Layout: in C×h×w, out C×H×W, row-major f32.
// Dispatch: ceil(C·H·W / 256), spilling into y; one invocation per output element.

struct Params {
  C: u32,     // channels
  h: u32,     // input height
  w: u32,     // input width
  H: u32,     // output height
  W: u32,     // output width
  _pad0: u32, // padding to 32 bytes
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let HW = params.H * params.W;
  if (i >= params.C * HW) { return; }
  let c = i / HW;
  let y = (i % HW) / params.W;
  let x = i % params.W;
  let fy = clamp((f32(y) + 0.5) * f32(params.h) / f32(params.H) - 0.5, 0.0, f32(params.h - 1u));
  let fx = clamp((f32(x) + 0.5) * f32(params.w) / f32(params.W) - 0.5, 0.0, f32(params.w - 1u));
  let y0 = u32(floor(fy));
  let x0 = u32(floor(fx));
  let y1 = min(y0 + 1u, params.h - 1u);
  let x1 = min(x0 + 1u, params.w - 1u);
  let wy = fy - f32(y0);
  let wx = fx - f32(x0);
  let base = c * params.h * params.w;
  let top = input[base + y0 * params.w + x0] * (1.0 - wx) + input[base + y0 * params.w + x1] * wx;
  let bottom = input[base + y1 * params.w + x0] * (1.0 - wx) + input[base + y1 * params.w + x1] * wx;
  out[i] = top * (1.0 - wy) + bottom * wy;
}
