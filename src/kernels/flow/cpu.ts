/**
 * CPU references (float64) for optical flow: each kernel of shaders/flow/ step by step, and the
 * whole coarse-to-fine Horn–Schunck with warping (opticalFlowRef) composed of them exactly as
 * flow.ts composes the kernels. Layouts as the kernels': planes row-major, flow 2×H×W (dx, dy).
 */
import { resizeBilinearRef } from '../image/cpu.js';
import { flowLevels, flowSettings, grayWeights, type FlowOptions } from './options.js';

type Arr = ArrayLike<number>;

/** flow/gray: three planes of n pixels → grey. */
export function grayRef(input: Arr, n: number, g: { wr: number; wg: number; wb: number; bias: number }): Float64Array {
  return Float64Array.from({ length: n }, (_, p) => g.wr * input[p] + g.wg * input[n + p] + g.wb * input[2 * n + p] + g.bias);
}

/** One plane of flow/warp_map: b (H×W) sampled at x + flow (clamped bilinear), and 1 where that point is inside. */
export function warpGrayRef(b: Arr, flow: Arr, H: number, W: number): Float64Array {
  const n = H * W, out = new Float64Array(2 * n);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x, px = x + flow[p], py = y + flow[n + p];
      const fx = Math.min(W - 1, Math.max(0, px)), fy = Math.min(H - 1, Math.max(0, py));
      const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(x0 + 1, W - 1), y1 = Math.min(y0 + 1, H - 1);
      const wx = fx - x0, wy = fy - y0;
      const top = b[y0 * W + x0] * (1 - wx) + b[y0 * W + x1] * wx;
      const bottom = b[y1 * W + x0] * (1 - wx) + b[y1 * W + x1] * wx;
      out[p] = top * (1 - wy) + bottom * wy;
      out[n + p] = px >= 0 && px <= W - 1 && py >= 0 && py <= H - 1 ? 1 : 0;
    }
  return out;
}

/** flow/warp_map: each of the C planes of input sampled at x + flow (clamped bilinear), then the inside plane. */
export function warpMapRef(input: Arr, flow: Arr, C: number, H: number, W: number): Float64Array {
  const n = H * W, out = new Float64Array((C + 1) * n);
  for (let c = 0; c < C; c++) {
    const w = warpGrayRef(Array.prototype.slice.call(input, c * n, (c + 1) * n), flow, H, W);
    out.set(w.subarray(0, n), c * n);
    if (c === 0) out.set(w.subarray(n), C * n);
  }
  return out;
}

/** Catmull-Rom (a = −0.5) weights of taps −1, 0, 1, 2 at fraction t ∈ [0, 1). */
export function catmullRomWeights(t: number): [number, number, number, number] {
  const t2 = t * t, t3 = t2 * t;
  return [0.5 * (-t3 + 2 * t2 - t), 0.5 * (3 * t3 - 5 * t2 + 2), 0.5 * (-3 * t3 + 4 * t2 + t), 0.5 * (t3 - t2)];
}

/** flow/warp_map_cubic: warpMapRef with bicubic (Catmull-Rom, clamped-to-edge taps) sampling, the same inside plane. */
export function warpMapCubicRef(input: Arr, flow: Arr, C: number, H: number, W: number): Float64Array {
  const n = H * W, out = new Float64Array((C + 1) * n);
  const taps = (i0: number, last: number) => [-1, 0, 1, 2].map((k) => Math.min(last, Math.max(0, i0 + k)));
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x, px = x + flow[p], py = y + flow[n + p];
      const fx = Math.min(W - 1, Math.max(0, px)), fy = Math.min(H - 1, Math.max(0, py));
      const x0 = Math.floor(fx), y0 = Math.floor(fy), wx = catmullRomWeights(fx - x0), wy = catmullRomWeights(fy - y0);
      const xs = taps(x0, W - 1), ys = taps(y0, H - 1);
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (let j = 0; j < 4; j++) {
          const r = c * n + ys[j] * W;
          acc += wy[j] * (input[r + xs[0]] * wx[0] + input[r + xs[1]] * wx[1] + input[r + xs[2]] * wx[2] + input[r + xs[3]] * wx[3]);
        }
        out[c * n + p] = acc;
      }
      out[C * n + p] = px >= 0 && px <= W - 1 && py >= 0 && py <= H - 1 ? 1 : 0;
    }
  return out;
}

/** flow/consistency: Ruder et al.'s weights (1 or 0) of the backward flow wb given the forward flow wf. */
export function consistencyRef(wb: Arr, wf: Arr, H: number, W: number): Float64Array {
  const n = H * W, out = new Float64Array(n);
  const at = warpMapRef(wf, wb, 2, H, W);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x, u = wb[p], v = wb[n + p], fu = at[p], fv = at[n + p];
      if (!at[2 * n + p]) continue;
      const b2 = u * u + v * v;
      if ((u + fu) ** 2 + (v + fv) ** 2 > 0.01 * (b2 + fu * fu + fv * fv) + 0.5) continue;
      const [l, r, up, d] = neighbours(y, x, H, W);
      const g = (0.5 * (wb[r] - wb[l])) ** 2 + (0.5 * (wb[n + r] - wb[n + l])) ** 2 + (0.5 * (wb[d] - wb[up])) ** 2 + (0.5 * (wb[n + d] - wb[n + up])) ** 2;
      out[p] = g > 0.01 * b2 + 0.002 ? 0 : 1;
    }
  return out;
}

/** Indices of a pixel's left, right, up and down neighbours, an edge's missing one the pixel itself. */
function neighbours(y: number, x: number, H: number, W: number): [number, number, number, number] {
  return [y * W + Math.max(0, x - 1), y * W + Math.min(W - 1, x + 1), Math.max(0, y - 1) * W + x, Math.min(H - 1, y + 1) * W + x];
}

/** flow/derivatives: Ix, Iy (central, averaged over a and the warped b), It; zero outside. */
export function derivativesRef(a: Arr, warped: Arr, H: number, W: number): Float64Array {
  const n = H * W, out = new Float64Array(3 * n);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x, [l, r, u, d] = neighbours(y, x, H, W), m = warped[n + p];
      out[p] = m * 0.25 * (a[r] - a[l] + warped[r] - warped[l]);
      out[n + p] = m * 0.25 * (a[d] - a[u] + warped[d] - warped[u]);
      out[2 * n + p] = m * (warped[p] - a[p]);
    }
  return out;
}

/**
 * flow/hs_sor: one half-sweep of red-black SOR for Horn–Schunck on the increment over flow0 — the
 * pixels with (x + y) mod 2 = parity updated from `flow` (a new array is returned).
 */
export function hsSorRef(deriv: Arr, flow0: Arr, flow: Arr, H: number, W: number, alpha2: number, omega: number, parity: number): Float64Array {
  const n = H * W, out = Float64Array.from(flow);
  for (let y = 0; y < H; y++)
    for (let x = (y + parity) % 2; x < W; x += 2) {
      const p = y * W + x, [l, r, u, d] = neighbours(y, x, H, W);
      const ub = 0.25 * (flow[l] + flow[r] + flow[u] + flow[d]);
      const vb = 0.25 * (flow[n + l] + flow[n + r] + flow[n + u] + flow[n + d]);
      const ix = deriv[p], iy = deriv[n + p];
      const t = (ix * (ub - flow0[p]) + iy * (vb - flow0[n + p]) + deriv[2 * n + p]) / (alpha2 + ix * ix + iy * iy);
      out[p] = (1 - omega) * flow[p] + omega * (ub - ix * t);
      out[n + p] = (1 - omega) * flow[n + p] + omega * (vb - iy * t);
    }
  return out;
}

/** flow/upsample_flow: bilinear (resize_bilinear's convention), dx ×W/w, dy ×H/h. */
export function upsampleFlowRef(input: Arr, h: number, w: number, H: number, W: number): Float64Array {
  const out = resizeBilinearRef(input, 2, h, w, H, W);
  for (let i = 0; i < H * W; i++) {
    out[i] *= W / w;
    out[H * W + i] *= H / h;
  }
  return out;
}

/** Grey levels of a C×H×W input (C = 1: as it is; C = 3: flow/gray under the options' convention). */
export function toGrayRef(img: Arr, C: number, n: number, o: FlowOptions): Float64Array {
  return C === 1 ? Float64Array.from({ length: n }, (_, i) => img[i]) : grayRef(img, n, grayWeights(o.convention));
}

/** The whole algorithm: flow (2×H×W) with a(x) ≈ b(x + flow(x)), as opticalFlow computes it. */
export function opticalFlowRef(a: Arr, b: Arr, C: number, H: number, W: number, options: FlowOptions = {}): Float64Array {
  const s = flowSettings(options);
  const sizes = flowLevels(H, W, s.levels, s.minSide);
  const ga: Float64Array[] = [toGrayRef(a, C, H * W, options)], gb: Float64Array[] = [toGrayRef(b, C, H * W, options)];
  for (let l = 1; l < sizes.length; l++) {
    const [h, w] = sizes[l - 1], [h2, w2] = sizes[l];
    ga.push(resizeBilinearRef(ga[l - 1], 1, h, w, h2, w2));
    gb.push(resizeBilinearRef(gb[l - 1], 1, h, w, h2, w2));
  }
  let flow: Float64Array = new Float64Array(2 * sizes[sizes.length - 1][0] * sizes[sizes.length - 1][1]);
  for (let l = sizes.length - 1; l >= 0; l--) {
    const [h, w] = sizes[l];
    if (l < sizes.length - 1) flow = upsampleFlowRef(flow, sizes[l + 1][0], sizes[l + 1][1], h, w);
    for (let k = 0; k < s.warps; k++) {
      const deriv = derivativesRef(ga[l], warpGrayRef(gb[l], flow, h, w), h, w);
      const flow0 = flow;
      for (let i = 0; i < s.iterations; i++) {
        flow = hsSorRef(deriv, flow0, flow, h, w, s.alpha * s.alpha, s.omega, 0);
        flow = hsSorRef(deriv, flow0, flow, h, w, s.alpha * s.alpha, s.omega, 1);
      }
    }
  }
  return flow;
}
