/**
 * The Pacer against a simulated queue: dispatches whose costs differ by 10⁴× within a pass, as a
 * VGG19 pass at 512 px on a CPU adapter does (Winograd transforms of a few ms, GEMMs of a second).
 * A page's Stop waits for the group in flight, so no group of several dispatches may run much past
 * the target; and a small pass, once measured, goes in one group (one wait per step).
 */
import { describe, expect, it } from 'vitest';
import { Pacer, StoppedError, type PacedDispatch, type PacedQueue } from '../src/kernels/pacing.js';
import type { Dispatch } from '../src/kernels/kernel.js';

interface FakeDispatch extends PacedDispatch {
  /** Simulated GPU time, ms. */
  cost: number;
}

/** A clock that only the simulated GPU moves, plus a queue that records each group's dispatches and time. */
function simulatedQueue(waitMs = 2) {
  let now = 0;
  const groups: { dispatches: FakeDispatch[]; ms: number }[] = [];
  const queue: PacedQueue = {
    run: (ds) => {
      const fake = ds as unknown as FakeDispatch[];
      const ms = fake.reduce((s, d) => s + d.cost, 0) + waitMs;
      groups.push({ dispatches: [...fake], ms });
      now += ms;
    },
    done: () => Promise.resolve(),
  };
  return { queue, groups, now: () => now };
}

const dispatch = (name: string, workgroups: number, msPerWorkgroup: number): FakeDispatch => ({
  kernel: { name },
  workgroups: [workgroups, 1, 1],
  cost: workgroups * msPerWorkgroup,
});

/** One conv layer as F(4×4) Winograd runs it: small input transform, heavy GEMM, output transform. */
function winogradLayer(tiles: number): FakeDispatch[] {
  return [dispatch('input', Math.ceil(tiles / 64), 0.4), dispatch('gemm', Math.ceil(tiles / 16), 9), dispatch('output', Math.ceil(tiles / 8), 0.05)];
}

/** A pass shaped like a VGG19 forward at 512 px: layers from 16384 tiles down to 64, with cheap elementwise ops between. */
function bigPass(): FakeDispatch[] {
  const pass: FakeDispatch[] = [];
  for (const tiles of [16384, 16384, 4096, 4096, 1024, 1024, 1024, 256, 256, 64]) {
    pass.push(...winogradLayer(tiles), dispatch('relu', tiles / 4, 0.01));
  }
  return pass;
}

const asDispatches = (ds: FakeDispatch[]) => ds as unknown as Dispatch[];

describe('Pacer', () => {
  it('keeps every group of several dispatches within its target, from the first pass, though costs differ by 10⁴×', async () => {
    const sim = simulatedQueue();
    const target = 250;
    const pacer = new Pacer(sim.queue, () => false, target, sim.now);
    const pass = bigPass();
    expect(Math.max(...pass.map((d) => d.cost)) / Math.min(...pass.map((d) => d.cost))).toBeGreaterThan(1e4);
    for (let round = 0; round < 3; round++) await pacer.run(asDispatches(pass));
    const sent = sim.groups.flatMap((g) => g.dispatches);
    expect(sent).toEqual([...pass, ...pass, ...pass]); // all of it, in order, once per run
    for (const g of sim.groups) if (g.dispatches.length > 1) expect(g.ms).toBeLessThanOrEqual(target * 1.1);
    // and it does not fall back to one wait per dispatch: replays share groups
    const replay = sim.groups.slice(-Math.ceil(sim.groups.length / 3));
    expect(replay.length).toBeLessThan(pass.length * 0.75);
  });

  it('sends a small pass in one group once it has measured it (a small run pays one wait per step)', async () => {
    const sim = simulatedQueue();
    const pacer = new Pacer(sim.queue, () => false, 250, sim.now);
    const pass = [64, 64, 16, 16, 4].flatMap((t) => winogradLayer(t));
    expect(pass.reduce((s, d) => s + d.cost, 0)).toBeLessThan(150);
    await pacer.run(asDispatches(pass));
    const first = sim.groups.length;
    await pacer.run(asDispatches(pass));
    await pacer.run(asDispatches(pass));
    expect(first).toBeGreaterThan(1);
    expect(sim.groups.length - first).toBe(2);
  });

  it('stops at the next group after shouldStop turns true, with StoppedError', async () => {
    const sim = simulatedQueue();
    const stopAt = 3000;
    const pacer = new Pacer(sim.queue, () => sim.now() >= stopAt, 250, sim.now);
    await expect(pacer.run(asDispatches([...bigPass(), ...bigPass()]))).rejects.toBeInstanceOf(StoppedError);
    // the group in flight at the stop is the only work after it: one dispatch, or a group near the target
    const last = sim.groups[sim.groups.length - 1];
    expect(sim.now() - stopAt).toBeLessThanOrEqual(Math.max(last.dispatches.length === 1 ? last.ms : 0, 275));
  });
});
