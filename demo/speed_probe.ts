/**
 * How fast this machine's CPU adapter is right now, before any run: a software adapter's speed
 * changes with what else the cores do (a run took 29 s with the machine at load 3 and 50 s at
 * load 7), so priors alone cannot be honest. The probe times one small convolution (32 → 32
 * channels at 64×64, 3×3: the engine's main kernel) a few times and takes the median; the priors
 * (run_plan.ts) are scaled by the probe's time over PROBE_REFERENCE_SECONDS, the probe's time on
 * the machine the priors were measured on. About a tenth of a second, once, on a CPU adapter only.
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
