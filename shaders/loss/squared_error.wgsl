// loss/squared_error — the pieces of L = scale · Σ_i (input[i] − reference[i])² and its gradient:
//   terms[i] = (input[i] − reference[i])²            (reduce/v0_tree then gives L with its scale)
//   grad[i]  = 2·scale·(input[i] − reference[i])  (+ grad[i] if accumulate = 1)
// Content loss ½Σ(F−P)² uses scale = ½; the style loss uses it on Gram matrices.
// Layout: any, n elements. Dispatch: ceil(n / 256), spilling into y.

struct Params {
  n: u32,           // element count
  scale: f32,       // factor on the loss (the gradient gets 2·scale)
  accumulate: u32,  // 1: add the gradient to grad; 0: overwrite grad
  _pad: u32,        // padding to 16 bytes
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> reference: array<f32>;
@group(0) @binding(3) var<storage, read_write> terms: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= params.n) { return; }
  let d = input[i] - reference[i];
  terms[i] = d * d;
  let g = 2.0 * params.scale * d;
  grad[i] = select(g, grad[i] + g, params.accumulate == 1u);
}
