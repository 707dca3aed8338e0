/**
 * Test page for autotuning (test/autotune.test.ts): a fake timer that reports chosen milliseconds
 * per kernel version, an in-memory table store, and small style-transfer graphs built with and
 * without a tuner on the same device.
 */
import { Autotuner, type AutotuneMode } from '../../src/kernels/autotune.js';
import type { OpTimer } from '../../src/kernels/op_timers.js';
import type { TuningStore } from '../../src/kernels/tuning_table.js';
import { createGpuContext } from '../../src/kernels/context.js';
import type { Dispatch } from '../../src/kernels/kernel.js';
import { KernelLibrary } from '../../src/kernels/library.js';
import { REGISTRY, type OpKind, type OpShapes } from '../../src/kernels/registry.js';
import { winogradTileOf } from '../../src/kernels/conv/geometry.js';
import { picture } from '../../bench/suite.js';
import { StyleTransfer } from '../../src/nst/style_transfer.js';
import { randomVgg19 } from '../../src/model/weights.js';

let ctx: Awaited<ReturnType<typeof createGpuContext>> | null = null;
/** A fresh library (and so a fresh planner) on one shared device, as a new run would have. */
async function freshLibrary(): Promise<KernelLibrary> {
  if (!ctx) ctx = await createGpuContext();
  return new KernelLibrary(ctx);
}

/** The registered version a list of dispatches runs: the first whose kernels include every dispatched one. */
function versionOf(ds: readonly Dispatch[]): string {
  for (const kind of Object.keys(REGISTRY) as OpKind[]) {
    const v = REGISTRY[kind].find((x) => ds.every((d) => (x.kernels as readonly string[]).includes(d.kernel.name)));
    if (v) return v.id;
  }
  throw new Error(`fake timer: no version runs kernels ${ds.map((d) => d.kernel.name).join(', ')}`);
}

/** Milliseconds per version (split runs 10% slower, so whole ones win ties); counts its calls. */
function fakeTimer(ms: Record<string, number>, fallback = 5): { timer: OpTimer; calls: () => number } {
  let calls = 0;
  const timer: OpTimer = async (_lib, ds) => {
    calls++;
    const v = versionOf(ds);
    const split = !winogradTileOf(v) && ds.length > 1;
    return (ms[v] ?? fallback) * (split ? 1.1 : 1);
  };
  return { timer, calls: () => calls };
}

const tables = new Map<string, string>();
const memoryStore: TuningStore = {
  where: 'the test store',
  load: async (key) => tables.get(key) ?? null,
  save: async (key, text) => void tables.set(key, text),
};

const api = {
  /** Tune one op with the fake timer; returns the tuned choice, what the tuner's planner plans, and what the library's own does. */
  async tuneOne(kind: OpKind, shape: OpShapes[OpKind], ms: Record<string, number>) {
    const lib = await freshLibrary();
    const fake = fakeTimer(ms);
    const tuner = new Autotuner(lib, { mode: 'on', timer: fake.timer });
    const before = lib.memory.stats();
    await tuner.tune([{ kind, shape }]);
    const after = lib.memory.stats();
    const plan = tuner.planner().plan(kind, shape);
    // the library's own planner is the fixed table's, unchanged by tuning
    const fixed = lib.planner.plan(kind, shape).version;
    lib.destroy();
    // every candidate's run frees what it made: buffers in use and params buffers back where they were
    const leaked = { buffers: after.inUseBuffers - before.inUseBuffers, uniforms: after.uniformBuffers - before.uniformBuffers };
    return { version: plan.version, splits: plan.splits, fixed, calls: fake.calls(), choices: tuner.choices(), leaked };
  },

  /**
   * Build a small style transfer (size² pixels, layers up to conv3_1) through a tuner with the
   * fake timer and the in-memory store, evaluate it; also the same graph untuned on a fresh library.
   * `untouched`: the library's own planner is the same frozen fixed-table planner afterwards.
   */
  async build(o: { mode: AutotuneMode; ms: Record<string, number>; size: number; table?: string | null; key?: boolean; thenOff?: boolean }) {
    const lib = await freshLibrary();
    const messages: string[] = [];
    const fake = fakeTimer(o.ms);
    const tuner = new Autotuner(lib, { mode: o.mode, store: memoryStore, timer: fake.timer, log: (m) => messages.push(m) });
    if (o.table !== undefined) {
      if (o.table === null) tables.delete(tuner.key);
      else tables.set(tuner.key, o.table);
    }
    const weights = randomVgg19(3, 'conv3_1');
    const options = { contentLayers: [{ name: 'conv2_2', weight: 1 }], styleLayers: ['conv1_1', 'conv2_1', 'conv3_1'].map((name) => ({ name, weight: 1 })), styleWeight: 1e3 };
    const make = (l: KernelLibrary) => () => StyleTransfer.create(l, weights, picture(o.size, 1), [picture(o.size, 2)], options);
    const own = lib.planner;
    // the tuner hands the graph the planner to build from
    const st = await tuner.build(own, (p) => make(lib.withPlanner(p))());
    const untouched = lib.planner === own && Object.isFrozen(own) && own.tuned.size === 0 && !own.lean && Object.keys(own.force).length === 0 && own.record === null;
    // the same tuner switched "off" (as a session's next job may be) keeps the choices it has
    const kernelsOf = (g: StyleTransfer) => [...new Set(g.profile().flatMap((op) => op.dispatches.map((d) => d.kernel.name)))].sort();
    let offKernels: string[] = [];
    if (o.thenOff) {
      tuner.mode = 'off';
      const again = await tuner.build(own, (p) => make(lib.withPlanner(p))());
      offKernels = kernelsOf(again);
      again.dispose();
    }
    const plainLib = await freshLibrary();
    const plain = await make(plainLib)();
    try {
      const [a, b] = [await st.evaluate(), await plain.evaluate()];
      const [ga, gb] = [await st.gradient(), await plain.gradient()];
      let gradDiff = 0, gradMax = 1e-30;
      for (let i = 0; i < ga.length; i++) {
        gradDiff = Math.max(gradDiff, Math.abs(ga[i] - gb[i]));
        gradMax = Math.max(gradMax, Math.abs(gb[i]));
      }
      const versions = new Set<string>();
      for (const op of st.profile()) for (const d of op.dispatches) versions.add(d.kernel.name);
      return {
        calls: fake.calls(),
        report: { ...tuner.report },
        messages,
        stored: tables.get(tuner.key) ?? null,
        key: tuner.key,
        lossTuned: a.total,
        lossPlain: b.total,
        gradRelDiff: gradDiff / gradMax,
        kernels: [...versions].sort(),
        choices: tuner.choices(),
        untouched,
        offKernels,
      };
    } finally {
      st.dispose();
      plain.dispose();
      lib.destroy();
      plainLib.destroy();
    }
  },
};

(globalThis as unknown as { autotune: typeof api }).autotune = api;
export type AutotuneTestApi = typeof api;
