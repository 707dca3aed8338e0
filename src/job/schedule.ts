/**
 * Coarse-to-fine schedules: which sizes a stylize job optimises at, and how many steps at each.
 *
 * Why: the network sees a fixed window of the image (SqueezeNet to fire5: a few dozen pixels;
 * VGG19 to conv5_1: about 200), while a painting's strokes and shapes grow with the picture. At
 * 512 px and up a single-scale run matches only the painting's fine texture and gives the photo
 * with a tint. So the default starts where the network's window holds the painting's structures
 * (STRUCTURE_SIDE), paints there with the network's usual steps, upsamples the result and refines
 * it at twice the size, and so on up to the size asked for; finer scales get fewer steps
 * (FINE_STEP_SHARE: they only sharpen what the coarse scales painted, and a step there costs 4×
 * the one before). Each scale's style images are resized with its content (prepare.ts).
 *
 * Who wins: `--scales K` fixes the number of scales (1 = single scale, as before); `--iters` with
 * one number per scale fixes the steps; one `--iters N` with the automatic schedule scales its
 * steps so the coarsest gets N. Measured in docs/coarse-to-fine.md.
 */
import { networkSpec, type NetworkId } from '../model/networks.js';

/**
 * The longer side (px) at which a network's default layers see a painting's structures: the
 * coarsest scale of the automatic schedule, and the largest size it runs at one scale. SqueezeNet's
 * single-scale runs paint at 128 px (docs/squeezenet-defaults.md); VGG19's deeper window (conv5_1:
 * ~200 px) at 256.
 */
export const STRUCTURE_SIDE: Record<NetworkId, number> = { squeezenet: 128, vgg19: 256 };

/** Steps at each finer scale as a share of the coarsest scale's, finest last (index 1 = the second scale). */
export const FINE_STEP_SHARE = [1, 0.6, 0.3, 0.2, 0.15, 0.1, 0.1, 0.1];

/**
 * At each finer scale the content targets come from a mix of the photo and the upsampled result of
 * the scale before: anchor 0 is the photo alone, 1 the result alone. With the photo alone the
 * finer scales pull the picture back towards it, and paintings of large shapes (The Scream,
 * Matisse) fade to the photo with a tint; the mix keeps the shapes painted at the coarse scale
 * while the photo's detail still sharpens them (docs/coarse-to-fine.md). COARSE_ANCHOR is the
 * least anchor a default run uses.
 */
export const COARSE_ANCHOR = 0.5;

/**
 * The photo's share, summed over the finer scales after the first, in a default run: each finer
 * scale mixes the photo in again, so with more of them the anchor rises to keep that sum. Measured
 * at 1024 px (three finer scales, docs/coarse-to-fine.md): anchor 0.5 let chelsea's eyes and the
 * Golden Gate's cables come back as photo (viewing ratio 0.565, 0.629), 0.63 helped half-way
 * (0.418), 0.75 — this rule — kept both paintings (0.288, 0.413; 512 px: 0.317, 0.438).
 */
export const PHOTO_SHARE_AFTER_FIRST = 0.5;

/** The default anchor with `finerScales` scales after the coarsest: 0.5 up to two, then 1 − 0.5/(n − 1). */
export function defaultCoarseAnchor(finerScales: number): number {
  return finerScales <= 2 ? COARSE_ANCHOR : 1 - PHOTO_SHARE_AFTER_FIRST / (finerScales - 1);
}

/** The most scales a job may have (each halves the size: 8 scales span 128×). */
export const MAX_SCALES = 8;

export interface Schedule {
  /** Longer side of each scale, coarsest first. */
  sizes: number[];
  /** Steps at each scale, coarsest first. */
  iterations: number[];
  /** Chosen by the automatic rule (false: the user's --scales, or a single scale at or below the structure size). */
  auto: boolean;
}

/** Longer sides of `count` scales ending at `size`, each twice the one before, coarsest first. */
export function halvingSizes(size: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round(size / 2 ** (count - 1 - i)));
}

/**
 * How many scales the automatic schedule uses at `size`: one up to about 1.4× the network's
 * structure side, then one more each time the size doubles, so the coarsest scale lands within
 * [0.7, 1.4]× the structure side.
 */
export function autoScaleCount(size: number, network: NetworkId): number {
  const ratio = size / STRUCTURE_SIDE[network];
  return Math.min(MAX_SCALES, Math.max(1, 1 + Math.round(Math.log2(Math.max(ratio, 1)))));
}

/** The automatic steps per scale: `coarsest` at the coarsest, FINE_STEP_SHARE of it after (at least 1 each). */
export function autoIterations(count: number, coarsest: number): number[] {
  return Array.from({ length: count }, (_, i) => (coarsest === 0 ? 0 : Math.max(1, Math.round(coarsest * FINE_STEP_SHARE[i]))));
}

/**
 * The job's schedule. `scales`: a number, or 'auto' (the rule above). `iterations`: the user's
 * --iters (one number, or one per scale), or undefined for the network's default steps
 * (`defaultIters`). Throws a one-line error for inconsistent settings.
 */
export function resolveSchedule(size: number, network: NetworkId, scales: number | 'auto', iterations: number[] | undefined, defaultIters: number): Schedule {
  if (scales !== 'auto' && (!Number.isInteger(scales) || scales < 1 || scales > MAX_SCALES)) {
    throw new Error(`invalid number of scales ${scales} (must be an integer in [1, ${MAX_SCALES}], or auto)`);
  }
  if (iterations && (iterations.length === 0 || iterations.some((n) => !Number.isInteger(n) || n < 0 || n > 100000))) {
    throw new Error(`steps per scale must be integers in [0, 100000], got ${iterations.join(',')}`);
  }
  if (scales === 'auto') {
    // a list of steps says how many scales there are
    if (iterations && iterations.length > 1) return { sizes: halvingSizes(size, iterations.length), iterations, auto: false };
    const count = autoScaleCount(size, network);
    return { sizes: halvingSizes(size, count), iterations: autoIterations(count, iterations?.[0] ?? defaultIters), auto: count > 1 };
  }
  if (iterations && iterations.length > 1 && iterations.length !== scales) {
    throw new Error(`${iterations.length} step counts for ${scales} scale${scales === 1 ? '' : 's'}: give one number, or one per scale (coarsest first)`);
  }
  const its = iterations && iterations.length > 1 ? iterations : Array(scales).fill(iterations?.[0] ?? defaultIters);
  return { sizes: halvingSizes(size, scales), iterations: its, auto: false };
}

/** The schedule in one line, e.g. "coarse to fine: 128 px × 100 steps → 256 px × 60 → 512 px × 30". */
export function describeSchedule(s: Schedule, network: NetworkId): string {
  const steps = (n: number) => `${n} step${n === 1 ? '' : 's'}`;
  if (s.sizes.length === 1) return `one scale: ${s.sizes[0]} px × ${steps(s.iterations[0])}`;
  const parts = s.sizes.map((size, i) => `${size} px × ${i === 0 ? steps(s.iterations[i]) : s.iterations[i]}`);
  const why = s.auto ? ` (chosen for ${networkSpec(network).label} at ${s.sizes[s.sizes.length - 1]} px: it paints the painting's shapes at ${s.sizes[0]} px, then refines; --scales 1 for one scale)` : '';
  return `coarse to fine: ${parts.join(' → ')}${why}`;
}
