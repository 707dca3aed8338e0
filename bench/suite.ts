/**
 * The benchmark, independent of where it runs (headless Chromium or Node + Dawn): kernel
 * throughput at VGG19's real layer shapes next to a matmul ceiling, whole Gatys steps with the
 * time per layer group, peak GPU memory. Timing = wall clock around `repeats` replays of the same
 * prepared dispatches in one submit, awaiting queue.onSubmittedWorkDone (after a warm-up); whole
 * steps on CPU adapters are the best of `stepRepeats` single steps.
 */
import { Autotuner, type AutotuneMode } from '../src/kernels/autotune.js';
import { opBench } from '../src/kernels/op_bench.js';
import { submittedWorkTimer, type OpTimer } from '../src/kernels/op_timers.js';
import type { TuningStore } from '../src/kernels/tuning_table.js';
import { conv2dForward } from '../src/kernels/conv/conv2d.js';
import { packConvWeights, releasePackedWeights } from '../src/kernels/conv/weights.js';
import { winogradTileOf } from '../src/kernels/conv/geometry.js';
import { fill } from '../src/kernels/elementwise/elementwise.js';
import type { Dispatch } from '../src/kernels/kernel.js';
import type { KernelLibrary } from '../src/kernels/library.js';
import { runOnce } from '../src/kernels/run_once.js';
import { matmul } from '../src/kernels/matmul/matmul.js';
import { eligibleVersions, versionInfo, type Choice, type ConvVersion, type OpKind, type OpShapes } from '../src/kernels/registry.js';
import { makePlan } from '../src/kernels/plan.js';
import { maxPoolWindowBackward, maxPoolWindowForward, poolBackward, poolForward, windowPooledShape } from '../src/kernels/pool/pool.js';
import { stridedConvShape, stridedShape } from '../src/kernels/strided_conv/strided_conv.js';
import { flopsUpTo, gramStepFlops, networkSpec, SQUEEZENET, SQUEEZENET_CONV1, SQUEEZENET_POOL, type NetworkId } from '../src/model/networks.js';
import { jobDeepestLayer } from '../src/nst/options.js';
import { networkDefaults } from '../src/nst/defaults.js';
import { StyleTransfer } from '../src/nst/style_transfer.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { VGG19_CONVS } from '../src/model/vgg19_spec.js';
import { randomNetwork, randomVgg19, type NetworkWeights } from '../src/model/weights.js';

import type { BenchResult, KernelRow, StepRow } from './table.js';
export type { BenchResult, KernelRow, StepRow } from './table.js';


const timeDispatches = submittedWorkTimer;

/** Forward conv FLOPs of a network's default layers at an S×S input (a multiply-add counts 2): VGG19 to conv5_1, SqueezeNet to fire5. */
export function forwardFlops(size: number, network: NetworkId = 'vgg19'): number {
  return flopsUpTo(networkSpec(network), jobDeepestLayer({ network }), size, size);
}

/** The Gram forward and backward FLOPs of a step with the network's default style layers. */
export function gramFlops(size: number, network: NetworkId = 'vgg19'): number {
  return gramStepFlops(networkSpec(network), networkDefaults(network).styleLayers.map((l) => l.name), size, size);
}

/** An n×n image of seeded uniform noise (opaque). */
export function picture(n: number, seed: number): RgbaImage {
  const data = new Uint8Array(n * n * 4);
  let a = seed;
  for (let i = 0; i < data.length; i++) {
    a = (a * 1103515245 + 12345) >>> 0;
    data[i] = i % 4 === 3 ? 255 : (a >>> 16) & 255;
  }
  return { width: n, height: n, data };
}

function groupOf(opName: string): string {
  const m = /conv(\d)_/.exec(opName);
  if (m) return `block${m[1]}`;
  // SqueezeNet: conv1 and the first pool, then two Fire modules per block (the pool before them included)
  const f = /^(?:pool_before_)?fire(\d)/.exec(opName);
  if (opName === 'conv1') return 'block1';
  if (f) return `block${Math.floor(Number(f[1]) / 2) + 1}`;
  if (opName === 'adam') return 'update';
  return 'losses';
}

/** One kernel's share of a whole step: leaveOneKernelOut's rows. */
export interface KernelShare {
  kernel: string;
  dispatches: number;
  ms: number;
}

/**
 * Where a whole step's time goes, for adapters whose per-op timings do not add up to the step
 * (CPU adapters share their cores with everything else, and one op timed alone pays the submit
 * and thread wake-up the step pays once): for each WGSL kernel, the step's time minus the time of
 * the same recorded step without that kernel's dispatches. Best of `rounds` each, all the
 * variants alternating within every round so that drift hits each alike; most expensive first.
 * The step without a kernel computes nonsense, but its timing is what counts here.
 */
export async function leaveOneKernelOut(lib: KernelLibrary, step: readonly Dispatch[], rounds: number, time: OpTimer = timeDispatches): Promise<KernelShare[]> {
  const names = [...new Set(step.map((d) => d.kernel.name))];
  const variants = [step, ...names.map((n) => step.filter((d) => d.kernel.name !== n))];
  const best = variants.map(() => Infinity);
  for (let r = 0; r < rounds; r++) for (let i = 0; i < variants.length; i++) best[i] = Math.min(best[i], await time(lib, variants[i], 1));
  return names
    .map((kernel, i) => ({ kernel, dispatches: step.length - variants[i + 1].length, ms: best[0] - best[i + 1] }))
    .sort((a, b) => b.ms - a.ms);
}

export interface BenchOptions {
  sizes: number[];
  /** Image size whose layer shapes the per-kernel rows use. */
  kernelSize: number;
  matmulSize: number;
  repeats: number;
  stepRepeats: number;
  /** Also log each op's milliseconds (forward + backward) for the whole steps. */
  perOp?: boolean;
  /** Also log each kernel's share of the whole steps, left out one at a time (leaveOneKernelOut). */
  byKernel?: boolean;
  /** Conv version forced in the whole steps ("auto": what the planner picks on this adapter). */
  conv?: ConvVersion | 'auto';
  /** Autotuning for the whole steps (default "off": the fixed table, comparable with older tables). */
  autotune?: AutotuneMode;
  /** Where tuned tables are kept (the CLI cache directory, through the page). */
  tuningStore?: TuningStore | null;
  /** Whole steps in tiles of this many pixels (exact tiled evaluation, src/nst/tiled.ts). */
  tile?: number;
  /** Only the matmul ceiling and the whole steps (no per-kernel rows). */
  stepsOnly?: boolean;
  /** squeezenet: also SqueezeNet 1.1's kernels and whole steps, each size next to VGG19's. */
  network?: NetworkId;
  /** SqueezeNet's weights for the whole steps: the embedded pretrained ones where the runner has them (else seeded random). */
  squeezenetWeights?: NetworkWeights;
  log?: (s: string) => void;
}

/** Sanity check on this adapter: split-K and whole convolutions agree (relative max difference). */
export async function splitConsistency(lib: KernelLibrary): Promise<number> {
  const [O, S] = [64, 12];
  const w = randomVgg19(5, 'conv1_2').layers.get('conv1_2')!;
  const weight = lib.upload([O, 64, 3, 3], w.weight), bias = lib.upload([O], Float32Array.from({ length: O }, (_, i) => i / O));
  const cw = packConvWeights(lib, weight, bias, false);
  const x = lib.upload([64, S, S], Float32Array.from({ length: 64 * S * S }, (_, i) => Math.sin(i)));
  const a = lib.tensor([O, S, S]), b = lib.tensor([O, S, S]);
  // the version the planner picks for this shape if it splits, else version 1 (Winograd never splits)
  const shape = { R: 64, N: O, K: 3, H: S, W: S };
  const picked = lib.planner.plan('conv_forward', shape).version;
  const version = versionInfo('conv_forward', picked).splits ? picked : 'v1_direct';
  const whole = makePlan('conv_forward', shape, { version, splits: 1 }), split = makePlan('conv_forward', shape, { version, splits: 4 });
  const scratch = lib.tensor([split.scratch.slices!]);
  runOnce(lib, [...conv2dForward(lib, x, cw, a, true, whole), ...conv2dForward(lib, x, cw, b, true, split, { slices: scratch })]);
  const [ra, rb] = [await lib.read(a), await lib.read(b)];
  lib.release(weight, bias, x, a, b, scratch);
  releasePackedWeights(lib, cw);
  let m = 1e-12, d = 0;
  for (let i = 0; i < ra.length; i++) {
    m = Math.max(m, Math.abs(ra[i]));
    d = Math.max(d, Math.abs(ra[i] - rb[i]));
  }
  return d / m;
}

export async function runBenchmark(lib: KernelLibrary, adapter: string, runner: string, o: BenchOptions): Promise<BenchResult> {
  const log = o.log ?? (() => {});
  log(`split-K vs whole conv: max relative difference ${(await splitConsistency(lib)).toExponential(2)}`);
  // matmul ceiling
  const n = o.matmulSize;
  const at = lib.tensor([n, n]), b = lib.tensor([n, n]), c = lib.tensor([n, n]);
  runOnce(lib, [fill(lib, at, 0.01), fill(lib, b, 0.02)]);
  const mm = matmul(lib, at, b, c);
  const mmMs = await timeDispatches(lib, [mm], o.repeats);
  mm.destroy();
  lib.release(at, b, c);
  const matmulRow = { kernel: 'matmul (ceiling)', shape: `${n}³`, ms: mmMs, gflops: (2 * n ** 3) / mmMs / 1e6 };
  log(`matmul ${n}³: ${matmulRow.gflops.toFixed(2)} GFLOP/s`);

  // kernels at the real layer shapes: every registered version that fits, next to the planner's choice
  const kernels: KernelRow[] = [];
  const weights = randomVgg19(1, 'conv5_1');
  const timeVersions = async <K extends OpKind>(kind: K, shape: OpShapes[K], label: string, layer: string, shapeText: string, flops: number | null) => {
    const picked = lib.planner.plan(kind, shape);
    for (const v of eligibleVersions(kind, shape, false, lib.ctx.info)) {
      // splittable versions run with the planner's split count for this shape (1 on software adapters)
      const choice = { version: v.id, splits: v.splits ? picked.splits : 1 } as Choice<K>;
      const plan = makePlan(kind, shape, choice);
      const bench = opBench(lib, kind, shape, choice);
      const tag = `v${v.number} ${v.id}${plan.splits > 1 ? ` split ${plan.splits}` : ''}${v.id === picked.version ? '' : ' (not used here)'}`;
      try {
        const ms = await timeDispatches(lib, bench.dispatches, o.repeats);
        kernels.push({ kernel: `${label} ${tag} ${layer}`, shape: shapeText, ms, gflops: flops === null ? null : flops / ms / 1e6 });
        log(`${label} ${tag} ${layer} ${shapeText}: ${flops === null ? `${ms.toFixed(2)} ms` : `${(flops / ms / 1e6).toFixed(2)} GFLOP/s`}`);
        if (o.perOp && winogradTileOf(v.id)) {
          const parts = ['input transform', 'products', 'output transform'];
          // three dispatches per chunk of tiles (large maps have several chunks)
          for (const [i, one] of bench.dispatches.entries()) log(`  chunk ${Math.floor(i / 3) + 1} ${parts[i % 3]}: ${(await timeDispatches(lib, [one], o.repeats)).toFixed(2)} ms`);
        }
      } finally {
        bench.release();
      }
    }
  };
  let s = o.kernelSize;
  for (const spec of o.stepsOnly ? [] : VGG19_CONVS) {
    if (['conv1_2', 'conv2_2', 'conv3_2', 'conv4_2', 'conv5_1'].includes(spec.name)) {
      const [C, O] = [spec.inChannels, spec.outChannels];
      const flops = 2 * 9 * C * O * s * s;
      const shape = `${C}→${O} @ ${s}²`;
      await timeVersions('conv_forward', { R: C, N: O, K: 3, H: s, W: s }, 'conv forward+bias+ReLU', spec.name, shape, flops);
      await timeVersions('conv_backward_input', { R: O, N: C, K: 3, H: s, W: s }, 'conv backward-input', spec.name, shape, flops);
      if (['conv1_2', 'conv3_2', 'conv5_1'].includes(spec.name)) {
        const gram = { C: O, M: s * s };
        // the forward counts the useful (symmetric half) multiply-adds
        await timeVersions('gram_forward', gram, 'gram forward', spec.name, `${O}×${s * s}`, O * O * s * s);
        await timeVersions('gram_backward', gram, 'gram backward', spec.name, `${O}×${s * s}`, 2 * O * O * s * s);
      }
      const x = lib.tensor([C, s, s]), y = lib.tensor([O, s, s]);
      if (spec.poolAfter || spec.name === 'conv1_2') {
        const po = lib.tensor([spec.outChannels, s >> 1, s >> 1]);
        let extra: ReturnType<typeof lib.tensor> | null = null;
        const y2 = () => (extra = lib.tensor(y.shape));
        for (const [kname, d] of [
          ['maxpool forward', poolForward(lib, 'max', y, po)],
          ['maxpool backward', poolBackward(lib, 'max', y, po, x.shape[0] === y.shape[0] ? x : y2())],
        ] as const) {
          const ms = await timeDispatches(lib, [d], o.repeats);
          kernels.push({ kernel: `${kname} ${spec.name}`, shape: `${spec.outChannels}×${s}²`, ms, gflops: null });
          d.destroy();
        }
        lib.release(po);
        if (extra) lib.release(extra);
      }
      lib.release(x, y);
    }
    if (spec.poolAfter) s = Math.floor(s / 2);
    if (spec.name === 'conv5_1') break;
  }

  if (o.network === 'squeezenet' && !o.stepsOnly) await squeezenetKernels(lib, o, kernels, timeVersions);

  // whole steps
  const steps: StepRow[] = [];
  // the whole steps plan from the fixed table, or with every conv forced to the asked version
  let planner = lib.planner;
  if (o.conv && o.conv !== 'auto') {
    planner = planner.with({ force: { conv_forward: o.conv, conv_backward_input: o.conv } });
    runner += `, all convs ${o.conv}`;
  }
  const tuner = new Autotuner(lib, { mode: o.autotune ?? 'off', store: o.tuningStore ?? undefined, log });
  if (tuner.active) runner += `, autotuned (${o.autotune})`;
  if (o.tile) runner += `, tiles of ${o.tile} px`;
  const networks: NetworkId[] = o.network === 'squeezenet' ? ['vgg19', 'squeezenet'] : ['vgg19'];
  const squeezenet = networks.includes('squeezenet') ? (o.squeezenetWeights ?? randomNetwork('squeezenet', 1)) : null;
  if (squeezenet) runner += `, SqueezeNet weights: ${squeezenet.source}`;
  for (const size of o.sizes) for (const network of networks) {
    lib.memory.trim();
    lib.memory.resetPeak();
    const tiling = o.tile && network === 'vgg19' ? { tile: o.tile } : undefined;
    const w = network === 'vgg19' ? weights : squeezenet!;
    const st = await tuner.build(planner, (p) => StyleTransfer.create(lib.withPlanner(p), w, picture(size, 1), [picture(size, 2)], { network, iterations: 1000 }, { tiling }));
    const label = network === 'vgg19' ? '' : ' SqueezeNet 1.1';
    if (tiling) {
      // a tiled step is 2 submits per tile (masks and windows move between them): wall clock
      // around whole steps, after one warm-up step
      await st.run(1, true);
      const t0 = performance.now();
      await st.run(o.stepRepeats, true);
      const ms = (performance.now() - t0) / o.stepRepeats;
      const gflop = (2 * forwardFlops(size)) / 1e9;
      const peakMB = lib.memory.stats().peakBytes / 2 ** 20;
      steps.push({ size, msPerStep: ms, gflopPerStep: gflop, gflops: gflop / (ms / 1000), peakMB, shares: {} });
      log(`step ${size}² in tiles of ${o.tile} px: ${ms.toFixed(1)} ms, peak ${peakMB.toFixed(0)} MB`);
      st.dispose();
      continue;
    }
    const all = st.profile().flatMap((p) => p.dispatches);
    // GPUs: the mean of stepRepeats replays in one pass; CPU adapters, which share their cores with
    // everything else: the best of stepRepeats single steps
    let ms = lib.ctx.info.isSoftware ? Infinity : await timeDispatches(lib, all, o.stepRepeats);
    if (lib.ctx.info.isSoftware) for (let r = 0; r < o.stepRepeats; r++) ms = Math.min(ms, await timeDispatches(lib, all, 1));
    if (o.byKernel) {
      log(`  ${size}²${label}: each kernel's share, the step timed without it (best of ${Math.max(3, o.stepRepeats)}; a CPU adapter's noise is ±10–15 % of the step, so small shares can come out negative)`);
      for (const k of await leaveOneKernelOut(lib, all, Math.max(3, o.stepRepeats))) log(`    ${k.kernel.padEnd(34)} ×${String(k.dispatches).padStart(3)} ${k.ms.toFixed(1).padStart(8)} ms`);
    }
    const groups: Record<string, number> = {};
    for (const p of st.profile()) {
      const g = groupOf(p.name);
      const opMs = await timeDispatches(lib, p.dispatches, o.stepRepeats);
      groups[g] = (groups[g] ?? 0) + opMs;
      if (o.perOp) log(`  ${size}²${label} ${p.name.padEnd(28)} ${opMs.toFixed(2).padStart(9)} ms (${p.dispatches.length} dispatches)`);
    }
    const sum = Object.values(groups).reduce((a, b) => a + b, 0);
    const shares = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, v / sum]));
    // forward and backward to the input: twice the forward's multiply-adds
    const gflop = (2 * forwardFlops(size, network)) / 1e9;
    const peakMB = lib.memory.stats().peakBytes / 2 ** 20;
    steps.push({ size, msPerStep: ms, gflopPerStep: gflop, gflops: gflop / (ms / 1000), peakMB, shares, gramGflopPerStep: gramFlops(size, network) / 1e9, ...(network === 'vgg19' ? {} : { network }) });
    log(`step ${size}²${label}: ${ms.toFixed(1)} ms (${(gflop / (ms / 1000)).toFixed(2)} GFLOP/s), peak ${peakMB.toFixed(0)} MB`);
    st.dispose();
    lib.memory.trim();
  }
  if (tuner.active) {
    log(`autotune (${tuner.mode}): ${tuner.report.tuned} op shapes timed, ${tuner.report.reused} reused from the stored table, ${tuner.report.seconds.toFixed(1)} s spent tuning`);
    for (const c of tuner.choices()) log(`  ${c}`);
  }
  return { adapter, date: new Date().toISOString(), runner, matmul: matmulRow, kernels, steps };
}

/**
 * SqueezeNet 1.1's own kernels at its real shapes for a kernelSize² image: conv1 (3×3 stride 2,
 * both directions), the first 3×3/2 ceil-mode pool, and fire2's 1×1 and 3×3 convs (every
 * registered version, as for VGG19).
 */
async function squeezenetKernels(
  lib: KernelLibrary,
  o: BenchOptions,
  kernels: KernelRow[],
  timeVersions: <K extends OpKind>(kind: K, shape: OpShapes[K], label: string, layer: string, shapeText: string, flops: number | null) => Promise<void>,
): Promise<void> {
  const n = o.kernelSize;
  // its Gram shapes at a 128² input: conv1 63², fire2/3 31², fire4/5 15² — odd H·W, so no vec4 Gram
  for (const [layer, C, side] of [['conv1', 64, 63], ['fire3', 128, 31], ['fire5', 256, 15]] as const) {
    const M = side * side;
    await timeVersions('gram_forward', { C, M }, 'gram forward', layer, `${C}×${M}`, C * C * M);
  }
  const { O, C, K, stride, pad } = SQUEEZENET_CONV1;
  const [h, w] = stridedConvShape(n, n, K, stride, pad);
  const y = lib.tensor([O, h, w]);
  const pooled = lib.tensor(windowPooledShape(y.shape, SQUEEZENET_POOL));
  const gy = lib.tensor(y.shape); // the pool's input gradient (a buffer of its own: a dispatch may not read and write one buffer)
  const argmax = lib.tensor(pooled.shape);
  const flops = 2 * O * C * K * K * h * w;
  const layer = stridedShape(SQUEEZENET_CONV1, n, n);
  await timeVersions('strided_conv_forward', layer, 'strided conv forward+bias+ReLU', 'conv1', `${C}→${O} /2 @ ${n}²`, flops);
  await timeVersions('strided_conv_backward_input', layer, 'strided conv backward-input', 'conv1', `${C}→${O} /2 @ ${n}²`, flops);
  const rows: [string, string, Dispatch, number | null][] = [
    ['maxpool 3×3/2 ceil forward', `${O}×${h}×${w}`, maxPoolWindowForward(lib, y, pooled, argmax, SQUEEZENET_POOL), null],
    ['maxpool 3×3/2 ceil backward', `${O}×${h}×${w}`, maxPoolWindowBackward(lib, argmax, pooled, gy, SQUEEZENET_POOL), null],
  ];
  for (const [name, shape, d, f] of rows) {
    const ms = await timeDispatches(lib, [d], o.repeats);
    kernels.push({ kernel: name, shape, ms, gflops: f === null ? null : f / ms / 1e6 });
    o.log?.(`${name} ${shape}: ${f === null ? `${ms.toFixed(2)} ms` : `${(f / ms / 1e6).toFixed(2)} GFLOP/s`}`);
    d.destroy();
  }
  lib.release(y, gy, argmax, pooled);
  const [fh, fw] = SQUEEZENET.mapSize('fire2', n, n);
  for (const c of SQUEEZENET.convs.filter((c) => c.layer === 'fire2')) {
    const f = 2 * c.O * c.C * c.K * c.K * fh * fw;
    const shape = `${c.C}→${c.O} ${c.K}×${c.K} @ ${fw}×${fh}`;
    await timeVersions('conv_forward', { R: c.C, N: c.O, K: c.K, H: fh, W: fw }, 'conv forward+bias+ReLU', c.name, shape, f);
    await timeVersions('conv_backward_input', { R: c.O, N: c.C, K: c.K, H: fh, W: fw }, 'conv backward-input', c.name, shape, f);
  }
}
