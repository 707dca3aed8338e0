// pool/max_forward — 2×2 max pooling with stride 2 (VGG's pool1..pool5).
//   output[c, y, x] = max(input[c, 2y..2y+1, 2x..2x+1])
// Odd sizes: Ho = floor(H/2), Wo = floor(W/2) (PyTorch's default, ceil_mode=False): a trailing
// odd row/column is dropped and gets zero gradient.
// Layout: input C×H×W, output C×Ho×Wo. Dispatch: ceil(C·Ho·Wo / 256), spilling into y.

struct Params {
  C: u32,     // channels
  H: u32,     // height of the input in pixels (Ho = floor(H/2))
  W: u32,     // width of the input in pixels (Wo = floor(W/2))
  _pad: u32,  // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let Ho = params.H / 2u;
  let Wo = params.W / 2u;
  if (i >= params.C * Ho * Wo) { return; }
  let x = i % Wo;
  let y = (i / Wo) % Ho;
  let c = i / (Wo * Ho);
  let base = (c * params.H + 2u * y) * params.W + 2u * x;
  let top = max(input[base], input[base + 1u]);
  let bottom = max(input[base + params.W], input[base + params.W + 1u]);
  output[i] = max(top, bottom);
}
