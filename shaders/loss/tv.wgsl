// loss/tv — total variation, the sum of squared differences of horizontally and vertically
// adjacent pixels, per channel:
//   L = scale · Σ_c,y,x [ (I[c,y,x+1] − I[c,y,x])² + (I[c,y+1,x] − I[c,y,x])² ]
//   grad[i]  = 2·scale·( (I[x]−I[x−1]) − (I[x+1]−I[x]) + (I[y]−I[y−1]) − (I[y+1]−I[y]) ) over the
//              neighbours that exist  (+ grad[i] if accumulate = 1)
//   terms[j] = Σ of the bracket over pixels i = j, j + S, j + 2S, … (S = params.S invocations;
//              missing neighbours at the right/bottom edge contribute 0). Σ_j terms[j] is the
//              bracket's total, so a reduction over S floats gives the loss: no image-size buffer
//              (S = C·H·W for images up to S_max pixels: then terms[i] is pixel i's bracket).
// Grid-stride: invocation j walks the image S apart, so neighbouring invocations read
// neighbouring pixels (coalesced on GPUs, contiguous SIMD lanes on CPUs).
// Layout: image C×H×W, terms S. Dispatch: ceil(S / 256) workgroups.

struct Params {
  C: u32,           // channels
  H: u32,           // image height in pixels
  W: u32,           // image width in pixels
  scale: f32,       // factor on the loss (the gradient gets 2·scale)
  accumulate: u32,  // 1: add the gradient to grad; 0: overwrite grad
  S: u32,           // invocations = length of terms (≤ C·H·W)
  _pad0: u32, _pad1: u32,  // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read_write> terms: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= params.S) { return; }
  let n = params.C * params.H * params.W;
  var sum = 0.0;
  for (var i = j; i < n; i += params.S) {
    let x = i % params.W;
    let y = (i / params.W) % params.H;
    let v = image[i];
    var g = 0.0;
    if (x + 1u < params.W) { let d = image[i + 1u] - v; sum += d * d; g -= d; }
    if (y + 1u < params.H) { let d = image[i + params.W] - v; sum += d * d; g -= d; }
    if (x > 0u) { g += v - image[i - 1u]; }
    if (y > 0u) { g += v - image[i - params.W]; }
    let gs = 2.0 * params.scale * g;
    grad[i] = select(gs, grad[i] + gs, params.accumulate == 1u);
  }
  terms[j] = sum;
}
