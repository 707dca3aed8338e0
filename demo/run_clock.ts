/**
 * A running render's clock: the line under the status that says, every second, how long the run
 * has gone and how long it has left, and at which scale, so that a slow run (a step every few
 * seconds at 512 px on a CPU adapter, a report every few steps) never looks stuck. The time left
 * comes from the pace of the steps already run (run_plan.ts's model: each later scale costs in
 * proportion to its pixels), counting down between reports; before the first step, from the
 * estimate. Paused time counts in nothing. The line is not a live region (a screen reader would
 * hear it every second); the status, which is, changes at each report.
 */
import { formatDuration } from '../src/job/duration.js';
import type { Progress } from '../src/job/run.js';
import type { Schedule } from '../src/job/schedule.js';
import { PREP_STEPS, scheduleWork, speedFromRun, stepWork, type Speed } from './run_plan.js';

/** 0:07, 1:23, 1:02:03. */
export function clock(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const [h, m, s] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

export class RunClock {
  private readonly t0 = performance.now();
  private pausedMs = 0;
  private pausedSince: number | null = null;
  /** Seconds left as of `at` (performance.now()), and what the line says of the scale. */
  private left: number;
  private at = this.t0;
  private where = 'preparing';
  private factor: number;
  /** The step pace over the run: seconds spent in steps, and their work (stepWork each). */
  private stepsSeconds = 0;
  private stepsWork = 0;
  private lastStep = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly schedule: Schedule,
    private readonly pixelsAt: (size: number) => number,
    speed: Speed | null,
    private readonly fixedPixels: number,
    private readonly show: (text: string) => void,
    private readonly isPaused: () => boolean,
  ) {
    this.factor = speed?.factor ?? 0;
    this.left = speed ? speed.setupSeconds + speed.factor * scheduleWork(schedule, pixelsAt, fixedPixels) : NaN;
    this.timer = setInterval(() => this.tick(), 1000);
    this.tick();
  }

  /** Seconds since Start, not counting pauses. */
  elapsed(now = performance.now()): number {
    const paused = this.pausedMs + (this.pausedSince === null ? 0 : now - this.pausedSince);
    return (now - this.t0 - paused) / 1000;
  }

  /** Seconds left now (NaN: not known yet). */
  secondsLeft(now = performance.now()): number {
    return Math.max(0, this.left - this.elapsedBetween(this.at, now));
  }

  private elapsedBetween(a: number, b: number): number {
    return this.elapsed(b) - this.elapsed(a);
  }

  /** A progress report from the run: the pace of its last steps sets the time left. */
  progress(p: Progress): void {
    const now = performance.now();
    const px = stepWork(p.scale.width * p.scale.height, this.fixedPixels);
    const steps = p.step - this.lastStep;
    this.lastStep = p.step;
    const scale = p.scale.count > 1 ? `scale ${p.scale.index + 1}/${p.scale.count} (${p.scale.width}×${p.scale.height})` : `${p.scale.width}×${p.scale.height}`;
    this.where = `step ${p.step}/${p.iterations}, ${scale}`;
    // the last step of a scale that is not the last: until the next report the run prepares the next
    // scale (its targets and first evaluation, a couple of steps' time: ~15 s at 512 px on a CPU adapter)
    const next = this.nextScale(p);
    if (next) this.where = `step ${p.step}/${p.iterations}, scale ${p.scale.index + 1}/${p.scale.count} done; preparing scale ${p.scale.index + 2}/${p.scale.count} (${next.width}×${next.height})`;
    if (p.step === 0 || steps <= 0 || !(p.secondsPerStep > 0)) return this.tick();
    this.stepsSeconds += p.secondsPerStep * steps;
    this.stepsWork += px * steps;
    this.factor = p.secondsPerStep / px;
    const s = this.schedule;
    // every scale's real size and steps, where the run reports them (the job may drop a scale too small for the layers)
    const real = (p as Progress & { scales?: { width: number; height: number; steps: number }[] }).scales;
    let left: number;
    if (real?.length === p.scale.count) {
      const before = real.slice(0, p.scale.index).reduce((a, r) => a + r.steps, 0);
      left = Math.max(0, real[p.scale.index].steps - (p.step - before)) * p.secondsPerStep;
      for (const r of real.slice(p.scale.index + 1)) left += this.factor * (r.steps + PREP_STEPS) * stepWork(r.width * r.height, this.fixedPixels);
    } else if (p.scale.count === s.sizes.length) {
      // the rest of this scale at its pace, then each later scale (its preparing and steps) by its pixels
      const before = s.iterations.slice(0, p.scale.index).reduce((a, b) => a + b, 0);
      const inScale = Math.max(0, s.iterations[p.scale.index] - (p.step - before));
      left = inScale * p.secondsPerStep + this.factor * scheduleWork(s, this.pixelsAt, this.fixedPixels, p.scale.index + 1);
    } else left = (p.iterations - p.step) * p.secondsPerStep;
    this.left = left;
    this.at = now;
    this.tick();
  }

  /** The next scale's size when `p` reports the last step of a scale that is not the last (the run's own sizes, else the schedule's). */
  private nextScale(p: Progress): { width: number; height: number } | null {
    const i = p.scale.index;
    if (i + 1 >= p.scale.count) return null;
    const real = (p as Progress & { scales?: { width: number; height: number; steps: number }[] }).scales;
    if (real?.length === p.scale.count) {
      const end = real.slice(0, i + 1).reduce((a, r) => a + r.steps, 0);
      return p.step === end ? real[i + 1] : null;
    }
    const s = this.schedule;
    if (s.sizes.length !== p.scale.count || p.step !== s.iterations.slice(0, i + 1).reduce((a, b) => a + b, 0)) return null;
    const z = s.sizes[i + 1];
    const ratio = p.scale.height / Math.max(1, p.scale.width);
    return ratio <= 1 ? { width: z, height: Math.max(1, Math.round(z * ratio)) } : { width: Math.max(1, Math.round(z / ratio)), height: z };
  }

  private tick(): void {
    const now = performance.now();
    if (this.isPaused()) this.pausedSince ??= now;
    else if (this.pausedSince !== null) {
      this.pausedMs += now - this.pausedSince;
      this.pausedSince = null;
    }
    const left = this.secondsLeft(now);
    const leftText = Number.isNaN(left) ? '' : left < 0.5 ? ' · finishing' : ` · about ${formatDuration(left)} left`;
    this.show(`${clock(this.elapsed(now))} elapsed${leftText} · ${this.where}${this.pausedSince !== null ? ' · paused' : ''}`);
  }

  /** The run ended: stop the timer; the speed that makes the estimate for the same settings this run's time. */
  finish(): Speed | null {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.stepsWork === 0) return null;
    return speedFromRun(this.schedule, this.pixelsAt, this.fixedPixels, this.elapsed(), this.stepsSeconds, this.stepsWork);
  }
}
