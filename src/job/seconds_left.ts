/** A stylize job's time left from its progress, in a module without engine code (the CLI imports it before the engine loads). */

interface Pace {
  /** Steps done over all scales. */
  step: number;
  /** Seconds per step at the current scale. */
  secondsPerStep: number;
  scale: { index: number };
  /** Every scale's size and steps, coarsest first. */
  scales: { width: number; height: number; steps: number }[];
}

/**
 * Seconds left for the job from the pace of the current scale: its steps left at that pace, each
 * later scale's steps at that pace times its pixels over the current scale's.
 */
export function secondsLeft(p: Pace): number {
  const done = p.scales.slice(0, p.scale.index).reduce((n, s) => n + s.steps, 0);
  const here = p.scales[p.scale.index];
  const pixels = here.width * here.height;
  let left = Math.max(0, done + here.steps - p.step);
  for (const s of p.scales.slice(p.scale.index + 1)) left += (s.steps * s.width * s.height) / pixels;
  return left * p.secondsPerStep;
}
