/**
 * The planner: for each op of a graph (its kind and shape) the kernel version that runs it, the
 * split count and the scratch it needs. The versions are listed in the registry (registry.ts);
 * `fixedChoice` (fixed_choice.ts) is the one place that picks a version without measuring, and a
 * tuned table (see autotune.ts) overrides it per shape on the user's GPU.
 */
import type { PlannerAdapter } from './adapter_class.js';
import { winogradPlanes, winogradTileOf, winogradTiles, WINOGRAD_CHUNK_FLOATS, tilesFitting } from './conv/geometry.js';
import { fixedChoice } from './fixed_choice.js';
import { opKey, versionInfo, type Choice, type ConvShape, type GramShape, type OpKind, type OpPlan, type OpShapes, type OpVersions } from './registry.js';

// ----- plans: a choice with its scratch sized -----

/** Check a choice against a shape and size its scratch. Throws (naming the op) if the version cannot run it. */
export function makePlan<K extends OpKind>(kind: K, shape: OpShapes[K], choice: Choice<K>): OpPlan<K> {
  const info = versionInfo(kind, choice.version);
  const why = info.unfit(shape);
  if (why) throw new Error(`${opKey(kind, shape)}: ${why}`);
  const { splits } = choice;
  if (!Number.isInteger(splits) || splits < 1) throw new Error(`${opKey(kind, shape)}: invalid split count ${splits}`);
  if (splits > 1 && !info.splits) throw new Error(`${opKey(kind, shape)}: version "${choice.version}" does not split (use splits = 1)`);
  const plan: OpPlan<K> = { kind, shape, version: choice.version, splits, scratch: {} };
  if (kind === 'conv_forward' || kind === 'conv_backward_input') {
    const s = shape as ConvShape;
    const m = winogradTileOf(choice.version);
    if (m) {
      const B = winogradPlanes(m);
      const tiles = Math.max(8, Math.min(winogradTiles(s.H, s.W, m).P8, tilesFitting(WINOGRAD_CHUNK_FLOATS, Math.max(s.R, s.N), B)));
      plan.scratch = { winogradData: B * s.R * tiles, winogradProducts: B * s.N * tiles };
    } else {
      const S = Math.min(splits, s.R);
      plan.splits = S;
      if (S > 1) plan.scratch = { slices: S * s.N * s.H * s.W };
    }
  } else if (kind === 'gram_forward') {
    const s = shape as GramShape;
    // the Gram's split count follows from its version (a choice's splits is ignored)
    plan.splits = info.slices!(shape);
    if (plan.splits > 1) plan.scratch = { slices: plan.splits * s.C * s.C };
  }
  return plan;
}

/**
 * Plans ops for one device: a tuned choice for the shape if there is one, else a forced version
 * (`force`, e.g. `npm run bench -- --conv winograd`), else the fixed table. While `collecting`,
 * shapes answered without a tuned choice are remembered in `misses` (autotune times them) and
 * those answered with one in `hits`.
 */
export class Planner {
  readonly tuned = new Map<string, Choice>();
  readonly force: Partial<{ [K in OpKind]: OpVersions[K] }> = {};
  collecting = false;
  readonly misses = new Map<string, { kind: OpKind; shape: OpShapes[OpKind] }>();
  /** While collecting: shapes answered from a tuned choice. */
  readonly hits = new Set<string>();

  /**
   * Lean weights: no version whose weight forms take more memory than the fixed table's lean
   * choice (F(4×4) Winograd's filters are 2.25× F(2×2)'s) — for runs a memory budget or tiles
   * limit (withLeanWeights). A forced version (--conv) still runs as asked.
   */
  lean = false;

  constructor(readonly adapter: PlannerAdapter) {}

  plan<K extends OpKind>(kind: K, shape: OpShapes[K]): OpPlan<K> {
    const key = opKey(kind, shape);
    let tuned = this.tuned.get(key) as Choice<K> | undefined;
    if (tuned && this.lean && LARGE_FORMS.has(tuned.version)) tuned = fixedChoice(kind, shape, this.adapter, true);
    if (tuned) {
      if (this.collecting) this.hits.add(key);
      return makePlan(kind, shape, tuned);
    }
    if (this.collecting) this.misses.set(key, { kind, shape });
    const forced = this.force[kind] as OpVersions[K] | undefined;
    if (forced) {
      // a forced version that can split keeps the fixed table's split count
      const splits = versionInfo(kind, forced).splits ? fixedChoice(kind, shape, this.adapter).splits : 1;
      return makePlan(kind, shape, { version: forced, splits } as Choice<K>);
    }
    return makePlan(kind, shape, fixedChoice(kind, shape, this.adapter, this.lean));
  }
}

/** The versions lean planning leaves out: their weight forms are larger than the others'. */
const LARGE_FORMS = new Set<string>(['v6_winograd4', 'v8_winograd4_subgroups']);

/** Run `f` (plans made now, or a graph built) with the planner's lean setting as given, restoring it afterwards (also when `f` throws or its promise rejects). */
export function withLeanWeights<T>(planner: Planner, lean: boolean, f: () => T): T {
  const saved = planner.lean;
  planner.lean = lean;
  let r: T;
  try {
    r = f();
  } catch (e) {
    planner.lean = saved;
    throw e;
  }
  if (r instanceof Promise) return r.finally(() => (planner.lean = saved)) as T;
  planner.lean = saved;
  return r;
}
