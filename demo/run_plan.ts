/**
 * What a run at the page's settings does and how long it takes: its coarse-to-fine schedule (read
 * from src/job/schedule.ts, never copied) and the time estimate.
 *
 * The time model. A step at a scale of P output pixels costs about `factor × (P + FIXED_PIXELS)^GROWTH`
 * seconds: the work grows with the pixels, plus a part that does not (dispatches, the readback,
 * the Adam update's launch), a little faster than the pixels at large sizes (caches; SqueezeNet
 * 1.1 on SwiftShader, 2 busy cores: 0.58 s/step at 128×85, 1.8 at 256×170, 8.0 at 512×341 —
 * 4.3× from 256 to 512 px for 3.9× the pixels). A run costs its
 * setup (weights, shaders) plus, at each scale, its steps and PREP_STEPS steps' worth of preparing
 * (the targets and the first evaluation). One number per network, `factor`, says how fast this
 * machine is; it comes from priors on a CPU adapter before any run, from the steps timed during a
 * run (the pace of the last steps is the best predictor of the next), and after a run from the run
 * itself, so the estimate for the same settings is the time the run just took.
 */
import { resolveSchedule, type Schedule } from '../src/job/schedule.js';
import { networkDefaults } from '../src/nst/defaults.js';
import { networkSpec, type NetworkId } from '../src/model/networks.js';
import { formatDuration } from '../src/job/duration.js';

/**
 * The part of a step's cost that does not grow with the image, in pixels' worth: SqueezeNet's few
 * dispatches cost about 1000 pixels' worth; VGG19's many (16 convolutions each way, at 5 sizes)
 * about 2000 (measured on SwiftShader, 2 busy cores: 1.35 s/step at 64×43, 4.0 at 128×85).
 */
export const FIXED_PIXELS: Record<NetworkId, number> = { squeezenet: 1000, vgg19: 2000 };
/** How a step's cost grows with its pixels (plus the fixed part). */
export const GROWTH = 1.05;
/** A step's work at `pixels` (times a speed's factor: seconds). */
export const stepWork = (pixels: number, fixedPixels: number) => (pixels + fixedPixels) ** GROWTH;
/** Preparing a scale (its targets and first evaluation) costs about this many steps. */
export const PREP_STEPS = 1.7;
/** Above this many seconds the page asks before it starts a run. */
export const CONFIRM_SECONDS = 3600;

/** How fast a network runs here: seconds per unit of stepWork, and the fixed cost of getting a run going. */
export interface Speed {
  factor: number;
  /** FIXED_PIXELS of the network. */
  fixedPixels: number;
  setupSeconds: number;
  /** false: a prior (no run timed yet on this adapter). */
  measured: boolean;
}

/**
 * Priors for a CPU (software) adapter before any run (SwiftShader in headless Chromium, 2 cores,
 * measured on the page on a quiet machine: SqueezeNet 1.1 0.26 s/step at 128×85; seeded random
 * VGG19 0.8 s/step at 64×43); measured errors in docs/page.md.
 */
export const SOFTWARE_PRIOR: Record<NetworkId, Speed> = {
  squeezenet: { factor: 0.26 / stepWork(128 * 85, FIXED_PIXELS.squeezenet), fixedPixels: FIXED_PIXELS.squeezenet, setupSeconds: 4, measured: false },
  vgg19: { factor: 0.8 / stepWork(64 * 43, FIXED_PIXELS.vgg19), fixedPixels: FIXED_PIXELS.vgg19, setupSeconds: 5, measured: false },
};

/** The page's scales choice: 'auto' (the coarse-to-fine rule) or a fixed number (1 = one scale). */
export type ScalesChoice = number | 'auto';

/** The schedule a run at these settings follows (`iters`: the coarsest scale's steps with 'auto', every scale's with a number). */
export function pageSchedule(size: number, network: NetworkId, scales: ScalesChoice, iters: number): Schedule {
  return resolveSchedule(size, network, scales, [iters], networkDefaults(network).iterations);
}

/** The schedule in words for the page: "one scale, 128 px × 100 steps" or "coarse to fine: 128 px × 100 steps → 256 px × 60 → 512 px × 30". */
export function describePageSchedule(s: Schedule): string {
  const steps = (n: number) => `${n} step${n === 1 ? '' : 's'}`;
  if (s.sizes.length === 1) return `One scale: ${s.sizes[0]} px × ${steps(s.iterations[0])}.`;
  const parts = s.sizes.map((size, i) => `${size} px × ${i === 0 ? steps(s.iterations[i]) : s.iterations[i]}`);
  return `Coarse to fine${s.auto ? ' (automatic)' : ''}: ${parts.join(' → ')}; each scale's result shows as it finishes.`;
}

/** Seconds a step costs at `pixels` with `speed`. */
export const stepSeconds = (speed: Pick<Speed, 'factor' | 'fixedPixels'>, pixels: number) => speed.factor * stepWork(pixels, speed.fixedPixels);

/** The work of the scales from `from` on, in stepWork units (times a factor: seconds); `pixelsAt` maps a size to output pixels. */
export function scheduleWork(s: Schedule, pixelsAt: (size: number) => number, fixedPixels: number, from = 0): number {
  let w = 0;
  for (let k = from; k < s.sizes.length; k++) w += (s.iterations[k] + PREP_STEPS) * stepWork(pixelsAt(s.sizes[k]), fixedPixels);
  return w;
}

/** Seconds from Start to the end of a run following `s` at `speed`. */
export const runSeconds = (s: Schedule, pixelsAt: (size: number) => number, speed: Speed) => speed.setupSeconds + speed.factor * scheduleWork(s, pixelsAt, speed.fixedPixels);

/**
 * After a run: the speed that makes the estimate for this same run its real time. The step pace
 * over the whole run gives the factor; the setup is what remains of the real time (at least 0).
 */
export function speedFromRun(s: Schedule, pixelsAt: (size: number) => number, fixedPixels: number, totalSeconds: number, stepsSeconds: number, stepsWork: number): Speed {
  const work = scheduleWork(s, pixelsAt, fixedPixels);
  const factor = stepsWork > 0 && stepsSeconds > 0 ? stepsSeconds / stepsWork : totalSeconds / Math.max(1, work);
  return { factor, fixedPixels, setupSeconds: Math.max(0, totalSeconds - factor * work), measured: true };
}

/** Each network's speed here: a prior on a CPU adapter, then measured by each run (null: unknown, a GPU before its first run). */
export const speeds: Record<NetworkId, Speed | null> = { vgg19: null, squeezenet: null };

/** On a CPU (software) adapter: the priors until a run measures this machine. */
export function useSoftwarePriors(): void {
  for (const n of ['vgg19', 'squeezenet'] as const) speeds[n] ??= { ...SOFTWARE_PRIOR[n] };
}

/**
 * The priors scaled by how slow this machine is now (`slowdown`: the speed probe's time over its
 * reference, speed_probe.ts); a speed measured by a run stays as it is.
 */
export function scalePriors(slowdown: number): void {
  const r = Math.min(20, Math.max(0.25, slowdown));
  for (const n of ['vgg19', 'squeezenet'] as const) {
    if (speeds[n]?.measured) continue;
    speeds[n] = { ...SOFTWARE_PRIOR[n], factor: SOFTWARE_PRIOR[n].factor * r, setupSeconds: SOFTWARE_PRIOR[n].setupSeconds * r };
  }
}

/**
 * The line under Start: the schedule, and how long a run at these settings takes (when known).
 * `what`: "At these settings a SqueezeNet 1.1 run takes" or "Render with … at these settings takes".
 */
export function estimateLine(s: Schedule, network: NetworkId, pixelsAt: (size: number) => number, what: string): { text: string; seconds: number } {
  const speed = speeds[network];
  const plan = describePageSchedule(s);
  // a GPU before its first run: no prior to scale (GPUs differ a thousandfold); say when a time comes
  if (!speed) return { text: `${plan} How long it takes shows once a first run has timed this GPU.`, seconds: NaN };
  const seconds = runSeconds(s, pixelsAt, speed);
  const how = speed.measured ? `about ${formatDuration(seconds)} (from the last ${networkSpec(network).label} run here)` : `roughly ${formatDuration(seconds)} (guessed for a CPU adapter: the steps are timed once it starts)`;
  return { text: `${plan} ${what} ${how}.`, seconds };
}
