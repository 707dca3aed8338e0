/**
 * The GPU half of a later video frame's init image (compose_init.ts): on the stylizer's own kernel
 * library, the optical flow both ways between input frames t−1 and t (opticalFlowRun, recorded
 * once and run again for every frame pair), the previous result warped along the backward flow
 * (flow/warp_map_cubic: Catmull-Rom, which blurs the painting less than bilinear sampling each
 * frame — measured in docs/video.md) and Ruder et al.'s consistency weights (flow/consistency). Used by npm run video
 * (tools/video.ts) and the demo page's Video tab (demo/video_session.ts). Browser-safe; in Node
 * import it only after allowShaderImports() (it loads the kernels).
 */
import type { KernelLibrary } from '../kernels/library.js';
import type { Dispatch } from '../kernels/kernel.js';
import type { Tensor } from '../kernels/tensor.js';
import type { FlowOptions } from '../kernels/flow/options.js';
import { flowConsistency, flowWarpMapCubic, opticalFlowRun, type FlowRun } from '../kernels/flow/flow.js';
import { composeInit, planesOf, type Rgba } from './compose_init.js';

export class FlowInit {
  private readonly tensors: Tensor[];
  private readonly runs: FlowRun[];
  private readonly dispatches: Dispatch[];
  private readonly prev: Tensor;
  private readonly cur: Tensor;
  private readonly result: Tensor;
  private readonly warped: Tensor;
  private readonly weights: Tensor;

  /** Frames of width × height; `options` for both flows (FlowOptions, the defaults otherwise). */
  constructor(private readonly lib: KernelLibrary, readonly width: number, readonly height: number, options: FlowOptions = {}) {
    const [H, W] = [height, width];
    const t = (shape: number[], label: string) => lib.tensor(shape, label);
    this.prev = t([3, H, W], 'video.prev');
    this.cur = t([3, H, W], 'video.cur');
    this.result = t([3, H, W], 'video.prevResult');
    const wb = t([2, H, W], 'video.flowBackward'), wf = t([2, H, W], 'video.flowForward');
    this.warped = t([4, H, W], 'video.warped');
    this.weights = t([1, H, W], 'video.weights');
    this.tensors = [this.prev, this.cur, this.result, wb, wf, this.warped, this.weights];
    this.runs = [];
    try {
      // w_b: frame t → t−1 (cur(x) ≈ prev(x + w_b(x))); w_f: frame t−1 → t
      this.runs.push(opticalFlowRun(lib, this.cur, this.prev, wb, options), opticalFlowRun(lib, this.prev, this.cur, wf, options));
      this.dispatches = [...this.runs[0].dispatches, ...this.runs[1].dispatches, flowWarpMapCubic(lib, this.result, wb, this.warped), flowConsistency(lib, wb, wf, this.weights)];
    } catch (e) {
      this.release();
      throw e;
    }
  }

  /** The init image of frame t (`content`) from frame t−1's result and input frame, the mask of its pixels warped from the result, and their fraction. */
  async init(previous: { result: Rgba; content: Rgba }, content: Rgba): Promise<{ image: Rgba; mask: Rgba; trusted: number }> {
    for (const img of [previous.result, previous.content, content]) {
      if (img.width !== this.width || img.height !== this.height) throw new Error(`FlowInit: a ${img.width}×${img.height} frame, expected ${this.width}×${this.height}`);
    }
    this.lib.write(this.prev, planesOf(previous.content));
    this.lib.write(this.cur, planesOf(content));
    this.lib.write(this.result, planesOf(previous.result));
    this.lib.run(this.dispatches);
    const [warped, weights] = await Promise.all([this.lib.read(this.warped), this.lib.read(this.weights)]);
    return composeInit(warped, weights, content);
  }

  release(): void {
    for (const d of new Set(this.dispatches ?? [])) if (!this.runs.some((r) => r.dispatches.includes(d))) d.destroy();
    for (const r of this.runs) r.release();
    this.lib.release(...this.tensors);
  }
}
