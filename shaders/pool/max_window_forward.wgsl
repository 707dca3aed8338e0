// pool/max_window_forward — max pooling with a K×K window and stride S, no padding, in PyTorch's
// floor or ceil mode (SqueezeNet: K = 3, S = 2, ceil_mode = True). Windows overlap when K > S.
//   output[c, yo, xo] = max(input[c, yo·S .. min(yo·S + K, H) − 1, xo·S .. min(xo·S + K, W) − 1])
// The host computes Ho, Wo (floor or ceil of (H − K)/S, + 1; in ceil mode a last window starting
// at or past the end is dropped), so every window starts inside the map; in ceil mode the last
// window may run past the end and is clipped to the map (the outside is never read, as PyTorch's
// −∞ padding). It also records each window's arg-max for the backward pass: the flat position
// y·W + x (within the channel) of the first maximum in row-major order — PyTorch's tie rule.
// Layout: input C×H×W, output C×Ho×Wo (row-major f32), argmax C×Ho×Wo (u32).
// Dispatch: ceil(C·Ho·Wo / 256), spilling into y.

struct Params {
  C: u32,       // channels
  H: u32,       // input height in pixels
  W: u32,       // input width in pixels
  Ho: u32,      // output height (windowPooledShape: floor or ceil mode)
  Wo: u32,      // output width (windowPooledShape: floor or ceil mode)
  K: u32,       // window size (K×K)
  stride: u32,  // stride in both directions
  _pad: u32,    // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.C * params.Ho * params.Wo) { return; }
  let xo = i % params.Wo;
  let yo = (i / params.Wo) % params.Ho;
  let c = i / (params.Wo * params.Ho);
  let y0 = yo * params.stride;
  let x0 = xo * params.stride;
  let y1 = min(y0 + params.K, params.H);
  let x1 = min(x0 + params.K, params.W);
  let base = c * params.H * params.W;
  var arg = y0 * params.W + x0;
  var best = input[base + arg];
  for (var y = y0; y < y1; y++) {
    for (var x = x0; x < x1; x++) {
      let v = input[base + y * params.W + x];
      if (v > best) { best = v; arg = y * params.W + x; }  // strict: ties keep the first
    }
  }
  output[i] = best;
  argmax[i] = arg;
}
