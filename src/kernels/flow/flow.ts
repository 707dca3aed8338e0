/**
 * Dense optical flow on the GPU (video stylization, Ruder et al. 2016, needs it between
 * consecutive frames both ways): coarse-to-fine Horn–Schunck with warping. Grey levels
 * (flow/gray), a pyramid halving each side (image/resize_bilinear), and from the coarsest level
 * up: the flow carried to the finer level (flow/upsample_flow), then `warps` times the second
 * frame warped by the current flow (flow/warp_map, one channel), the brightness-constancy derivatives
 * (flow/derivatives) and `iterations` red-black SOR sweeps on the increment (flow/hs_sor).
 * The result is flow 2×H×W (dx, dy in pixels) with a(x) ≈ b(x + flow(x)). Its CPU reference is
 * opticalFlowRef (cpu.ts); its accuracy against OpenCV: docs/video.md, "Optical flow".
 */
import { grid1d, type Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import { resizeBilinearMap } from '../image/resize.js';
import { fill } from '../elementwise/elementwise.js';
import { expectFits, shapeStr, type Tensor } from '../tensor.js';
import { flowLevels, flowSettings, grayWeights, type FlowOptions } from './options.js';

export type { FlowOptions };

function planes(what: string, t: Tensor, C: number, H?: number, W?: number): [number, number] {
  if (t.shape.length !== 3 || t.shape[0] !== C || (H !== undefined && (t.shape[1] !== H || t.shape[2] !== W))) {
    throw new Error(`${what}: expected ${C}×${H ?? 'H'}×${W ?? 'W'}, got ${shapeStr(t.shape)}`);
  }
  if (t.offset) throw new Error(`${what}: views at an offset are not supported`);
  expectFits(what, t);
  if (!(t.shape[1] > 0 && t.shape[2] > 0)) throw new Error(`${what}: empty map ${shapeStr(t.shape)}`);
  return [t.shape[1], t.shape[2]];
}

/** out (1×H×W) = grey levels of input (3×H×W) by flow/gray's weights (grayWeights). */
export function flowGray(lib: KernelLibrary, input: Tensor, out: Tensor, g: { wr: number; wg: number; wb: number; bias: number }): Dispatch {
  const [H, W] = planes('flowGray: input', input, 3);
  planes('flowGray: out', out, 1, H, W);
  return lib.kernel('flow/gray').bind({ input: input.buffer, out: out.buffer }, { n: H * W, ...g }, grid1d(H * W, 256));
}

/** out (3×H×W) = Ix, Iy, It of a (1×H×W) and the warped second frame (2×H×W, flowWarpMap's of the grey frame: C = 1). */
export function flowDerivatives(lib: KernelLibrary, a: Tensor, warped: Tensor, out: Tensor): Dispatch {
  const [H, W] = planes('flowDerivatives: a', a, 1);
  planes('flowDerivatives: warped', warped, 2, H, W);
  planes('flowDerivatives: out', out, 3, H, W);
  return lib.kernel('flow/derivatives').bind({ a: a.buffer, warped: warped.buffer, out: out.buffer }, { H, W }, grid1d(H * W, 256));
}

/** One SOR half-sweep of Horn–Schunck, in place on flow (2×H×W): the pixels with (x + y) mod 2 = parity, the increment over flow0. */
export function flowHsSor(lib: KernelLibrary, deriv: Tensor, flow0: Tensor, flow: Tensor, alpha: number, omega: number, parity: 0 | 1): Dispatch {
  const [H, W] = planes('flowHsSor: deriv', deriv, 3);
  planes('flowHsSor: flow0', flow0, 2, H, W);
  planes('flowHsSor: flow', flow, 2, H, W);
  if (flow0.buffer === flow.buffer) throw new Error('flowHsSor: flow0 must be another buffer than flow');
  return lib.kernel('flow/hs_sor').bind({ deriv: deriv.buffer, flow0: flow0.buffer, flow: flow.buffer }, { H, W, alpha2: alpha * alpha, omega, parity }, grid1d(H * Math.ceil(W / 2), 256));
}

/** out (2×H×W) = a coarser level's flow (2×h×w) resized bilinearly, dx scaled by W/w, dy by H/h. */
export function flowUpsample(lib: KernelLibrary, input: Tensor, out: Tensor): Dispatch {
  const [h, w] = planes('flowUpsample: input', input, 2);
  const [H, W] = planes('flowUpsample: out', out, 2);
  return lib.kernel('flow/upsample_flow').bind({ input: input.buffer, out: out.buffer }, { h, w, H, W }, grid1d(2 * H * W, 256));
}

/** out ((C + 1)×H×W) = input (C×H×W) sampled (bilinearly) at x + flow (2×H×W), then the plane of where that is inside the frame. */
export function flowWarpMap(lib: KernelLibrary, input: Tensor, flow: Tensor, out: Tensor): Dispatch {
  return warpMap(lib, 'flowWarpMap', 'flow/warp_map', input, flow, out);
}

/** flowWarpMap with bicubic (Catmull-Rom) sampling, flow/warp_map_cubic: sharper, integer shifts still exact. */
export function flowWarpMapCubic(lib: KernelLibrary, input: Tensor, flow: Tensor, out: Tensor): Dispatch {
  return warpMap(lib, 'flowWarpMapCubic', 'flow/warp_map_cubic', input, flow, out);
}

function warpMap(lib: KernelLibrary, what: string, kernel: 'flow/warp_map' | 'flow/warp_map_cubic', input: Tensor, flow: Tensor, out: Tensor): Dispatch {
  const C = input.shape[0];
  const [H, W] = planes(`${what}: input`, input, C);
  planes(`${what}: flow`, flow, 2, H, W);
  planes(`${what}: out`, out, C + 1, H, W);
  return lib.kernel(kernel).bind({ input: input.buffer, flow: flow.buffer, out: out.buffer }, { C, H, W }, grid1d(H * W, 256));
}

/** out (1×H×W) = Ruder et al.'s weights (1 trusted, 0 not) of the backward flow wb (t → t−1) given the forward flow wf (t−1 → t), both 2×H×W. */
export function flowConsistency(lib: KernelLibrary, wb: Tensor, wf: Tensor, out: Tensor): Dispatch {
  const [H, W] = planes('flowConsistency: wb', wb, 2);
  planes('flowConsistency: wf', wf, 2, H, W);
  planes('flowConsistency: out', out, 1, H, W);
  return lib.kernel('flow/consistency').bind({ wb: wb.buffer, wf: wf.buffer, out: out.buffer }, { H, W }, grid1d(H * W, 256));
}

/** A flow computation set up once: its dispatches can be run again whenever a and b hold new frames. */
export interface FlowRun {
  dispatches: Dispatch[];
  /** Frees the dispatches and the scratch tensors (not a, b or flow). */
  release: () => void;
}

/**
 * The dispatches that write into `flow` (2×H×W) the optical flow from a to b (both C×H×W, C = 1
 * grey in [0, 1] or C = 3, see FlowOptions.convention): a(x) ≈ b(x + flow(x)).
 */
export function opticalFlowRun(lib: KernelLibrary, a: Tensor, b: Tensor, flow: Tensor, options: FlowOptions = {}): FlowRun {
  const C = a.shape[0];
  if (C !== 1 && C !== 3) throw new Error(`opticalFlow: expected 1×H×W or 3×H×W frames, got ${shapeStr(a.shape)}`);
  const [H, W] = planes('opticalFlow: a', a, C);
  planes('opticalFlow: b', b, C, H, W);
  planes('opticalFlow: flow', flow, 2, H, W);
  const s = flowSettings(options);
  const sizes = flowLevels(H, W, s.levels, s.minSide);
  const made: Tensor[] = [];
  const ds: Dispatch[] = [];
  const own = (shape: number[], label: string) => {
    const t = lib.tensor(shape, label);
    made.push(t);
    return t;
  };
  const release = () => {
    for (const d of new Set(ds)) d.destroy();
    lib.release(...made);
  };
  try {
    const ga: Tensor[] = [], gb: Tensor[] = [];
    if (C === 1) {
      ga.push(a);
      gb.push(b);
    } else {
      const g = grayWeights(s.convention);
      ga.push(own([1, H, W], 'flow.grayA'));
      gb.push(own([1, H, W], 'flow.grayB'));
      ds.push(flowGray(lib, a, ga[0], g), flowGray(lib, b, gb[0], g));
    }
    for (let l = 1; l < sizes.length; l++) {
      const [h, w] = sizes[l];
      ga.push(own([1, h, w], `flow.grayA${l}`));
      gb.push(own([1, h, w], `flow.grayB${l}`));
      ds.push(resizeBilinearMap(lib, ga[l - 1], ga[l]), resizeBilinearMap(lib, gb[l - 1], gb[l]));
    }
    // two flow buffers per level: each warp copies the flow it starts from (flow0) into the other
    // and refines it there in place (flow/upsample_flow from the same size is an exact copy:
    // weights 0, scale 1); at the finest level the last warp's ends in `flow`
    let prev: Tensor | null = null;
    for (let l = sizes.length - 1; l >= 0; l--) {
      const [h, w] = sizes[l];
      const other = own([2, h, w], `flow.flowB${l}`);
      const bufs = l > 0 ? [own([2, h, w], `flow.flow${l}`), other] : s.warps % 2 ? [other, flow] : [flow, other];
      const warped = own([2, h, w], `flow.warped${l}`), deriv = own([3, h, w], `flow.deriv${l}`);
      ds.push(prev ? flowUpsample(lib, prev, bufs[0]) : fill(lib, bufs[0], 0));
      let cur = 0;
      for (let k = 0; k < s.warps; k++) {
        const [from, to] = [bufs[cur], bufs[1 - cur]];
        ds.push(flowWarpMap(lib, gb[l], from, warped), flowDerivatives(lib, ga[l], warped, deriv), flowUpsample(lib, from, to));
        const red = flowHsSor(lib, deriv, from, to, s.alpha, s.omega, 0), black = flowHsSor(lib, deriv, from, to, s.alpha, s.omega, 1);
        for (let i = 0; i < s.iterations; i++) ds.push(red, black);
        cur = 1 - cur;
      }
      prev = bufs[cur];
    }
    return { dispatches: ds, release };
  } catch (e) {
    release();
    throw e;
  }
}

/** The optical flow from a to b (opticalFlowRun, run once): a new 2×H×W tensor the caller releases. */
export function opticalFlow(lib: KernelLibrary, a: Tensor, b: Tensor, options: FlowOptions = {}): Tensor {
  const flow = lib.tensor([2, a.shape[1] ?? 0, a.shape[2] ?? 0], 'flow');
  try {
    const run = opticalFlowRun(lib, a, b, flow, options);
    try {
      lib.run(run.dispatches);
    } finally {
      run.release();
    }
    return flow;
  } catch (e) {
    lib.release(flow);
    throw e;
  }
}
