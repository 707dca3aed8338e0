/**
 * Autotuning: on the user's GPU, time every eligible kernel version of each op shape a graph needs
 * the first time the shape is seen, keep the fastest (the planners it makes plan from them, plan.ts), and persist the
 * table per adapter so later runs start at once (browser storage in the page, the cache directory
 * in Node). Every version passes the same correctness tests, so any choice is safe; tuning only
 * changes speed.
 *
 * Modes: "auto" tunes on hardware adapters and keeps the fixed table on software ones (tuning
 * there costs tens of seconds); "on" tunes on any adapter; "off" uses the fixed table and neither
 * reads nor writes the stored table; "refresh" ignores the stored table and tunes again.
 */
import type { AutotuneMode } from './autotune_modes.js';
import type { KernelLibrary } from './library.js';
import { opKey, versionInfo, type Choice, type OpKind, type OpShapes } from './registry.js';
import { tuningCandidates } from './fixed_choice.js';
import { newPlanRecord, type Planner } from './plan.js';

export type { AutotuneMode } from './autotune_modes.js';
import { type OpTimer, defaultTimer } from './op_timers.js';
import { type TuningStore, type AdapterIdentity, adapterIdentity, adapterKey, type TunedEntry, type TuningTable, emptyTable, parseTable } from './tuning_table.js';
import { opBench } from './op_bench.js';

export const candidateName = (c: Choice) => `${c.version}${c.splits > 1 ? `/${c.splits}` : ''}`;

/** Time every candidate of one op; returns the fastest with all timings. */
export async function tuneOp<K extends OpKind>(lib: KernelLibrary, kind: K, shape: OpShapes[K], timer: OpTimer, repeats: number): Promise<TunedEntry> {
  const ms: Record<string, number> = {};
  let best: Choice<K> | null = null, bestMs = Infinity;
  for (const c of tuningCandidates(kind, shape, lib.ctx.info)) {
    const bench = opBench(lib, kind, shape, c);
    try {
      const t = await timer(lib, bench.dispatches, repeats);
      ms[candidateName(c)] = t;
      if (t < bestMs) [best, bestMs] = [c, t];
    } finally {
      bench.release();
    }
  }
  if (!best) throw new Error(`autotune: no kernel version can run ${opKey(kind, shape)}`);
  return { ...best, ms };
}

export interface AutotuneOptions {
  mode: AutotuneMode;
  /** Where the table is kept; none: tuned choices last as long as this object. */
  store?: TuningStore;
  timer?: OpTimer;
  /** Replays per timing (default 3 on GPUs, 1 on software adapters). */
  repeats?: number;
  log?: (message: string) => void;
}

/** What tuning did for one build, for reports (the CLI's summary, the benchmark). */
export interface TuningReport {
  mode: AutotuneMode;
  /** Op shapes timed now. */
  tuned: number;
  /** Op shapes whose choice came from the stored table. */
  reused: number;
  /** Seconds spent timing (and rebuilding the graph). */
  seconds: number;
}

/**
 * Autotuning for one device: loads the stored table once, and builds graphs so that every op
 * shape they use has been timed (see `build`). Its choices reach graphs only through the planners
 * it makes (`planner`); the library's own planner is never changed.
 */
export class Autotuner {
  private table: TuningTable;
  private loaded = false;
  /** The tuned choices by op key: this tuner's (its mode and table), not an earlier job's. */
  private readonly tuned = new Map<string, Choice>();
  readonly adapter: AdapterIdentity;
  readonly key: string;
  mode: AutotuneMode;
  /** Totals over this tuner's life. */
  readonly report: TuningReport;

  constructor(readonly lib: KernelLibrary, private options: AutotuneOptions) {
    this.adapter = adapterIdentity(lib.ctx);
    this.key = adapterKey(this.adapter);
    this.table = emptyTable(this.adapter);
    this.mode = options.mode;
    this.report = { mode: options.mode, tuned: 0, reused: 0, seconds: 0 };
  }

  /** `base` (default: the library's fixed table) with this tuner's choices so far added. */
  planner(base: Planner = this.lib.planner): Planner {
    return base.with({ tuned: new Map([...base.tuned, ...this.tuned]) });
  }

  /** Whether this mode times kernels on this adapter. */
  get active(): boolean {
    return this.mode === 'on' || this.mode === 'refresh' || (this.mode === 'auto' && !this.lib.ctx.info.isSoftware);
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  /** Read the stored table (once; not in "off" or "refresh" mode) and take its choices. */
  async load(): Promise<void> {
    if (this.loaded || !this.active) return;
    this.loaded = true;
    const store = this.options.store;
    if (!store || this.mode === 'refresh') return;
    let text: string | null = null;
    try {
      text = await store.load(this.key);
    } catch (e) {
      this.log(`could not read the autotune table from ${store.where} (${(e as Error).message}); tuning again`);
    }
    if (text === null) return;
    const { table, problem } = parseTable(text, this.adapter, store.where);
    if (problem) this.log(problem);
    this.table = table;
    for (const [key, e] of Object.entries(table.entries)) this.tuned.set(key, { version: e.version, splits: e.splits });
  }

  /**
   * Build a graph (e.g. a StyleTransfer) with every op shape it uses tuned: `make` is handed the
   * planner to build from — `base` with this tuner's choices. The first build notes the shapes
   * answered without a tuned choice; if there are any, they are timed, the graph is disposed and
   * built again from a planner with the fastest versions. With tuning inactive: `make` with the
   * choices so far (none for a new tuner).
   */
  async build<T extends { dispose(): void }>(base: Planner, make: (planner: Planner) => T | Promise<T>): Promise<T> {
    // inactive ("off", or "auto" on a software adapter): the choices this tuner made or loaded before still hold
    if (!this.active) return make(this.planner(base));
    await this.load();
    const record = newPlanRecord();
    const built = await make(this.planner(base).with({ record }));
    this.report.reused += record.hits.size;
    if (record.misses.size === 0) return built;
    const t0 = performance.now();
    built.dispose();
    this.lib.memory.trim();
    await this.tune([...record.misses.values()]);
    const rebuilt = await make(this.planner(base));
    this.report.seconds += (performance.now() - t0) / 1000;
    return rebuilt;
  }

  /** Time the given ops, remember the fastest version of each, and save the table. */
  async tune(ops: { kind: OpKind; shape: OpShapes[OpKind] }[]): Promise<void> {
    const timer = this.options.timer ?? defaultTimer(this.lib.ctx);
    const repeats = this.options.repeats ?? (this.lib.ctx.info.isSoftware ? 1 : 3);
    const t0 = performance.now();
    this.log(`autotune: timing the kernel versions of ${ops.length} op shapes on this adapter (once; the result is kept${this.options.store ? ` in ${this.options.store.where}` : ''})`);
    for (const { kind, shape } of ops) {
      const key = opKey(kind, shape);
      const entry = await tuneOp(this.lib, kind, shape, timer, repeats);
      this.table.entries[key] = entry;
      this.tuned.set(key, { version: entry.version, splits: entry.splits });
      this.report.tuned++;
    }
    this.log(`autotune: ${ops.length} op shapes timed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const store = this.options.store;
    if (!store || this.mode === 'off') return;
    try {
      await store.save(this.key, JSON.stringify(this.table));
    } catch (e) {
      this.log(`could not save the autotune table to ${store.where} (${(e as Error).message}); it will be measured again next time`);
    }
  }

  /** The tuned choice per op shape, with the version's number, e.g. "conv_forward R64 N64 K3 H64 W64: v4 rows_vec4". */
  choices(): string[] {
    return Object.entries(this.table.entries).map(([key, e]) => {
      const kind = key.split(' ')[0] as OpKind;
      return `${key}: v${versionInfo(kind, e.version as never).number} ${candidateName(e)}`;
    });
  }
}

/** Build from `base` with tuning when a tuner is given (see Autotuner.build), else `make(base)`. */
export function buildTuned<T extends { dispose(): void }>(tuner: Autotuner | undefined, base: Planner, make: (planner: Planner) => T | Promise<T>): Promise<T> | T {
  return tuner ? tuner.build(base, make) : make(base);
}
