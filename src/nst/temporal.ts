/**
 * Ruder, Dosovitskiy & Brox (2016)'s short-term temporal loss for a video frame:
 *
 *   L_temporal = 1/D · Σ_k,p c[p] · (x[k,p] − w[k,p])²,   D = 3·H·W,
 *
 * x the frame being painted, w the previous frame's result warped to this frame along the optical
 * flow, c ∈ [0, 1] per pixel (1 where the pixel stayed visible: flow/consistency), differences in
 * 0…255 pixel levels whatever the network's input convention (shaders/loss/temporal.wgsl gets the
 * per-channel factors that turn network units into levels). The term enters the total with the
 * caller's weight (Ruder's λ).
 */
import type { InputConvention } from '../kernels/image/image.js';
import type { KernelLibrary } from '../kernels/library.js';
import type { Tensor } from '../kernels/tensor.js';
import type { RgbaImage } from '../io/rgba_image.js';

/** The temporal term of one run (a frame at one size), as the caller gives it. */
export interface TemporalTarget {
  /** The previous frame's result warped to this frame: pixels of the content's size. */
  image: RgbaImage;
  /** c per pixel, H·W values in [0, 1] (row-major, the content's size): how far the warped pixel is trusted. */
  weights: Float32Array;
  /** The term's weight in the total (Ruder's λ), ≥ 0. */
  weight: number;
  /** The grey map the weights were read from, if any (kept for cross-checks: npm run gradient writes it). */
  mask?: RgbaImage;
}

/** The temporal term on the GPU: what the loss recorders read. */
export interface TemporalTensors {
  /** The warped previous result in network units, 3×H×W. */
  warped: Tensor;
  /** c, 1×H×W. */
  weights: Tensor;
  /** Per network channel: (255·std_k / range)², network units² → pixel levels². */
  factors: number[];
  /** 1/D. */
  scale: number;
  /** λ. */
  weight: number;
}

/** The factors that turn squared network-unit differences into squared 0…255 levels, per network channel. */
export function levelFactors(c: InputConvention): number[] {
  return c.std.map((s) => ((255 * s) / c.range) ** 2);
}

/** λ must be a finite number ≥ 0 (checked where a job starts, and again for direct engine callers). */
export function checkTemporalWeight(weight: number): void {
  if (!(Number.isFinite(weight) && weight >= 0)) throw new Error(`the temporal weight must be a finite number ≥ 0, got ${weight}`);
}

/** Check a temporal target against the content's size; one line naming what is wrong. */
export function checkTemporal(t: TemporalTarget, width: number, height: number): void {
  checkTemporalWeight(t.weight);
  if (t.image.width !== width || t.image.height !== height) throw new Error(`the temporal target is ${t.image.width}×${t.image.height}, the content ${width}×${height}`);
  if (!(t.weights instanceof Float32Array) || t.weights.length !== width * height) throw new Error(`the temporal weights must be ${width * height} floats (${width}×${height}), got ${t.weights?.length ?? typeof t.weights}`);
  for (let i = 0; i < t.weights.length; i++) {
    const c = t.weights[i];
    if (!(c >= 0 && c <= 1)) throw new Error(`the temporal weights must be within 0…1, got ${c} at pixel ${i % width}, ${Math.floor(i / width)}`);
  }
}

/** Upload a checked target: the image through `toNetwork` (the run's preprocessing), the weights as they are. The caller owns both tensors. */
export function uploadTemporal(lib: KernelLibrary, t: TemporalTarget, toNetwork: (img: RgbaImage) => Tensor, input: InputConvention): TemporalTensors {
  const { width, height } = t.image;
  const warped = toNetwork(t.image);
  const weights = lib.upload([1, height, width], t.weights, 'temporal.weights');
  return { warped, weights, factors: levelFactors(input), scale: 1 / (3 * width * height), weight: t.weight };
}
