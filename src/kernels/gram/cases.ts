/**
 * The Gram op's case (tests and explorer) and its test shapes: awkward sizes that reach every
 * branch of every version (versions.ts), checked against cpu.ts and finite differences.
 */
import { gramBackward, gramForward } from './gram.js';
import { planFor, withTensors, type Case } from '../harness.js';

/**
 * [C, M, scale]: tiny and odd maps, C not a multiple of 8 (a block half past the last row), 17
 * row blocks (153 upper-triangle blocks over three workgroups), and wide maps that run split-K
 * (slices that end inside a quad, a masked last quad).
 */
export const GRAM_TEST_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 7, 0.5],
  [5, 33, 1 / 33],
  [13, 64, 1],
  [70, 9, 0.1],
  [6, 9000, 1 / 9000],
  [9, 20, 0.25],
  [130, 12, 1],
  [10, 9001, 1 / 9001],
];

/** G = scale·F·Fᵀ and its backward for the given (or planned) versions; split-K where the plan has slices. */
export const gramCase: Case = async (lib, x, { C, M, scale, variant, backward }) => {
  const forward = planFor(lib, 'gram_forward', { C, M }, variant);
  const back = planFor(lib, 'gram_backward', { C, M }, backward);
  return withTensors(lib, x, { features: [C, M], grad_gram: [C, C] }, { gram: [C, C], grad_features: [C, M], scratch: [Math.max(1, forward.scratch.slices ?? 0)] }, (t) => [
    ...gramForward(lib, t.features, t.gram, scale, forward, t.scratch),
    gramBackward(lib, t.features, t.grad_gram, t.grad_features, scale, back),
  ]);
};
