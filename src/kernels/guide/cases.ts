/**
 * The guidance ops' cases (tests and explorer, through harness.ts): a pyramid level, weighted
 * features, and the guided Gram with its backward, as the style loss runs them (guide.ts).
 */
import { planFor, withTensors, type Case } from '../harness.js';
import { maskDownsample, maskFeatures, guidedGramBackward, guidedGramForward, windowLength } from './guide.js';

export const GUIDE_CASES: Record<string, Case> = {
  /** One pyramid level of an H×W map m: out (Ho×Wo). */
  async mask_downsample(lib, x, { H, W, K, stride, pad, ceil }) {
    const w = { K, stride, pad, ceil: !!ceil };
    return withTensors(lib, x, { m: [H, W] }, { out: [windowLength(H, w), windowLength(W, w)] }, (t) => [maskDownsample(lib, t.m, t.out, w)]);
  },
  /** out = m^power ⊙ x for C×H×W features and an H×W map. */
  async mask_features(lib, x, { C, H, W, power }) {
    return withTensors(lib, x, { x: [C, H, W], m: [H, W] }, { out: [C, H, W] }, (t) => [maskFeatures(lib, t.x, t.m, t.out, power)]);
  },
  /** gram = scale·(F⊙m)(F⊙m)ᵀ and grad_features from grad_gram, with the planned (or named) Gram versions. */
  async guided_gram(lib, x, { C, H, W, scale, variant, backward }) {
    const shape = { C, M: H * W };
    const fwd = planFor(lib, 'gram_forward', shape, variant), bwd = planFor(lib, 'gram_backward', shape, backward);
    return withTensors(
      lib, x,
      { features: [C, H, W], mask: [H, W], grad_gram: [C, C] },
      { gram: [C, C], grad_features: [C, H, W], scratch: [C, H, W], slices: [Math.max(1, fwd.scratch.slices ?? 0)] },
      (t) => [
        ...guidedGramForward(lib, t.features, t.mask, t.scratch, t.gram, scale, fwd, t.slices),
        ...guidedGramBackward(lib, t.features, t.mask, t.grad_gram, t.scratch, t.grad_features, scale, bwd),
      ],
    );
  },
};
