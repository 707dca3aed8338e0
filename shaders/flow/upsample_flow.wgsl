// flow/upsample_flow — a coarse level's flow carried to the next finer level (optical flow's
// pyramid, src/kernels/flow/flow.ts): resized bilinearly with pixel centres aligned, as
// image/resize_bilinear, and its values scaled to the finer level's pixels:
//   fy = clamp((y + ½)·h/H − ½, 0, h − 1), y0 = ⌊fy⌋, y1 = min(y0 + 1, h − 1), wy = fy − y0
//   (fx, x0, x1, wx likewise across), r[c] = that bilinear mix of in[c, ·, ·], and
//   out[0, y, x] = r[0]·W/w,  out[1, y, x] = r[1]·H/h
// Layout: in 2×h×w, out 2×H×W (dx plane, then dy), row-major f32.
// Dispatch: ceil(2·H·W / 256), spilling into y; one invocation per output element.

struct Params {
  h: u32,     // coarse height
  w: u32,     // coarse width
  H: u32,     // fine height
  W: u32,     // fine width
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let HW = params.H * params.W;
  if (i >= 2u * HW) { return; }
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
  let scale = select(f32(params.H) / f32(params.h), f32(params.W) / f32(params.w), c == 0u);
  out[i] = (top * (1.0 - wy) + bottom * wy) * scale;
}
