/**
 * The image each later video frame starts from (Ruder et al. 2016): the previous result warped
 * along the optical flow from frame t to frame t−1 of the input, and where the flow cannot be
 * trusted (Ruder's consistency weights are 0: the point left the frame, was disoccluded, or lies
 * on a motion boundary) the new content frame's pixels instead. The GPU half (flows, warp,
 * weights) is FlowInit in flow_init.ts; composeInit puts the image together, and the mask of
 * the pixels it took from the warped result: the trust mask of the temporal loss (--temporal-weight;
 * TEMPORAL_WEIGHT below is its λ for npm run video and the page's Video tab).
 */

/** λ of the temporal loss on later frames: chosen by measurement (docs/video.md, "The temporal loss"). */
export const TEMPORAL_WEIGHT = 1e6;

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The init image from `warped` (4×H×W: the previous result's R, G, B in [0, 1] sampled at
 * x + w_b(x), then the in-frame plane), `weights` (H×W, 1 trusted, 0 not) and the new content
 * frame (RGBA, H×W): warped where the weight is 1 and the point is inside, content elsewhere.
 * Returns the image, the mask of the pixels taken from the warped result (white; black elsewhere)
 * and their fraction.
 */
export function composeInit(warped: ArrayLike<number>, weights: ArrayLike<number>, content: Rgba): { image: Rgba; mask: Rgba; trusted: number } {
  const { width: W, height: H } = content, n = W * H;
  if (warped.length !== 4 * n || weights.length !== n) throw new Error(`composeInit: expected 4×${H}×${W} and ${H}×${W}, got ${warped.length} and ${weights.length} values`);
  const data = new Uint8Array(4 * n), mask = new Uint8Array(4 * n);
  let kept = 0;
  for (let p = 0; p < n; p++) {
    const keep = weights[p] > 0.5 && warped[3 * n + p] > 0.5;
    kept += keep ? 1 : 0;
    for (let c = 0; c < 3; c++) data[4 * p + c] = keep ? Math.round(255 * Math.min(1, Math.max(0, warped[c * n + p]))) : content.data[4 * p + c];
    data[4 * p + 3] = 255;
    mask.fill(keep ? 255 : 0, 4 * p, 4 * p + 3);
    mask[4 * p + 3] = 255;
  }
  return { image: { width: W, height: H, data }, mask: { width: W, height: H, data: mask }, trusted: kept / n };
}

/** RGBA bytes → 3×H×W floats in [0, 1] (alpha dropped). */
export function planesOf(img: Rgba): Float32Array {
  const n = img.width * img.height, out = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[c * n + p] = img.data[4 * p + c] / 255;
  return out;
}
