/**
 * Autotuning: on the user's GPU, time every eligible kernel version of each op shape a graph needs
 * the first time the shape is seen, keep the fastest in the planner (plan.ts), and persist the
 * table per adapter so later runs start at once (browser storage in the page, the cache directory
 * in Node). Every version passes the same correctness tests, so any choice is safe; tuning only
 * changes speed.
 *
 * Modes: "auto" tunes on hardware adapters and keeps the fixed table on software ones (tuning
 * there costs tens of seconds); "on" tunes on any adapter; "off" uses the fixed table and neither
 * reads nor writes the stored table; "refresh" ignores the stored table and tunes again.
 */
import type { AutotuneMode } from './autotune_modes.js';
import type { GpuContext } from './context.js';
import { conv2dBackwardInput, conv2dForward, packConvWeights, releasePackedWeights } from './conv2d.js';
import { fill } from './elementwise.js';
import { gramBackward, gramForward } from './gram.js';
import type { Dispatch } from './kernel.js';
import { runOnce, type KernelLibrary } from './library.js';
import { REDUCE_PARTIALS, reduceSum } from './loss.js';
import { makePlan, opKey, REGISTRY, tuningCandidates, versionInfo, type Choice, type ConvShape, type GramShape, type OpKind, type OpShapes } from './plan.js';
import { SHADERS } from './shaders.js';
import type { Tensor } from './tensor.js';

export type { AutotuneMode } from './autotune_modes.js';

/** Where a tuning table is kept (one text per adapter key). */
export interface TuningStore {
  load(key: string): Promise<string | null>;
  save(key: string, text: string): Promise<void>;
  /** Where, in words (for messages). */
  where: string;
}

/** Milliseconds one run of `dispatches` takes on the GPU (averaged over `repeats`). */
export type OpTimer = (lib: KernelLibrary, dispatches: readonly Dispatch[], repeats: number) => Promise<number>;

/**
 * Wall clock around `repeats` replays encoded in one compute pass, after a warm-up run (pipeline
 * compilation, first touch), waiting for queue.onSubmittedWorkDone.
 */
export const submittedWorkTimer: OpTimer = async (lib, ds, repeats) => {
  const run = () => {
    const enc = lib.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let r = 0; r < repeats; r++) for (const d of ds) d.encode(pass);
    pass.end();
    lib.ctx.device.queue.submit([enc.finish()]);
    return lib.ctx.device.queue.onSubmittedWorkDone();
  };
  await run();
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / repeats;
};

/**
 * GPU timestamps written at the start and end of the compute pass (needs the device's
 * "timestamp-query" feature; createGpuContext asks for it where the adapter has it). Browsers may
 * round timestamps (Chrome to 100 µs), so several repeats run in the pass; a zero reading falls
 * back to the wall clock.
 */
export const timestampTimer: OpTimer = async (lib, ds, repeats) => {
  const device = lib.ctx.device;
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  try {
    const run = () => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
      for (let r = 0; r < repeats; r++) for (const d of ds) d.encode(pass);
      pass.end();
      enc.resolveQuerySet(querySet, 0, 2, resolve, 0);
      device.queue.submit([enc.finish()]);
    };
    run(); // warm-up
    run();
    const t = new BigInt64Array(await lib.readBytes(resolve, 16));
    const ns = Number(t[1] - t[0]);
    return ns > 0 ? ns / 1e6 / repeats : submittedWorkTimer(lib, ds, repeats);
  } finally {
    querySet.destroy();
    resolve.destroy();
  }
};

/** The best timer this device offers. */
export function defaultTimer(ctx: GpuContext): OpTimer {
  return ctx.device.features.has('timestamp-query') ? timestampTimer : submittedWorkTimer;
}

/** What identifies an adapter for a tuning table: a table made on another GPU is not used. */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  limits: { maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number; maxStorageBufferBindingSize: number };
}

export function adapterIdentity(ctx: GpuContext): AdapterIdentity {
  const { vendor, architecture, device, description } = ctx.info;
  const l = ctx.limits;
  return {
    vendor, architecture, device, description,
    limits: { maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize, maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup, maxStorageBufferBindingSize: l.maxStorageBufferBindingSize },
  };
}

/** FNV-1a, 32 bits, as 8 hex digits (names and fingerprints, not security). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** A file-name-safe key for an adapter: readable vendor/architecture plus a hash of the whole identity. */
export function adapterKey(id: AdapterIdentity): string {
  const words = [id.vendor, id.architecture].filter(Boolean).join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'adapter';
  return `${words.slice(0, 40)}-${fnv1a(JSON.stringify(id))}`;
}

/** Changes whenever a tuned version's kernel source or the registry changes: old timings are then stale. */
export function engineFingerprint(): string {
  const parts: string[] = [];
  for (const kind of Object.keys(REGISTRY) as OpKind[]) {
    for (const v of REGISTRY[kind]) parts.push(`${kind}/${v.id}/${v.number}:${v.kernels.map((k) => SHADERS[k]).join('\n')}`);
  }
  return fnv1a(parts.join('\n\n'));
}

export const TABLE_FORMAT = 'webgpu-neural-style autotune table';

export interface TunedEntry extends Choice {
  /** Milliseconds per run of each candidate ("version" or "version/splits"). */
  ms: Record<string, number>;
}

export interface TuningTable {
  format: typeof TABLE_FORMAT;
  version: 1;
  engine: string;
  adapter: AdapterIdentity;
  entries: Record<string, TunedEntry>;
}

export function emptyTable(adapter: AdapterIdentity): TuningTable {
  return { format: TABLE_FORMAT, version: 1, engine: engineFingerprint(), adapter, entries: {} };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Read a stored table for this adapter. A damaged table, one made on another GPU or by other
 * kernel versions, is not used: `problem` says why (the caller reports it) and a fresh table is
 * returned. Entries naming versions this engine does not have are dropped.
 */
export function parseTable(text: string, adapter: AdapterIdentity, where: string): { table: TuningTable; problem: string | null } {
  const fresh = emptyTable(adapter);
  let t: TuningTable;
  try {
    t = JSON.parse(text) as TuningTable;
  } catch (e) {
    return { table: fresh, problem: `the autotune table in ${where} is damaged (${(e as Error).message}); it is ignored and will be rebuilt` };
  }
  if (!t || typeof t !== 'object' || t.format !== TABLE_FORMAT || t.version !== 1 || typeof t.entries !== 'object' || t.entries === null) {
    return { table: fresh, problem: `${where} does not hold an autotune table this engine can read; it is ignored and will be rebuilt` };
  }
  if (!sameJson(t.adapter, adapter)) {
    const name = (a: AdapterIdentity | undefined) => [a?.vendor, a?.architecture, a?.description].filter(Boolean).join(' / ') || 'unknown';
    return { table: fresh, problem: `the autotune table in ${where} was made on another adapter (${name(t.adapter)}), not this one (${name(adapter)}); it is ignored` };
  }
  if (t.engine !== fresh.engine) return { table: fresh, problem: `the autotune table in ${where} was measured with other kernel versions; it is ignored and will be rebuilt` };
  const entries: Record<string, TunedEntry> = {};
  let dropped = 0;
  for (const [key, e] of Object.entries(t.entries)) {
    const kind = key.split(' ')[0] as OpKind;
    const known = REGISTRY[kind]?.some((v) => v.id === e?.version);
    if (known && Number.isInteger(e.splits) && e.splits >= 1) entries[key] = e;
    else dropped++;
  }
  return { table: { ...t, entries }, problem: dropped ? `${dropped} entries of the autotune table in ${where} name unknown kernel versions and were dropped` : null };
}

/** Tensors and dispatches to time one candidate of an op, and how to free them. */
interface Bench {
  dispatches: Dispatch[];
  release: () => void;
}

function convBench(lib: KernelLibrary, kind: 'conv_forward' | 'conv_backward_input', s: ConvShape, choice: Choice): Bench {
  const plan = makePlan(kind, s, choice as Choice<typeof kind>);
  // weights for this direction: forward C = R, O = N; backward to input O = R, C = N
  const [O, C] = kind === 'conv_forward' ? [s.N, s.R] : [s.R, s.N];
  const weight = lib.tensor([O, C, s.K, s.K], 'tune.weight'), bias = lib.tensor([O], 'tune.bias');
  runOnce(lib, [fill(lib, weight, 0.01), fill(lib, bias, 0)]);
  const w = packConvWeights(lib, weight, bias, kind === 'conv_backward_input');
  const input = lib.tensor([s.R, s.H, s.W], 'tune.in'), output = lib.tensor([s.N, s.H, s.W], 'tune.out');
  runOnce(lib, [fill(lib, input, 0.5)]);
  const scratch = Object.fromEntries(Object.entries(plan.scratch).map(([k, floats]) => [k, lib.tensor([floats], `tune.${k}`)])) as Record<string, Tensor>;
  const dispatches = kind === 'conv_forward' ? conv2dForward(lib, input, w, output, true, plan as never, scratch) : conv2dBackwardInput(lib, input, w, output, plan as never, scratch);
  return {
    dispatches,
    release: () => {
      for (const d of dispatches) d.destroy();
      lib.release(weight, bias, input, output, ...Object.values(scratch));
      releasePackedWeights(lib, w);
    },
  };
}

function gramBench(lib: KernelLibrary, kind: 'gram_forward' | 'gram_backward', s: GramShape, choice: Choice): Bench {
  const features = lib.tensor([s.C, s.M], 'tune.features'), gram = lib.tensor([s.C, s.C], 'tune.gram');
  runOnce(lib, [fill(lib, features, 0.5), fill(lib, gram, 0.01)]);
  const extra: Tensor[] = [];
  let dispatches: Dispatch[];
  if (kind === 'gram_forward') {
    const plan = makePlan(kind, s, choice as Choice<'gram_forward'>);
    const scratch = plan.scratch.slices ? lib.tensor([plan.scratch.slices], 'tune.slices') : undefined;
    if (scratch) extra.push(scratch);
    dispatches = gramForward(lib, features, gram, 1, plan, scratch);
  } else {
    const grad = lib.tensor([s.C, s.M], 'tune.grad');
    extra.push(grad);
    dispatches = [gramBackward(lib, features, gram, grad, 1, makePlan(kind, s, choice as Choice<'gram_backward'>))];
  }
  return {
    dispatches,
    release: () => {
      for (const d of dispatches) d.destroy();
      lib.release(features, gram, ...extra);
    },
  };
}

function reduceBench(lib: KernelLibrary, n: number, choice: Choice): Bench {
  const a = lib.tensor([n], 'tune.a'), out = lib.tensor([1], 'tune.out'), partials = lib.tensor([REDUCE_PARTIALS], 'tune.partials');
  runOnce(lib, [fill(lib, a, 1)]);
  const dispatches = reduceSum(lib, { a, out, outIndex: 0, partials }, makePlan('reduce', { n }, choice as Choice<'reduce'>));
  return {
    dispatches,
    release: () => {
      for (const d of dispatches) d.destroy();
      lib.release(a, out, partials);
    },
  };
}

/** Tensors and dispatches that run one candidate of an op at its shape (inputs filled with constants). */
export function opBench<K extends OpKind>(lib: KernelLibrary, kind: K, shape: OpShapes[K], choice: Choice<K>): Bench {
  if (kind === 'conv_forward' || kind === 'conv_backward_input') return convBench(lib, kind, shape as ConvShape, choice);
  if (kind === 'gram_forward' || kind === 'gram_backward') return gramBench(lib, kind, shape as GramShape, choice);
  return reduceBench(lib, (shape as OpShapes['reduce']).n, choice);
}

export const candidateName = (c: Choice) => `${c.version}${c.splits > 1 ? `/${c.splits}` : ''}`;

/** Time every candidate of one op; returns the fastest with all timings. */
export async function tuneOp<K extends OpKind>(lib: KernelLibrary, kind: K, shape: OpShapes[K], timer: OpTimer, repeats: number): Promise<TunedEntry> {
  const ms: Record<string, number> = {};
  let best: Choice<K> | null = null, bestMs = Infinity;
  for (const c of tuningCandidates(kind, shape)) {
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
 * Autotuning for one device: loads the stored table into the library's planner once, and builds
 * graphs so that every op shape they use has been timed (see `build`).
 */
export class Autotuner {
  private table: TuningTable;
  private loaded = false;
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
    // the planner's tuned choices come only from this tuner (its mode and table), not from an
    // earlier job's tuner on the same library: "off" then means the fixed table
    lib.planner.tuned.clear();
  }

  /** Whether this mode times kernels on this adapter. */
  get active(): boolean {
    return this.mode === 'on' || this.mode === 'refresh' || (this.mode === 'auto' && !this.lib.ctx.info.isSoftware);
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  /** Read the stored table (once; not in "off" or "refresh" mode) and hand its choices to the planner. */
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
    for (const [key, e] of Object.entries(table.entries)) this.lib.planner.tuned.set(key, { version: e.version, splits: e.splits });
  }

  /**
   * Build a graph (e.g. a StyleTransfer) with every op shape it uses tuned: the first build
   * records the shapes the planner answered without a tuned choice; if there are any, they are
   * timed, the graph is disposed and built again with the fastest versions. With tuning inactive
   * this is just `make()`.
   */
  async build<T extends { dispose(): void }>(make: () => T | Promise<T>): Promise<T> {
    if (!this.active) return make();
    await this.load();
    const planner = this.lib.planner;
    planner.misses.clear();
    planner.hits.clear();
    planner.collecting = true;
    let built: T;
    try {
      built = await make();
    } finally {
      planner.collecting = false;
    }
    this.report.reused += planner.hits.size;
    if (planner.misses.size === 0) return built;
    const t0 = performance.now();
    built.dispose();
    this.lib.memory.trim();
    const ops = [...planner.misses.values()];
    planner.misses.clear();
    await this.tune(ops);
    const rebuilt = await make();
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
      this.lib.planner.tuned.set(key, { version: entry.version, splits: entry.splits });
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

/** Build with tuning when a tuner is given (see Autotuner.build), else just build. */
export function buildTuned<T extends { dispose(): void }>(tuner: Autotuner | undefined, make: () => T | Promise<T>): Promise<T> | T {
  return tuner ? tuner.build(make) : make();
}
