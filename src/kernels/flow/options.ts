/**
 * Optical flow's settings and pyramid (shared by the GPU host code, flow.ts, and its CPU
 * reference, cpu.ts). Values measured on the example photos: docs/video.md, "Optical flow".
 */
import type { InputConvention } from '../image/image.js';

export interface FlowOptions {
  /** Most pyramid levels, the full size included (default 5). */
  levels?: number;
  /** A level is made only while its longer side stays ≥ this (default 8). */
  minSide?: number;
  /** Warps per level: each re-samples the second frame by the current flow (default 3). */
  warps?: number;
  /** Red-black SOR sweeps per warp, each a red and a black half-sweep (default 50). */
  iterations?: number;
  /** SOR's over-relaxation factor, in (0, 2); 1 is Gauss–Seidel (default 1.9). */
  omega?: number;
  /** Horn–Schunck's smoothness weight α, on grey levels in [0, 1] (default 0.2). */
  alpha?: number;
  /**
   * What 3-plane inputs hold: RGB in [0, 1] (default), or network space under this convention
   * ((x·range − mean)/std per plane). 1-plane inputs are grey levels in [0, 1] as they are.
   */
  convention?: InputConvention;
}

export const FLOW_DEFAULTS = { levels: 5, minSide: 8, warps: 3, iterations: 50, alpha: 0.2, omega: 1.9 };

/** Settings with defaults filled in, checked. */
export function flowSettings(o: FlowOptions = {}): Required<Omit<FlowOptions, 'convention'>> & { convention?: InputConvention } {
  const s = { ...FLOW_DEFAULTS, ...o };
  for (const k of ['levels', 'minSide', 'warps', 'iterations'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1) throw new Error(`optical flow: ${k} must be a positive integer, got ${s[k]}`);
  }
  if (!(s.alpha > 0 && Number.isFinite(s.alpha))) throw new Error(`optical flow: alpha must be a positive number, got ${s.alpha}`);
  if (!(s.omega > 0 && s.omega < 2)) throw new Error(`optical flow: omega must lie in (0, 2), got ${s.omega}`);
  return s;
}

/**
 * The pyramid's sizes, finest first: each level halves (rounding up) every side longer than 1,
 * and is kept while its longer side is ≥ minSide, up to `levels` in all.
 */
export function flowLevels(H: number, W: number, levels: number, minSide: number): [number, number][] {
  const out: [number, number][] = [[H, W]];
  while (out.length < levels) {
    const [h, w] = out[out.length - 1];
    const next: [number, number] = [h > 1 ? Math.ceil(h / 2) : 1, w > 1 ? Math.ceil(w / 2) : 1];
    if (Math.max(...next) < minSide || (next[0] === h && next[1] === w)) break;
    out.push(next);
  }
  return out;
}

const LUMA = [0.299, 0.587, 0.114];

/** Weights and bias that turn the three planes into grey levels in [0, 1] (flow/gray's params). */
export function grayWeights(convention?: InputConvention): { wr: number; wg: number; wb: number; bias: number } {
  if (!convention) return { wr: LUMA[0], wg: LUMA[1], wb: LUMA[2], bias: 0 };
  const w = [0, 0, 0];
  let bias = 0;
  for (let k = 0; k < 3; k++) {
    const l = LUMA[convention.channelOrder === 'BGR' ? 2 - k : k];
    w[k] = (l * convention.std[k]) / convention.range;
    bias += (l * convention.mean[k]) / convention.range;
  }
  return { wr: w[0], wg: w[1], wb: w[2], bias };
}
