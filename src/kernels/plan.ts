/**
 * The planner: for each op of a graph (its kind and shape) the kernel version that runs it, the
 * split count and the scratch it needs. The versions are listed in the registry (registry.ts);
 * `fixedChoice` (fixed_choice.ts) is the one place that picks a version without measuring, and a
 * tuned table (see autotune.ts) overrides it per shape on the user's GPU. A planner is a value:
 * code building a graph is handed the one to plan from.
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

/** What a planner plans from besides the fixed table: tuned choices per op key, forced versions, lean weights. */
export interface PlanSettings {
  /** Tuned choices (autotune.ts) by op key; they come first. */
  tuned: ReadonlyMap<string, Choice>;
  /** Versions forced per op kind (e.g. `npm run bench -- --conv winograd`); a tuned choice still wins. */
  force: Readonly<Partial<{ [K in OpKind]: OpVersions[K] }>>;
  /**
   * Lean weights: no version whose weight forms take more memory than the fixed table's lean
   * choice (F(4×4) Winograd's filters are 2.25× F(2×2)'s) — for runs a memory budget or tiles
   * limit. A forced version still runs as asked.
   */
  lean: boolean;
  /** Where plans are noted (the autotuner's first build): shapes answered without a tuned choice, and with one. */
  record: PlanRecord | null;
}

/** The shapes a recording planner answered: without a tuned choice (`misses`, autotune times them) and with one (`hits`). */
export interface PlanRecord {
  readonly misses: Map<string, { kind: OpKind; shape: OpShapes[OpKind] }>;
  readonly hits: Set<string>;
}

export const newPlanRecord = (): PlanRecord => ({ misses: new Map(), hits: new Set() });

/**
 * Plans ops for one device: a tuned choice for the shape if there is one, else a forced version,
 * else the fixed table. A value: frozen once made; `with` makes a changed copy. The library's own
 * (`lib.planner`) is the fixed table's; jobs, the autotuner and the benchmark make theirs and hand
 * them down (`lib.withPlanner`).
 */
export class Planner implements Readonly<PlanSettings> {
  readonly tuned: ReadonlyMap<string, Choice>;
  readonly force: Readonly<Partial<{ [K in OpKind]: OpVersions[K] }>>;
  readonly lean: boolean;
  readonly record: PlanRecord | null;
  /** The planner this one was derived from by `with` (the library's own); itself for one made anew. */
  readonly root: Planner;

  constructor(readonly adapter: PlannerAdapter, settings: Partial<PlanSettings> = {}, root?: Planner) {
    this.tuned = new Map(settings.tuned ?? []);
    this.force = Object.freeze({ ...settings.force });
    this.lean = settings.lean ?? false;
    this.record = settings.record ?? null;
    this.root = root ?? this;
    Object.freeze(this);
  }

  /** A planner like this one with `changes` (this one is unchanged). */
  with(changes: Partial<PlanSettings>): Planner {
    return new Planner(this.adapter, { tuned: this.tuned, force: this.force, lean: this.lean, record: this.record, ...changes }, this.root);
  }

  plan<K extends OpKind>(kind: K, shape: OpShapes[K]): OpPlan<K> {
    const key = opKey(kind, shape);
    let tuned = this.tuned.get(key) as Choice<K> | undefined;
    if (tuned && this.lean && LARGE_FORMS.has(tuned.version)) tuned = fixedChoice(kind, shape, this.adapter, true);
    if (tuned) {
      this.record?.hits.add(key);
      return makePlan(kind, shape, tuned);
    }
    this.record?.misses.set(key, { kind, shape });
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
