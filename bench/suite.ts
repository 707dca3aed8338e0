/**
 * The benchmark, independent of where it runs (headless Chromium or Node + Dawn): kernel
 * throughput at VGG19's real layer shapes next to a matmul ceiling, whole Gatys steps with the
 * time per layer group, peak GPU memory. Timing = wall clock around `repeats` replays of the same
 * prepared dispatches in one submit, awaiting queue.onSubmittedWorkDone (after a warm-up).
 */
import { conv2dBackwardInput, conv2dForward, convVariant, type ConvScratch, type ConvVariant, convScratchSize, convSplits, packConvWeights, planConv, releasePackedWeights } from '../src/kernels/conv2d.js';
import { fill } from '../src/kernels/elementwise.js';
import { gramBackward, gramForward, gramSlices, gramVariant } from '../src/kernels/gram.js';
import type { Dispatch } from '../src/kernels/kernel.js';
import { runOnce, type KernelLibrary } from '../src/kernels/library.js';
import { matmul } from '../src/kernels/matmul.js';
import { poolBackward, poolForward } from '../src/kernels/pool.js';
import { StyleTransfer, type RgbaImage } from '../src/nst/style_transfer.js';
import { VGG19_CONVS } from '../src/nst/vgg19_spec.js';
import { randomVgg19 } from '../src/nst/weights.js';

import type { BenchResult, KernelRow, StepRow } from './table.js';
export type { BenchResult, KernelRow, StepRow } from './table.js';

const now = () => performance.now();

async function timeDispatches(lib: KernelLibrary, ds: Dispatch[], repeats: number): Promise<number> {
  const run = () => {
    const enc = lib.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let r = 0; r < repeats; r++) for (const d of ds) d.encode(pass);
    pass.end();
    lib.ctx.device.queue.submit([enc.finish()]);
    return lib.ctx.device.queue.onSubmittedWorkDone();
  };
  await run(); // warm-up (pipeline compilation, first-touch)
  const t0 = now();
  await run();
  return (now() - t0) / repeats;
}

/** Forward conv FLOPs of VGG19 up to conv5_1 at an S×S input (a multiply-add counts 2). */
export function vggForwardFlops(size: number, upTo = 'conv5_1'): number {
  let s = size, total = 0;
  for (const c of VGG19_CONVS) {
    total += 2 * 9 * c.inChannels * c.outChannels * s * s;
    if (c.name === upTo) break;
    if (c.poolAfter) s = Math.floor(s / 2);
  }
  return total;
}

function picture(n: number, seed: number): RgbaImage {
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
  if (opName === 'adam') return 'update';
  return 'losses';
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
  /** Conv version for the whole steps ("auto": what the engine picks on this adapter). */
  conv?: ConvVariant;
  log?: (s: string) => void;
}

/** Sanity check on this adapter: split-K and whole convolutions agree (relative max difference). */
export async function splitConsistency(lib: KernelLibrary): Promise<number> {
  const [O, S] = [64, 12];
  const w = randomVgg19(5, 'conv1_2').layers.get('conv1_2')!;
  const weight = lib.upload([O, 64, 3, 3], w.weight), bias = lib.upload([O], Float32Array.from({ length: O }, (_, i) => i / O));
  const cw = packConvWeights(lib, weight, bias, false);
  const x = lib.upload([64, S, S], Float32Array.from({ length: 64 * S * S }, (_, i) => Math.sin(i)));
  const a = lib.tensor([O, S, S]), b = lib.tensor([O, S, S]), scratch = lib.tensor([4 * O * S * S]);
  const v = lib.ctx.info.isSoftware ? 'flat16' : 'auto'; // a direct version (Winograd never splits)
  runOnce(lib, [...conv2dForward(lib, x, cw, a, true, {}, 1, v), ...conv2dForward(lib, x, cw, b, true, { slices: scratch }, 4, v)]);
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

  // kernels at the real layer shapes
  const kernels: KernelRow[] = [];
  const weights = randomVgg19(1, 'conv5_1');
  let s = o.kernelSize;
  for (const spec of VGG19_CONVS) {
    if (['conv1_2', 'conv2_2', 'conv3_2', 'conv4_2', 'conv5_1'].includes(spec.name)) {
      const p = weights.layers.get(spec.name)!;
      const w = lib.upload([spec.outChannels, spec.inChannels, 3, 3], p.weight), bias = lib.upload([spec.outChannels], p.bias);
      const cw = packConvWeights(lib, w, bias, true);
      const x = lib.tensor([spec.inChannels, s, s]), y = lib.tensor([spec.outChannels, s, s]);
      runOnce(lib, [fill(lib, x, 0.5)]);
      const flops = 2 * 9 * spec.inChannels * spec.outChannels * s * s;
      const shape = `${spec.inChannels}→${spec.outChannels} @ ${s}²`;
      const fs = convSplits(lib, s * s, spec.outChannels, spec.inChannels), bs = convSplits(lib, s * s, spec.inChannels, spec.outChannels);
      const wf = planConv(lib, spec.inChannels, spec.outChannels, 3, s, s, 'winograd'), wb = planConv(lib, spec.outChannels, spec.inChannels, 3, s, s, 'winograd');
      const scratch: ConvScratch = {
        slices: lib.tensor([Math.max(1, convScratchSize(fs, spec.outChannels, s * s), convScratchSize(bs, spec.inChannels, s * s))]),
        winogradData: lib.tensor([Math.max(wf.winogradData, wb.winogradData)]),
        winogradProducts: lib.tensor([Math.max(wf.winogradProducts, wb.winogradProducts)]),
      };
      // version 1 (reference, any K) next to the version the engine picks for this shape
      const picked = convVariant('auto', 3, s, lib.ctx.info.isSoftware, spec.outChannels, s);
      const versions: Exclude<ConvVariant, 'auto'>[] = [
        'reference',
        'flat16',
        ...(s >= 8 ? (['rows'] as const) : []),
        ...(s >= 8 && s % 4 === 0 ? (['rows_vec4'] as const) : []),
        'winograd',
      ];
      const cases = versions.flatMap((v) => {
        const tag = `${{ reference: 'v1', flat16: 'v1 flat16', rows: 'v2 rows', rows_vec4: 'v3 rows_vec4', winograd: 'v4 winograd' }[v]}${v === picked ? '' : ' (not used here)'}`;
        const [f, b] = v === 'winograd' ? [1, 1] : [fs, bs];
        return [
          [`conv forward+bias+ReLU ${tag}${f > 1 ? ` split ${f}` : ''}`, conv2dForward(lib, x, cw, y, true, scratch, f, v)],
          [`conv backward-input ${tag}${b > 1 ? ` split ${b}` : ''}`, conv2dBackwardInput(lib, y, cw, x, scratch, b, v)],
        ] as const;
      });
      for (const [kname, d] of cases) {
        const ms = await timeDispatches(lib, [...d], o.repeats);
        kernels.push({ kernel: `${kname} ${spec.name}`, shape, ms, gflops: flops / ms / 1e6 });
        log(`${kname} ${spec.name} ${shape}: ${(flops / ms / 1e6).toFixed(2)} GFLOP/s`);
        if (o.perOp && kname.includes('winograd')) {
          const parts = ['input transform', 'products', 'output transform'];
          // three dispatches per chunk of tiles (large maps have several chunks)
          for (const [i, one] of d.entries()) log(`  chunk ${Math.floor(i / 3) + 1} ${parts[i % 3]}: ${(await timeDispatches(lib, [one], o.repeats)).toFixed(2)} ms`);
        }
        for (const x of d) x.destroy();
      }
      lib.release(scratch.slices!, scratch.winogradData!, scratch.winogradProducts!);
      if (['conv1_2', 'conv3_2', 'conv5_1'].includes(spec.name)) {
        const g = lib.tensor([spec.outChannels, spec.outChannels]), dy = lib.tensor(y.shape);
        const slices = Math.max(gramSlices(spec.outChannels, s * s, 'blocks'), gramSlices(spec.outChannels, s * s, 'lanes'));
        const scratch = lib.tensor([slices, spec.outChannels, spec.outChannels]);
        const gflops = 2 * spec.outChannels ** 2 * s * s;
        const pickedGram = gramVariant(lib);
        const tag = (v: 'blocks' | 'lanes') => `${v === 'blocks' ? 'v1' : 'v2 lanes'}${v === pickedGram ? '' : ' (not used here)'}`;
        for (const [kname, d, f] of [
          [`gram forward ${tag('blocks')}`, gramForward(lib, y, g, 1, scratch, 'blocks'), gflops / 2],
          [`gram forward ${tag('lanes')}`, gramForward(lib, y, g, 1, scratch, 'lanes'), gflops / 2],
          [`gram backward v1${lib.ctx.info.isSoftware ? ' (not used here)' : ''}`, [gramBackward(lib, y, g, dy, 1, 'narrow')], gflops],
          [`gram backward v2 wide${lib.ctx.info.isSoftware ? '' : ' (not used here)'}`, [gramBackward(lib, y, g, dy, 1, 'wide')], gflops],
        ] as const) {
          const ms = await timeDispatches(lib, [...d], o.repeats);
          kernels.push({ kernel: `${kname} ${spec.name}`, shape: `${spec.outChannels}×${s * s}`, ms, gflops: f / ms / 1e6 });
          for (const x of d) x.destroy();
        }
        lib.release(g, dy, scratch);
      }
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
      lib.release(w, bias, x, y);
      releasePackedWeights(lib, cw);
    }
    if (spec.poolAfter) s = Math.floor(s / 2);
    if (spec.name === 'conv5_1') break;
  }

  // whole steps
  const steps: StepRow[] = [];
  lib.convVariant = o.conv ?? 'auto';
  if (lib.convVariant !== 'auto') runner += `, all convs ${lib.convVariant}`;
  for (const size of o.sizes) {
    const st = new StyleTransfer(lib, weights, picture(size, 1), [picture(size, 2)], { iterations: 1000 });
    const all = st.profile().flatMap((p) => p.dispatches);
    const ms = await timeDispatches(lib, all, o.stepRepeats);
    const groups: Record<string, number> = {};
    for (const p of st.profile()) {
      const g = groupOf(p.name);
      const opMs = await timeDispatches(lib, p.dispatches, o.stepRepeats);
      groups[g] = (groups[g] ?? 0) + opMs;
      if (o.perOp) log(`  ${size}² ${p.name.padEnd(28)} ${opMs.toFixed(2).padStart(9)} ms (${p.dispatches.length} dispatches)`);
    }
    const sum = Object.values(groups).reduce((a, b) => a + b, 0);
    const shares = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, v / sum]));
    const gflop = (2 * vggForwardFlops(size)) / 1e9;
    const peakMB = lib.memory.stats().peakBytes / 2 ** 20;
    steps.push({ size, msPerStep: ms, gflopPerStep: gflop, gflops: gflop / (ms / 1000), peakMB, shares });
    log(`step ${size}²: ${ms.toFixed(1)} ms (${(gflop / (ms / 1000)).toFixed(2)} GFLOP/s), peak ${peakMB.toFixed(0)} MB`);
    st.dispose();
    lib.memory.trim();
  }
  return { adapter, date: new Date().toISOString(), runner, matmul: matmulRow, kernels, steps };
}
