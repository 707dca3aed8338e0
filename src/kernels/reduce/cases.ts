/**
 * The reduction's run (harness.ts) through loss.ts's reduceSum: inputs `a` (and `b` for a dot
 * product), output `out` (3 floats; the result goes to slot 2, so the others must stay untouched).
 */
import { opRun, type Inputs, type OpRun } from '../harness.js';
import type { KernelLibrary } from '../library.js';
import { reduceSum } from '../loss/loss.js';
import type { OpPlan } from '../registry.js';
import { REDUCE_PARTIALS } from './versions.js';

export function reduceRun(lib: KernelLibrary, plan: OpPlan<'reduce'>, inputs: Inputs, dot = false, scale = 1): OpRun {
  const { n } = plan.shape;
  return opRun(lib, (tensors) => {
    const t = tensors(dot ? { a: [n], b: [n] } : { a: [n] }, { out: [3], partials: [REDUCE_PARTIALS] });
    return { dispatches: reduceSum(lib, { a: t.a, b: t.b, out: t.out, outIndex: 2, scale, partials: t.partials }, plan), outputs: ['out'] };
  }, inputs);
}
