/**
 * The seam where optical flow comes in: the image each later video frame starts from. Today the
 * previous frame's result as it is (a warm start). With flow (Ruder et al. 2016): the previous
 * result warped along the flow from frame t−1 to frame t of the input, and pixels the flow marks
 * as occluded (or disoccluded) taken from the new content frame; the same flow and mask then feed
 * the temporal loss (--temporal-weight).
 */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The init image of frame t from frame t−1's result and input frame, and frame t's input frame (all the same size). */
export function initFrame(previous: { result: Rgba; content: Rgba }, content: Rgba): Rgba {
  void content;
  return previous.result;
}
