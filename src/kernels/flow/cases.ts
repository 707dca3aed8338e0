/**
 * Optical flow's cases (tests and explorer, through harness.ts): each kernel of shaders/flow/
 * alone, and the whole coarse-to-fine computation as opticalFlowRun sets it up (flow.ts).
 */
import { opRun, runRead, withTensors, type Case } from '../harness.js';
import { grayWeights } from './options.js';
import { flowDerivatives, flowGray, flowHsSor, flowUpsample, flowWarpMap, flowWarpMapCubic, flowConsistency, opticalFlowRun } from './flow.js';

export const FLOW_CASES: Record<string, Case> = {
  /** Grey levels of a 3×H×W RGB image in [0, 1]: out (H×W). */
  async flow_gray(lib, x, { H, W }) {
    return withTensors(lib, x, { input: [3, H, W] }, { out: [1, H, W] }, (t) => [flowGray(lib, t.input, t.out, grayWeights())]);
  },
  /** input (C×H×W) warped by flow (2×H×W): out ((C + 1)×H×W: the C samples, then inside or not). */
  async flow_warp_map(lib, x, { C, H, W }) {
    return withTensors(lib, x, { input: [C, H, W], flow: [2, H, W] }, { out: [C + 1, H, W] }, (t) => [flowWarpMap(lib, t.input, t.flow, t.out)]);
  },
  /** flow_warp_map with bicubic (Catmull-Rom) sampling: out ((C + 1)×H×W). */
  async flow_warp_map_cubic(lib, x, { C, H, W }) {
    return withTensors(lib, x, { input: [C, H, W], flow: [2, H, W] }, { out: [C + 1, H, W] }, (t) => [flowWarpMapCubic(lib, t.input, t.flow, t.out)]);
  },
  /** Ruder et al.'s weights (H×W, 0 or 1) of a backward flow wb given a forward flow wf (2×H×W each). */
  async flow_consistency(lib, x, { H, W }) {
    return withTensors(lib, x, { wb: [2, H, W], wf: [2, H, W] }, { out: [1, H, W] }, (t) => [flowConsistency(lib, t.wb, t.wf, t.out)]);
  },
  /** Ix, Iy, It (3×H×W) of a (H×W) and a warped frame (2×H×W). */
  async flow_derivatives(lib, x, { H, W }) {
    return withTensors(lib, x, { a: [1, H, W], warped: [2, H, W] }, { out: [3, H, W] }, (t) => [flowDerivatives(lib, t.a, t.warped, t.out)]);
  },
  /** One SOR half-sweep (parity 0 or 1) of Horn–Schunck: flow (2×H×W) updated in place from deriv and flow0. */
  async flow_hs_sor(lib, x, { H, W, alpha, omega, parity }) {
    return runRead(lib, opRun(lib, (tensors) => {
      const t = tensors({ deriv: [3, H, W], flow0: [2, H, W], flow: [2, H, W] }, {});
      return { dispatches: [flowHsSor(lib, t.deriv, t.flow0, t.flow, alpha, omega, parity)], outputs: ['flow'] };
    }, x));
  },
  /** A 2×h×w flow carried to 2×H×W. */
  async flow_upsample(lib, x, { h, w, H, W }) {
    return withTensors(lib, x, { input: [2, h, w] }, { out: [2, H, W] }, (t) => [flowUpsample(lib, t.input, t.out)]);
  },
  /** The flow (2×H×W) from a to b (C×H×W each), with FlowOptions `options`. */
  async optical_flow(lib, x, { C, H, W, options = {} }) {
    return runRead(lib, opRun(lib, (tensors, own) => {
      const t = tensors({ a: [C, H, W], b: [C, H, W] }, { flow: [2, H, W] });
      const run = opticalFlowRun(lib, t.a, t.b, t.flow, options);
      own(run.release);
      return { dispatches: run.dispatches, outputs: ['flow'] };
    }, x));
  },
};
