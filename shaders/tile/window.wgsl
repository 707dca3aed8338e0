// tile/window — move a window of a C×H×W map in or out of the full map, for tiled evaluation.
//
//   mode = 0 (copy out):  window[c, y, x]  = full[c, y0 + y, x0 + x]
//   mode = 1 (add in):    full[c, y0 + y, x0 + x] += window[c, y, x]
//
// The tiled style transfer copies each tile's input window out of the full image, and adds the
// window's gradient back into the full image's gradient (windows overlap, so gradients add).
// Windows lie inside the full map (the host checks y0 + h ≤ H, x0 + w ≤ W).
// Layout: full C×H×W, window C×h×w (row-major f32). Dispatch: ceil(C·h·w / 256), spilling into y.

struct Params {
  C: u32,     // channels
  H: u32,     // full map height
  W: u32,     // full map width
  h: u32,     // window height
  w: u32,     // window width
  y0: u32,    // window's top row in the full map
  x0: u32,    // window's left column in the full map
  mode: u32,  // 0: copy the window out of the full map; 1: add the window into the full map
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> full: array<f32>;
@group(0) @binding(2) var<storage, read_write> window: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let hw = params.h * params.w;
  if (i >= params.C * hw) { return; }
  let c = i / hw;
  let y = (i % hw) / params.w;
  let x = i % params.w;
  let f = (c * params.H + params.y0 + y) * params.W + params.x0 + x;
  if (params.mode == 0u) {
    window[i] = full[f];
  } else {
    full[f] = full[f] + window[i];
  }
}
