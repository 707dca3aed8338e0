/**
 * How fast this machine's CPU adapter is right now, before any run: a software adapter's speed
 * changes with what else the cores do (a run took 29 s with the machine at load 3 and 50 s at
 * load 7), so priors alone cannot be honest. The probe times one small convolution (32 → 32
 * channels at 64×64, 3×3: the engine's main kernel) a few times and takes the median; the priors
 * (run_plan.ts) are scaled by the probe's time over PROBE_REFERENCE_SECONDS, the probe's time on
 * the machine the priors were measured on. About a fifth of a second, on a CPU adapter only, a few
 * times in the first half minute (`watchProbes`): one probe caught a moment when something else
 * held the cores (it said 68 s for a run that took 48 s; a dozen probes of the same page said
 * 40–50 s), the median of a few is not moved by one such moment.
 */
import { CASES } from '../src/kernels/cases.js';
import type { KernelLibrary } from '../src/kernels/library.js';

/** The probe's median time where the priors hold (SwiftShader, 2 cores: fitted to runs at load 7–9, where it took 0.039–0.049 s and the runs 1.5–2× the quiet priors). */
export const PROBE_REFERENCE_SECONDS = 0.025;

const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);

/** The probe's median time (seconds) over `runs` runs (the first compiles the pipeline: the median leaves it out). */
export async function probeSeconds(lib: KernelLibrary, runs = 5): Promise<number> {
  const [C, H, W, O, K] = [32, 64, 64, 32, 3];
  const x = { input: rand(C * H * W), weight: rand(O * C * K * K), bias: rand(O) };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await CASES.conv2d_forward(lib, x, { C, H, W, O, K, relu: 1, variant: 'v4_rows_vec4' });
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

/** When the probes run, in ms after the page knows its adapter: the median of those run so far scales the priors. */
export const PROBE_TIMES_MS = [0, 4000, 12000, 30000];

/** The median of `xs` (not empty). */
export function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * Probe (`probe`: probeSeconds on the page's library) at PROBE_TIMES_MS, skipping a time when `busy()` (a run or preview has the GPU: it would
 * slow both and time the run, not the machine) or the page is hidden; after each probe,
 * `onMedian` gets the median of the probes so far.
 */
export function watchProbes(probe: () => Promise<number>, busy: () => boolean, onMedian: (seconds: number, probes: number[]) => void, times = PROBE_TIMES_MS): void {
  const probes: number[] = [];
  let chain = Promise.resolve();
  for (const t of times)
    setTimeout(() => {
      chain = chain.then(async () => {
        if (busy() || globalThis.document?.hidden) return;
        try {
          probes.push(await probe());
        } catch {
          return; // no probe: the priors as they are
        }
        onMedian(median(probes), probes);
      });
    }, t);
}
