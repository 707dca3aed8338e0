// loss/tv — total variation, the sum of squared differences of horizontally and vertically
// adjacent pixels, per channel:
//   L = scale · Σ_c,y,x [ (I[c,y,x+1] − I[c,y,x])² + (I[c,y+1,x] − I[c,y,x])² ]
//   terms[i] = the bracket at pixel i (missing neighbours at the right/bottom edge contribute 0)
//   grad[i]  = 2·scale·( (I[x]−I[x−1]) − (I[x+1]−I[x]) + (I[y]−I[y−1]) − (I[y+1]−I[y]) ) over the
//              neighbours that exist  (+ grad[i] if accumulate = 1)
// Layout: image C×H×W. Dispatch: ceil(C·H·W / 256), spilling into y.

struct Params {
  C: u32,           // channels
  H: u32,           // image height in pixels
  W: u32,           // image width in pixels
  scale: f32,       // factor on the loss (the gradient gets 2·scale)
  accumulate: u32,  // 1: add the gradient to grad; 0: overwrite grad
  _pad0: u32, _pad1: u32, _pad2: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read_write> terms: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.C * params.H * params.W) { return; }
  let x = i % params.W;
  let y = (i / params.W) % params.H;
  let v = image[i];
  var t = 0.0;
  var g = 0.0;
  if (x + 1u < params.W) { let d = image[i + 1u] - v; t += d * d; g -= d; }
  if (y + 1u < params.H) { let d = image[i + params.W] - v; t += d * d; g -= d; }
  if (x > 0u) { g += v - image[i - 1u]; }
  if (y > 0u) { g += v - image[i - params.W]; }
  terms[i] = t;
  let gs = 2.0 * params.scale * g;
  grad[i] = select(gs, grad[i] + gs, params.accumulate == 1u);
}
