// image/colour_moments — partial sums of a 3-channel image's first and second moments, for
// colour matching (Gatys et al. 2017's colour-histogram matching by mean and covariance):
//   partials[g·9 + k] = Σ_{p in chunk g} q_k(p),  q = (x0, x1, x2, x0², x0x1, x0x2, x1², x1x2, x2²)
// where chunk g is pixels [g·chunk, min(n, (g+1)·chunk)). Each of 256 lanes sums every 256th
// pixel of the chunk, then a tree in workgroup memory adds the lanes. The host adds the ≤ 256
// partials in double precision and forms the means and the covariance (few, once per image).
// Layout: image 3×n (a 3×H×W map, n = H·W, row-major f32); partials G×9, G = ceil(n / chunk).
// Dispatch: G workgroups of 256.

struct Params {
  n: u32,      // pixels per channel, H·W
  chunk: u32,  // pixels per workgroup
  _pad0: u32,  // padding to 16 bytes
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

var<workgroup> lanes: array<array<f32, 9>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let n = params.n;
  let begin = wid.x * params.chunk;
  let end = min(n, begin + params.chunk);
  var q: array<f32, 9>;
  for (var p = begin + lane; p < end; p += 256u) {
    let a = image[p];
    let b = image[n + p];
    let c = image[2u * n + p];
    q[0] += a; q[1] += b; q[2] += c;
    q[3] += a * a; q[4] += a * b; q[5] += a * c;
    q[6] += b * b; q[7] += b * c; q[8] += c * c;
  }
  lanes[lane] = q;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half >>= 1u) {
    if (lane < half) {
      for (var k = 0u; k < 9u; k++) { lanes[lane][k] += lanes[lane + half][k]; }
    }
    workgroupBarrier();
  }
  if (lane < 9u) { partials[wid.x * 9u + lane] = lanes[0][lane]; }
}
