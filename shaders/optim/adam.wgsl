// optim/adam — one Adam step (Kingma & Ba) on a parameter buffer, in place:
//   m = β1·m + (1−β1)·g;   v = β2·v + (1−β2)·g²
//   param −= lr · (m / bc1) / (sqrt(v / bc2) + eps),   bc1 = 1 − β1ᵗ, bc2 = 1 − β2ᵗ (from the host)
// Layout: param, grad, m, v: n elements each. Dispatch: ceil(n / 256), spilling into y.

struct Params {
  n: u32,      // elements in each of param, grad, m, v
  lr: f32,     // learning rate
  beta1: f32,  // decay rate β1 of the first moment m
  beta2: f32,  // decay rate β2 of the second moment v
  eps: f32,    // added to sqrt(v / bc2) in the denominator
  bc1: f32,    // bias correction 1 − β1ᵗ for this step t (1-based)
  bc2: f32,    // bias correction 1 − β2ᵗ
  _pad: u32,   // padding to 32 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  let g = grad[i];
  let mi = params.beta1 * m[i] + (1.0 - params.beta1) * g;
  let vi = params.beta2 * v[i] + (1.0 - params.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] -= params.lr * (mi / params.bc1) / (sqrt(vi / params.bc2) + params.eps);
}
