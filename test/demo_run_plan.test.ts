/**
 * The page's schedule and time model (demo/run_plan.ts, demo/run_clock.ts), without a browser:
 * the estimate counts each scale's steps × its pixels, a finished run's speed makes the estimate
 * for the same settings that run's time, and the clock's time left follows the pace of the steps
 * already run (not the estimate made before Start).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveSchedule } from '../src/job/schedule.js';
import { networkDefaults } from '../src/nst/defaults.js';
import { clock, RunClock } from '../demo/run_clock.js';
import { describePageSchedule, estimateLine, FIXED_PIXELS, stepWork, pageSchedule, PREP_STEPS, runSeconds, scalePriors, SOFTWARE_PRIOR, speedFromRun, speeds, useSoftwarePriors, type Speed } from '../demo/run_plan.js';
import type { Progress } from '../src/job/run.js';
import { median, watchProbes } from '../demo/speed_probe.js';

const square = (size: number) => size * size;
const speed: Speed = { factor: 5e-6, fixedPixels: 1000, setupSeconds: 3, measured: true };

describe('the page\'s schedule and estimate', () => {
  it('the schedule is src/job/schedule.ts\'s (auto: the steps are the coarsest scale\'s), in words', () => {
    for (const size of [128, 512, 1024]) {
      const s = pageSchedule(size, 'squeezenet', 'auto', 100);
      expect(s).toEqual(resolveSchedule(size, 'squeezenet', 'auto', [100], networkDefaults('squeezenet').iterations));
    }
    const s = pageSchedule(512, 'squeezenet', 'auto', 100);
    expect(s.sizes.length).toBeGreaterThan(1);
    expect(describePageSchedule(s)).toBe(`Coarse to fine (automatic): ${s.sizes.map((z, i) => `${z} px × ${s.iterations[i]}${i === 0 ? ' steps' : ''}`).join(' → ')}; each scale's result shows as it finishes.`);
    expect(describePageSchedule(pageSchedule(512, 'squeezenet', 1, 100))).toBe('One scale: 512 px × 100 steps.');
  });

  it('counts every scale: its steps and preparing, each at its pixels (plus the fixed part of a step)', () => {
    const s = pageSchedule(512, 'squeezenet', 3, 10);
    const want = speed.setupSeconds + s.sizes.reduce((t, z, k) => t + (s.iterations[k] + PREP_STEPS) * speed.factor * (square(z) + speed.fixedPixels) ** 1.05, 0);
    expect(runSeconds(s, square, speed)).toBeCloseTo(want, 9);
    // coarse to fine at 512 px costs well under one scale at 512 px with as many steps as its coarsest
    expect(runSeconds(pageSchedule(512, 'squeezenet', 'auto', 100), square, speed)).toBeLessThan(runSeconds(pageSchedule(512, 'squeezenet', 1, 100), square, speed) * 0.6);
  });

  it('after a run, the estimate for the same settings is the time it took', () => {
    const s = pageSchedule(512, 'squeezenet', 'auto', 100);
    const stepsWork = s.sizes.reduce((w, z, k) => w + s.iterations[k] * stepWork(square(z), 1000), 0);
    const after = speedFromRun(s, square, 1000, 200, 150, stepsWork);
    expect(runSeconds(s, square, after)).toBeCloseTo(200, 6);
    expect(after.measured).toBe(true);
  });

  it('the speed probe scales the priors (a busy machine: slower), never a speed a run measured', () => {
    useSoftwarePriors();
    speeds.vgg19 = { ...speed };
    scalePriors(2);
    expect(speeds.squeezenet!.factor).toBeCloseTo(2 * SOFTWARE_PRIOR.squeezenet.factor, 12);
    expect(speeds.squeezenet!.setupSeconds).toBeCloseTo(2 * SOFTWARE_PRIOR.squeezenet.setupSeconds, 9);
    expect(speeds.vgg19).toEqual(speed);
    scalePriors(0.5);
    expect(speeds.squeezenet!.factor).toBeCloseTo(0.5 * SOFTWARE_PRIOR.squeezenet.factor, 12); // from the prior, not compounded
  });

  it('the speed probe runs a few times while the page is idle; the median of those so far scales the priors (one busy moment does not)', async () => {
    vi.useFakeTimers();
    expect([median([3]), median([4, 1]), median([0.041, 0.033, 0.024]), median([5, 1, 9, 2])]).toEqual([3, 2.5, 0.033, 3.5]);
    const times = [0.068, 0.04, 0.038, 0.041];
    let busy = false;
    const seen: number[][] = [];
    watchProbes(async () => times.shift()!, () => busy, (m, probes) => seen.push([m, probes.length]), [0, 100, 200, 300]);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([[0.068, 1]]);
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(100);
    expect(seen.at(-1)).toEqual([0.04, 3]); // the spike at load no longer counts
    busy = true; // a run has the GPU: no probe
    await vi.advanceTimersByTimeAsync(100);
    expect(seen.length).toBe(3);
    vi.useRealTimers();
  });

  it('on a GPU before its first run: the schedule, and when a time will show (never a guess)', () => {
    speeds.squeezenet = null;
    const s = pageSchedule(512, 'squeezenet', 'auto', 100);
    const e = estimateLine(s, 'squeezenet', square, 'At these settings a SqueezeNet 1.1 run takes');
    expect(e.text).toBe(`${describePageSchedule(s)} How long it takes shows once a first run has timed this GPU.`);
    expect(e.seconds).toBeNaN();
    useSoftwarePriors();
  });

  it('the software priors come from the fixed parts named for each network', () => {
    for (const n of ['squeezenet', 'vgg19'] as const) expect(SOFTWARE_PRIOR[n].fixedPixels).toBe(FIXED_PIXELS[n]);
  });
});

describe('the run clock', () => {
  afterEach(() => vi.useRealTimers());
  const progress = (step: number, index: number, size: number, secondsPerStep: number, iterations: number): Progress =>
    ({ step, iterations, secondsPerStep, elapsed: 0, losses: { total: 1 } as Progress['losses'], scale: { index, count: 3, width: size, height: size } }) as Progress;

  it('ticks every second between reports; the time left follows the measured pace of the steps, then each later scale by its pixels', () => {
    vi.useFakeTimers();
    const s = pageSchedule(512, 'squeezenet', 'auto', 100);
    expect(s.sizes.length).toBe(3);
    const total = s.iterations.reduce((a, b) => a + b, 0);
    const lines: string[] = [];
    const c = new RunClock(s, square, speed, 1000, (t) => lines.push(t), () => false);
    vi.advanceTimersByTime(3000);
    expect(lines.length).toBeGreaterThanOrEqual(4); // one at once, one a second
    expect(lines.at(-1)).toMatch(/^0:03 elapsed · about .* left · preparing$/);
    // the machine is 4× slower than the estimate assumed: the time left follows the pace measured
    const pace = 4 * speed.factor * stepWork(square(s.sizes[0]), 1000);
    c.progress(progress(10, 0, s.sizes[0], pace, total));
    const rest = (s.iterations[0] - 10) * pace + 4 * speed.factor * s.sizes.slice(1).reduce((w, z, i) => w + (s.iterations[i + 1] + PREP_STEPS) * stepWork(square(z), 1000), 0);
    expect(c.secondsLeft()).toBeCloseTo(rest, 3);
    vi.advanceTimersByTime(2000);
    expect(c.secondsLeft()).toBeCloseTo(rest - 2, 3);
    expect(lines.at(-1)).toMatch(new RegExp(`^0:05 elapsed · about .* left · step 10/${total}, scale 1/3 \\(${s.sizes[0]}×${s.sizes[0]}\\)$`));
    c.finish();
  });

  it('where the run reports every scale\'s real size and steps, the time left counts those', () => {
    vi.useFakeTimers();
    const s = pageSchedule(512, 'squeezenet', 'auto', 100);
    const c = new RunClock(s, square, speed, 1000, () => undefined, () => false);
    const scales = [{ width: 128, height: 64, steps: 10 }, { width: 256, height: 128, steps: 6 }, { width: 512, height: 256, steps: 3 }];
    const pace = speed.factor * stepWork(128 * 64, 1000);
    c.progress({ ...progress(4, 0, 128, pace, 19), scale: { index: 0, count: 3, width: 128, height: 64 }, scales } as Progress);
    const want = 6 * pace + speed.factor * ((6 + PREP_STEPS) * stepWork(256 * 128, 1000) + (3 + PREP_STEPS) * stepWork(512 * 256, 1000));
    expect(c.secondsLeft()).toBeCloseTo(want, 6);
    c.finish();
  });

  it('after the last step of a scale it says the next scale is being prepared (seconds with no report at 512 px)', () => {
    vi.useFakeTimers();
    const s = pageSchedule(512, 'squeezenet', 'auto', 100);
    const lines: string[] = [];
    const c = new RunClock(s, square, speed, 1000, (t) => lines.push(t), () => false);
    const scales = [{ width: 128, height: 85, steps: 10 }, { width: 256, height: 170, steps: 6 }, { width: 512, height: 341, steps: 3 }];
    const at = (step: number, index: number) => ({ ...progress(step, index, 0, 0.5, 19), scale: { index, count: 3, width: scales[index].width, height: scales[index].height }, scales }) as Progress;
    c.progress(at(9, 0));
    expect(lines.at(-1)).toMatch(/· step 9\/19, scale 1\/3 \(128×85\)$/);
    c.progress(at(10, 0));
    vi.advanceTimersByTime(1000);
    expect(lines.at(-1)).toMatch(/· step 10\/19, scale 1\/3 done; preparing scale 2\/3 \(256×170\)$/);
    c.progress(at(12, 1));
    expect(lines.at(-1)).toMatch(/· step 12\/19, scale 2\/3 \(256×170\)$/);
    c.progress(at(19, 2)); // the last scale's end: nothing to prepare
    expect(lines.at(-1)).toMatch(/step 19\/19, scale 3\/3 \(512×341\)$/);
    c.finish();
    // without the run's sizes: the schedule's, in the photo's shape
    const d = new RunClock(s, square, speed, 1000, (t) => lines.push(t), () => false);
    expect(s.sizes.slice(0, 2)).toEqual([128, 256]);
    d.progress({ ...progress(s.iterations[0], 0, 0, 0.5, 190), scale: { index: 0, count: 3, width: 128, height: 85 } } as Progress);
    expect(lines.at(-1)).toMatch(/preparing scale 2\/3 \(256×170\)$/);
    d.finish();
  });

  it('paused time counts in neither the elapsed time nor the countdown', () => {
    vi.useFakeTimers();
    let paused = false;
    const c = new RunClock(pageSchedule(128, 'squeezenet', 1, 10), square, speed, 1000, () => undefined, () => paused);
    vi.advanceTimersByTime(2000);
    paused = true;
    vi.advanceTimersByTime(5000);
    paused = false;
    vi.advanceTimersByTime(1000);
    expect(c.elapsed()).toBeCloseTo(3, 0);
    c.finish();
  });

  it('reads as a clock', () => {
    expect([clock(7), clock(83), clock(3723)]).toEqual(['0:07', '1:23', '1:02:03']);
  });
});
