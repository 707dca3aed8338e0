// optim/adam_bf16 — one Adam step (as optim/adam) with the moments stored as bfloat16, both in one
// u32 per element (half the state of float32 moments: at 4096² that is 201 MB less):
//   state[i] = bf16(m) << 16 | bf16(v)          bf16(x) = the high 16 bits of x's float32 bits
//   m = β1·m + (1−β1)·g;   v = β2·v + (1−β2)·g²  (in float32, from the unpacked moments)
//   param −= lr · (m / bc1) / (sqrt(v / bc2) + eps)
// The moments are rounded back stochastically: r uniform in [0, 2¹⁶) is added to the float32 bits
// before truncating, so E[stored] = the exact value. Rounding to nearest would stall v: with
// β2 = 0.999 a step moves v by ≤ 0.1%, under half of bf16's 0.4% spacing. r comes from a hash of
// (i, seed), seed = the step number: a run is reproducible.
// bfloat16 keeps float32's exponent range (no overflow of g², unlike float16) with 8 bits of
// precision; the update itself (param, grad) stays float32.
// Layout: param, grad: n floats; state: n u32. Dispatch: ceil(n / 256), spilling into y.

struct Params {
  n: u32,      // elements in param, grad and state
  lr: f32,     // learning rate
  beta1: f32,  // decay rate β1 of the first moment m
  beta2: f32,  // decay rate β2 of the second moment v
  eps: f32,    // added to sqrt(v / bc2) in the denominator
  bc1: f32,    // bias correction 1 − β1ᵗ for this step t (1-based)
  bc2: f32,    // bias correction 1 − β2ᵗ
  seed: u32,   // the step number t: seeds the stochastic rounding
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> state: array<u32>;

// "lowbias32" integer hash (Chris Wellons): well-mixed 32 bits from a counter
fn hash(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u; h *= 0x7feb352du;
  h ^= h >> 15u; h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

// float32 bits of x, rounded to their high 16 by adding r (< 2¹⁶) and truncating
fn bf16_bits(x: f32, r: u32) -> u32 {
  return (bitcast<u32>(x) + r) >> 16u;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  let s = state[i];
  let g = grad[i];
  let mi = params.beta1 * bitcast<f32>(s & 0xffff0000u) + (1.0 - params.beta1) * g;
  let vi = params.beta2 * bitcast<f32>(s << 16u) + (1.0 - params.beta2) * g * g;
  let r = hash(i ^ (params.seed * 0x9e3779b9u));
  state[i] = (bf16_bits(mi, r & 0xffffu) << 16u) | bf16_bits(vi, r >> 16u);
  param[i] -= params.lr * (mi / params.bc1) / (sqrt(vi / params.bc2) + params.eps);
}
