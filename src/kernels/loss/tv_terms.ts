/** The size of TV's partial sums (shaders/loss/tv.wgsl), apart from the kernel so memory estimates can use it. */
import { numel } from '../tensor.js';

/** Most partial sums TV writes (its invocations walk the image this far apart). */
export const TV_TERMS_MAX = 65536;

/** Length of the terms buffer tvLoss writes for an image of `shape`: min(C·H·W, TV_TERMS_MAX). */
export const tvTermCount = (shape: readonly number[]) => Math.min(numel(shape), TV_TERMS_MAX);
