// loss/temporal — the pieces of Ruder et al.'s (2016) short-term temporal loss and its gradient:
//   L        = scale · Σ_k,p c[p] · f_k · (x[k,p] − w[k,p])²
//   terms[i] = c[p] · f_k · (x[i] − w[i])²              (reduce/v0_tree then gives L with its scale)
//   grad[i]  = 2·scale·c[p]·f_k·(x[i] − w[i])           (+ grad[i] if accumulate = 1)
// x is the image being optimised, w the previous frame's result warped along the optical flow
// (both in network units), c the per-pixel weight (1 where the pixel stayed visible, 0 where it
// was occluded, newly uncovered or on a motion boundary: flow/consistency) and f_k a per-channel
// factor that turns network units into 0…255 pixel levels, (255·std_k / range)², so a weight
// means the same for every network's input convention. The caller's scale holds the weight and
// Ruder's 1/D, D = C·H·W.
// Layout: input, reference, terms and grad C×H×W (C ≤ 4), weights H×W. Dispatch: ceil(C·H·W / 256),
// spilling into y.

struct Params {
  n: u32,           // element count, C·H·W
  plane: u32,       // pixels per channel, H·W
  scale: f32,       // factor on the loss (the gradient gets 2·scale)
  accumulate: u32,  // 1: add the gradient to grad; 0: overwrite grad
  f0: f32,          // channel 0's factor f_k
  f1: f32,          // channel 1's
  f2: f32,          // channel 2's
  f3: f32,          // channel 3's (unused for RGB images)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> reference: array<f32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> terms: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  let k = i / params.plane;
  let factors = array<f32, 4>(params.f0, params.f1, params.f2, params.f3);
  let cf = weights[i - k * params.plane] * factors[min(k, 3u)];
  let d = input[i] - reference[i];
  terms[i] = cf * d * d;
  let g = 2.0 * params.scale * cf * d;
  grad[i] = select(g, grad[i] + g, params.accumulate == 1u);
}
