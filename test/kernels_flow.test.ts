/**
 * Optical flow (src/kernels/flow/, shaders/flow/) in headless Chromium against its CPU
 * references (src/kernels/flow/cpu.ts): each kernel alone, the whole coarse-to-fine Horn–Schunck
 * with warping, and its accuracy on a known shift.
 * Tolerances:
 *  - single kernels: 1e-5 of the largest reference magnitude — a handful of float32 multiply-adds
 *    (a bilinear sample, a difference, one SOR update) against float64;
 *  - the whole algorithm: 1e-4 px absolute — float32 against float64 through up to 5 levels ×
 *    3 warps × 50 SOR sweeps on flows of a few px; the steps are a contraction, so rounding
 *    does not grow: the measured worst was 6.2e-6 px (the tests log theirs), float32's ulp at
 *    4 px is 4.8e-7;
 *  - flow/warp_map_cubic against its reference: 3e-5 of the largest magnitude — x + flow is rounded
 *    to float32 (half an ulp: ≤ 3.8e-6 px below 128 px), and a Catmull-Rom interpolant's slope in
 *    the fraction is up to 3× the input's range along one axis (Σ|w′| at t = ½) times Σ|w| ≤ 1.25
 *    along the other, so ≈ 1.4e-5 of the range at worst, plus 16 float32 multiply-adds; integer
 *    shifts: exactly the input (the weights at t = 0 are 0, 1, 0, 0); a constant image: 1e-6
 *    absolute; a linear ramp, where no tap is clamped: 1e-5 absolute (rounding of x + flow times
 *    the ramp's slope, 0.05, and the multiply-adds);
 *  - flow/consistency's 0/1 weights: exactly equal (no pixel within float32 rounding of a threshold
 *    in these inputs; each test checks that all four outcomes occur on the larger shapes);
 *  - accuracy: the average endpoint error of a smooth texture moved by (3.5, −2) px, away from a
 *    border band of 8 px, below 0.01 px (measured 0.0053; zero flow would be 4.03).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consistencyRef, derivativesRef, grayRef, hsSorRef, opticalFlowRef, upsampleFlowRef, warpMapCubicRef, warpMapRef } from '../src/kernels/flow/cpu.js';
import { flowLevels, grayWeights } from '../src/kernels/flow/options.js';
import { openGpuPage, type GpuPage } from './harness/gpu_page.js';
import { expectClose, randArray } from './util.js';

let gpu: GpuPage;
beforeAll(async () => {
  gpu = await openGpuPage();
});
afterAll(async () => {
  await gpu?.close();
});

// [H, W]: a pixel, a row, a column, odd sizes, sizes that do not halve evenly
const SHAPES: [number, number][] = [[1, 1], [1, 40], [29, 1], [37, 23], [13, 11], [45, 70]];

/** A smooth texture (60 Gaussian blobs, σ 2.5–6.5 px, on grey 0.3): texture(dx, dy) is texture(0, 0) moved by (dx, dy). */
function texture(H: number, W: number, dx: number, dy: number, seed = 1): Float64Array {
  const r = randArray(4 * 60, seed);
  const out = new Float64Array(H * W).fill(0.3);
  for (let k = 0; k < 60; k++) {
    const cx = (r[4 * k] + 1) / 2 * (W + 8) - 4 + dx, cy = (r[4 * k + 1] + 1) / 2 * (H + 8) - 4 + dy;
    const s2 = 2 * (4.5 + 2 * r[4 * k + 2]) ** 2, amp = 0.3 * r[4 * k + 3];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] += amp * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / s2);
  }
  return out;
}

describe('flow kernels', () => {
  it.each(SHAPES)('grey levels of 3×%i×%i', async (H, W) => {
    const input = randArray(3 * H * W, H * 7 + W);
    const r = await gpu.run('flow_gray', { input }, { H, W });
    expectClose(`flow gray ${H}×${W}`, r.out, grayRef(input, H * W, grayWeights()), 1e-5);
  });

  it.each(SHAPES)('warp 3×%i×%i (and 1 channel: the grey frame inside the flow) by a flow of up to ±4 px', async (H, W) => {
    const flow = randArray(2 * H * W, H * W + 1, 4);
    for (const C of [3, 1]) {
      const input = randArray(C * H * W, H + W + C);
      const r = await gpu.run('flow_warp_map', { input, flow }, { C, H, W });
      expectClose(`flow warp map ${C}×${H}×${W}`, r.out, warpMapRef(input, flow, C, H, W), 1e-5);
    }
  });

  it.each(SHAPES)('bicubic warp 3×%i×%i (and 1 channel) by a flow of up to ±4 px', async (H, W) => {
    const flow = randArray(2 * H * W, H * W + 1, 4);
    for (const C of [3, 1]) {
      const input = randArray(C * H * W, H + W + C);
      const r = await gpu.run('flow_warp_map_cubic', { input, flow }, { C, H, W });
      expectClose(`flow warp map cubic ${C}×${H}×${W}`, r.out, warpMapCubicRef(input, flow, C, H, W), 3e-5);
    }
  });

  it.each(SHAPES)('bicubic warp of %i×%i by integer shifts of up to ±4 px is exactly the input moved (as bilinear)', async (H, W) => {
    const n = H * W, flow = randArray(2 * n, H * 23 + W, 4.49).map(Math.round), input = randArray(3 * n, H + 29 * W);
    const want = new Float64Array(4 * n);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const p = y * W + x, px = x + flow[p], py = y + flow[n + p];
        const q = Math.min(H - 1, Math.max(0, py)) * W + Math.min(W - 1, Math.max(0, px));
        for (let c = 0; c < 3; c++) want[c * n + p] = input[c * n + q];
        want[3 * n + p] = px >= 0 && px < W && py >= 0 && py < H ? 1 : 0;
      }
    for (const kernel of ['flow_warp_map_cubic', 'flow_warp_map']) {
      const r = await gpu.run(kernel, { input, flow }, { C: 3, H, W });
      expect(worstAbs(r.out, want), kernel).toBe(0);
    }
  });

  it.each(SHAPES)('bicubic warp of %i×%i keeps a constant, and a linear ramp where no tap is clamped', async (H, W) => {
    const n = H * W, flow = randArray(2 * n, H * 31 + W, 3);
    const ramp = (x: number, y: number) => 0.05 * x - 0.03 * y + 0.2;
    const input = new Float64Array(2 * n).fill(0.7, 0, n);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) input[n + y * W + x] = Math.fround(ramp(x, y));
    const r = await gpu.run('flow_warp_map_cubic', { input, flow }, { C: 2, H, W });
    const ref = warpMapCubicRef(input, flow, 2, H, W);
    // an axis's taps are all in the frame when 1 ≤ ⌊f⌋ ≤ size − 3, or the frame is 1 px along it
    const free = (f: number, size: number) => size === 1 || (Math.floor(f) >= 1 && Math.floor(f) <= size - 3);
    let constant = 0, linear = 0, linearRef = 0, interior = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const p = y * W + x, fx = Math.min(W - 1, Math.max(0, x + flow[p])), fy = Math.min(H - 1, Math.max(0, y + flow[n + p]));
        constant = Math.max(constant, Math.abs(r.out[p] - 0.7));
        if (!free(fx, W) || !free(fy, H)) continue;
        interior++;
        linear = Math.max(linear, Math.abs(r.out[n + p] - ramp(fx, fy)));
        linearRef = Math.max(linearRef, Math.abs(ref[n + p] - ramp(fx, fy)));
      }
    console.log(`bicubic warp ${H}×${W}: constant off by ${constant.toExponential(2)}, ramp by ${linear.toExponential(2)} at ${interior} px (reference ${linearRef.toExponential(2)})`);
    expect(constant).toBeLessThanOrEqual(1e-6);
    expect(linear).toBeLessThanOrEqual(1e-5);
    expect(linearRef).toBeLessThanOrEqual(1e-6);
    if (n >= 143) expect(interior).toBeGreaterThan(n / 4);
  });

  it.each(SHAPES)('consistency weights of %i×%i', async (H, W) => {
    // wb: two regions moving apart (a diagonal motion boundary, x + y = (W + H)/2) plus ±0.01 px noise; wf: −wb
    // plus up to ±0.8 px of disagreement, so some pixels fail the forward–backward check
    const n = H * W, noise = randArray(2 * n, H * 17 + W, 0.01), dis = randArray(2 * n, H * 19 + W, 0.8);
    const wb = new Float64Array(2 * n), wf = new Float64Array(2 * n);
    for (let p = 0; p < n; p++) {
      const right = (p % W) + Math.floor(p / W) >= (W + H) / 2;
      wb[p] = (right ? 2 : -1.5) + noise[p];
      wb[n + p] = (right ? 1 : -0.8) + noise[n + p];
      wf[p] = -wb[p] + dis[p];
      wf[n + p] = -wb[n + p] + dis[n + p];
    }
    const r = await gpu.run('flow_consistency', { wb, wf }, { H, W });
    const want = consistencyRef(wb, wf, H, W);
    expect(Array.from(r.out)).toEqual(Array.from(want));
    if (H * W >= 143) {
      // every outcome occurs: trusted, left the frame, disagreeing flows, motion boundary
      const at = warpMapRef(wf, wb, 2, H, W);
      const kinds = new Set<string>();
      for (let p = 0; p < n; p++) {
        if (want[p]) kinds.add('1');
        else if (!at[2 * n + p]) kinds.add('out');
        else if ((wb[p] + at[p]) ** 2 + (wb[n + p] + at[n + p]) ** 2 > 0.01 * (wb[p] ** 2 + wb[n + p] ** 2 + at[p] ** 2 + at[n + p] ** 2) + 0.5) kinds.add('disagree');
        else kinds.add('boundary');
      }
      expect([...kinds].sort()).toEqual(['1', 'boundary', 'disagree', 'out']);
    }
  });

  it.each(SHAPES)('derivatives of %i×%i', async (H, W) => {
    const a = randArray(H * W, H * 3 + W), warped = randArray(2 * H * W, H * 5 + W).map((v, i) => (i < H * W ? v : v > -0.5 ? 1 : 0));
    const r = await gpu.run('flow_derivatives', { a, warped }, { H, W });
    expectClose(`flow derivatives ${H}×${W}`, r.out, derivativesRef(a, warped, H, W), 1e-5);
  });

  it.each(SHAPES)('an SOR half-sweep on %i×%i, both colours', async (H, W) => {
    const deriv = randArray(3 * H * W, H * 11 + W, 0.2), flow0 = randArray(2 * H * W, H + 2 * W), flow = randArray(2 * H * W, H + 3 * W);
    for (const parity of [0, 1]) {
      const r = await gpu.run('flow_hs_sor', { deriv, flow0, flow }, { H, W, alpha: 0.2, omega: 1.8, parity });
      expectClose(`flow hs sor ${H}×${W} parity ${parity}`, r.flow, hsSorRef(deriv, flow0, flow, H, W, 0.04, 1.8, parity), 1e-5);
    }
  });

  it.each([[1, 1, 1, 1], [1, 20, 1, 40], [19, 12, 37, 23], [7, 5, 13, 10], [15, 1, 29, 1], [4, 4, 4, 4]])('flow %i×%i carried to %i×%i', async (h, w, H, W) => {
    const input = randArray(2 * h * w, h * 13 + w, 3);
    const r = await gpu.run('flow_upsample', { input }, { h, w, H, W });
    expectClose(`flow upsample ${h}×${w} → ${H}×${W}`, r.out, upsampleFlowRef(input, h, w, H, W), 1e-5);
  });
});

function worstAbs(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
  return d;
}

describe('optical flow, coarse to fine', () => {
  it('makes the pyramid it should', () => {
    expect(flowLevels(37, 23, 5, 8)).toEqual([[37, 23], [19, 12], [10, 6]]);
    expect(flowLevels(1, 40, 5, 8)).toEqual([[1, 40], [1, 20], [1, 10]]);
    expect(flowLevels(170, 256, 5, 8)).toEqual([[170, 256], [85, 128], [43, 64], [22, 32], [11, 16]]);
    expect(flowLevels(1, 1, 5, 8)).toEqual([[1, 1]]);
  });

  it.each(SHAPES)('matches the CPU reference on %i×%i (grey, moved by (1.3, −0.7))', async (H, W) => {
    const a = texture(H, W, 0, 0), b = texture(H, W, 1.3, -0.7);
    const options = { iterations: 30, warps: 2 };
    const r = await gpu.run('optical_flow', { a, b }, { C: 1, H, W, options });
    const d = worstAbs(r.flow, opticalFlowRef(a, b, 1, H, W, options));
    console.log(`optical flow ${H}×${W}: GPU vs CPU worst ${d.toExponential(2)} px`);
    expect(d).toBeLessThanOrEqual(1e-4);
  });

  it('matches the CPU reference with default settings on 3×45×70 RGB', async () => {
    const [H, W] = [45, 70];
    const rgb = (dx: number, dy: number) => {
      const out = new Float64Array(3 * H * W);
      for (let c = 0; c < 3; c++) out.set(texture(H, W, dx, dy, 1 + c), c * H * W);
      return out;
    };
    const a = rgb(0, 0), b = rgb(2.5, 1);
    const r = await gpu.run('optical_flow', { a, b }, { C: 3, H, W });
    const d = worstAbs(r.flow, opticalFlowRef(a, b, 3, H, W));
    console.log(`optical flow 3×${H}×${W} defaults: GPU vs CPU worst ${d.toExponential(2)} px`);
    expect(d).toBeLessThanOrEqual(1e-4);
  });

  it('finds a shift of (3.5, −2) px to within 0.01 px on average', async () => {
    const [H, W, band] = [96, 128, 8];
    const a = texture(H, W, 0, 0, 5), b = texture(H, W, 3.5, -2, 5);
    const r = await gpu.run('optical_flow', { a, b }, { C: 1, H, W });
    let s = 0, n = 0;
    for (let y = band; y < H - band; y++)
      for (let x = band; x < W - band; x++, n++) s += Math.hypot(r.flow[y * W + x] - 3.5, r.flow[H * W + y * W + x] + 2);
    console.log(`optical flow: EPE on a (3.5, −2) shift of a smooth texture ${(s / n).toFixed(4)} px`);
    expect(s / n).toBeLessThan(0.01);
  });
});
