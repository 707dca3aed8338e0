// pool/max_window_backward — gradient of pool/max_window_forward, as a gather over input
// positions. Windows overlap when K > S, so one input can be the arg-max of several windows:
//   grad_input[c, y, x] = Σ grad_output[c, yo, xo] over the windows (yo, xo) that contain (y, x)
//                         and whose arg-max it is.
// Which input is each window's arg-max (the first maximum in row-major order over the window
// clipped to the map, as PyTorch picks it) was recorded by the forward pass, so exactly one
// input of each window receives that window's gradient: one index read per window. Inputs no
// window covers get 0.
// Layout: argmax C×Ho×Wo (u32, flat y·W + x within the channel, from pool/max_window_forward),
//         grad_output C×Ho×Wo, grad_input C×H×W (row-major f32).
// Dispatch: ceil(C·H·W / 256), spilling into y.

struct Params {
  C: u32,       // channels
  H: u32,       // input (and grad_input) height in pixels
  W: u32,       // input (and grad_input) width in pixels
  Ho: u32,      // grad_output height (windowPooledShape: floor or ceil mode)
  Wo: u32,      // grad_output width (windowPooledShape: floor or ceil mode)
  K: u32,       // window size (K×K)
  stride: u32,  // stride in both directions
  _pad: u32,    // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> argmax: array<u32>;
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_input: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.C * params.H * params.W) { return; }
  let x = i % params.W;
  let y = (i / params.W) % params.H;
  let c = i / (params.W * params.H);
  let S = params.stride;
  let K = params.K;
  // windows containing row y: yo·S ≤ y < yo·S + K, i.e. ceil((y + 1 − K)/S) ≤ yo ≤ y/S, yo < Ho
  let yLo = select(0u, (y + 1u - K + S - 1u) / S, y + 1u > K);
  let yHi = min(y / S + 1u, params.Ho);
  let xLo = select(0u, (x + 1u - K + S - 1u) / S, x + 1u > K);
  let xHi = min(x / S + 1u, params.Wo);
  let mine = y * params.W + x;
  var g = 0.0;
  for (var yo = yLo; yo < yHi; yo++) {
    for (var xo = xLo; xo < xHi; xo++) {
      let o = (c * params.Ho + yo) * params.Wo + xo;
      if (argmax[o] == mine) { g += grad_output[o]; }
    }
  }
  grad_input[i] = g;
}
