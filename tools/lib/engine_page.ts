/**
 * Loaded into the headless page by the CLI tools: runs jobs with the engine and reports back
 * through functions the Node side exposes (__nstProgress, __nstSnapshot). Files are fetched from
 * the tool's local server.
 */
import type { NetworkId } from '../../src/nst/networks.js';
import { createGpuContext, describeContext } from '../../src/kernels/context.js';
import { Autotuner, type AutotuneMode } from '../../src/kernels/autotune.js';
import { KernelLibrary } from '../../src/kernels/library.js';
import { exposedFunctionStore } from '../../src/kernels/tuning_stores.js';
import { chooseTiling, jobDeepestLayer, loadWeights, prepareImages, runJob, type JobConfig, type WeightsSource } from '../../src/job/run.js';
import { resolveOptions } from '../../src/nst/options.js';
import { reconstructionGrid, type ReconstructionMode, type ReconstructionSettings } from '../../src/job/reconstruct.js';
import { StyleTransfer } from '../../src/nst/style_transfer.js';
import { withNetworkDefaults } from '../../src/nst/weights.js';

export interface PageReconstruction {
  image: { url: string; name: string };
  mode: ReconstructionMode;
  size: number;
  settings: ReconstructionSettings;
  weights: PageJob['weights'];
  autotune?: AutotuneMode;
}

export interface PageJob {
  content: { url: string; name: string };
  styles: { url: string; name: string; blend: number }[];
  weights: { kind: 'random'; seed: number; network?: NetworkId } | { kind: 'raw'; name: string; manifestUrl: string; binUrl: string };
  config: JobConfig;
}

type Exposed = {
  __nstProgress?: (json: string) => Promise<void>;
  __nstSnapshot?: (step: number, width: number, height: number, b64: string) => Promise<void>;
};

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function fetchBlob(url: string, what: string): Promise<Blob> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${what}: could not be read (${r.status})`);
  return r.blob();
}

async function weightsSource(w: PageJob['weights']): Promise<WeightsSource> {
  if (w.kind === 'random') return w;
  const [manifest, bin] = await Promise.all([fetch(w.manifestUrl).then((r) => r.text()), fetch(w.binUrl).then((r) => r.arrayBuffer())]);
  return { kind: 'raw', name: w.name, manifest, bin };
}

let lib: KernelLibrary | null = null;
async function library(): Promise<KernelLibrary> {
  if (!lib) lib = new KernelLibrary(await createGpuContext());
  return lib;
}

/** A tuner for one job: the CLI's stored table (through the exposed functions), the job's mode. */
function tunerFor(l: KernelLibrary, mode: AutotuneMode = 'auto') {
  const messages: string[] = [];
  const tuner = new Autotuner(l, { mode, store: exposedFunctionStore() ?? undefined, log: (m) => messages.push(m) });
  return { tuner, summary: () => ({ ...tuner.report, messages }) };
}

async function images(job: PageJob) {
  return {
    content: await fetchBlob(job.content.url, `content image ${job.content.name}`),
    contentName: job.content.name,
    styles: await Promise.all(job.styles.map(async (s) => ({ blob: await fetchBlob(s.url, `style image ${s.name}`), blend: s.blend, name: s.name }))),
  };
}

const api = {
  async adapter(): Promise<string> {
    return describeContext((await library()).ctx);
  },

  /** Stylize; returns the final PNG's pixels (RGBA, base64) and a summary. */
  async stylize(job: PageJob) {
    const l = await library();
    const g = globalThis as unknown as Exposed;
    const { tuner, summary } = tunerFor(l, job.config.autotune);
    const result = await runJob(l, await images(job), await weightsSource(job.weights), job.config, {
      onProgress: (p) => g.__nstProgress?.(JSON.stringify(p)),
      onSnapshot: (step, img) => g.__nstSnapshot?.(step, img.width, img.height, toBase64(img.data as Uint8Array)),
      onNotice: (text) => g.__nstProgress?.(JSON.stringify({ notice: text })),
      tuner,
    });
    return {
      width: result.image.width,
      height: result.image.height,
      rgba: toBase64(result.image.data as Uint8Array),
      losses: result.losses,
      steps: result.steps,
      seconds: result.seconds,
      weights: result.weightsSource,
      memory: l.memory.stats(),
      peakBytes: result.peakBytes,
      tiles: result.tiles,
      tuning: summary(),
    };
  },

  /**
   * Evaluate losses and dTotal/dImage once at the initial image (no step taken); returns the
   * terms, the gradient and the exact inputs (RGBA after resizing, network-space initial image).
   */
  async gradient(job: PageJob) {
    const l = await library();
    const { content, styles } = await prepareImages(l, await images(job), job.config);
    const o = job.config.options;
    const deepest = jobDeepestLayer(o);
    const weights = loadWeights(await weightsSource(job.weights), deepest, o.network);
    const { tuner, summary } = tunerFor(l, job.config.autotune);
    const opts = resolveOptions(withNetworkDefaults(o, weights, 'stylize'));
    const choice = chooseTiling(l, content.width, content.height, styles.flatMap((s) => [s.width, s.height]), opts, deepest, job.config);
    l.memory.resetPeak();
    const st = await tuner.build(() => new StyleTransfer(l, weights, content, styles, opts, undefined, choice.tiling));
    try {
      const losses = await st.evaluate();
      const grad = await st.gradient();
      const image = await l.read(st.image.value);
      return {
        width: st.width,
        height: st.height,
        losses,
        options: st.options,
        input: weights.input,
        weights: weights.source,
        gradient: toBase64(new Uint8Array(grad.buffer)),
        image: toBase64(new Uint8Array(image.buffer)),
        content: toBase64(content.data as Uint8Array),
        styles: styles.map((s) => ({ width: s.width, height: s.height, blend: s.blend, rgba: toBase64(s.data as Uint8Array) })),
        tuning: summary(),
        tiling: choice.reason,
        peakBytes: l.memory.stats().peakBytes,
      };
    } finally {
      st.dispose();
    }
  },

  /** Reconstructions from noise; returns the labelled grid (RGBA, base64) and a summary. */
  async reconstruct(job: PageReconstruction) {
    const l = await library();
    const g = globalThis as unknown as Exposed;
    const { tuner, summary } = tunerFor(l, job.autotune);
    l.memory.resetPeak();
    const r = await reconstructionGrid(
      l,
      { image: await fetchBlob(job.image.url, `image ${job.image.name}`), name: job.image.name, mode: job.mode, size: job.size, settings: job.settings },
      await weightsSource(job.weights),
      { onProgress: (p) => g.__nstProgress?.(JSON.stringify(p)), onNotice: (text) => g.__nstProgress?.(JSON.stringify({ notice: text })), tuner },
    );
    return {
      width: r.grid.width,
      height: r.grid.height,
      rgba: toBase64(r.grid.data as Uint8Array),
      labels: r.tiles.map((t) => t.label),
      metrics: r.metrics,
      seconds: r.seconds,
      weights: r.weightsSource,
      memory: l.memory.stats(),
      peakBytes: l.memory.stats().peakBytes,
      tuning: summary(),
    };
  },

  async memory() {
    return (await library()).memory.stats();
  },
};

(globalThis as unknown as { nst: typeof api }).nst = api;
export type EngineApi = typeof api;
