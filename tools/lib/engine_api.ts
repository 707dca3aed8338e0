/**
 * The engine's jobs for the CLI tools, wherever the engine runs: in the headless page
 * (engine_page.ts, Chromium's WebGPU) or in Node through Dawn (dawn_engine.ts). The environment
 * brings the GPU library, the staged files, image decoding, the autotune store and where progress
 * goes; results carry pixels and tensors as base64 (from the page they cross to Node as JSON).
 */
import { planJob, planReconstruction } from '../../src/job/job_plan.js';
import type { NetworkId } from '../../src/model/networks.js';
import type { Picture } from '../../src/io/decode.js';
import { describeContext } from '../../src/kernels/context.js';
import { Autotuner, type AutotuneMode } from '../../src/kernels/autotune.js';
import type { TuningStore } from '../../src/kernels/tuning_table.js';
import type { KernelLibrary } from '../../src/kernels/library.js';
import { prepareJob, type JobConfig, type WeightsSource } from '../../src/job/prepare.js';
import { runJob } from '../../src/job/run.js';
import { viewingStyle } from '../../src/job/viewing_style.js';
import { reconstructionGrid, type ReconstructionMode, type ReconstructionSettings } from '../../src/job/reconstruct.js';
import { StyleTransfer } from '../../src/nst/style_transfer.js';
import { toBase64 } from './base64.js';

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
  styles: { url: string; name: string; blend: number; mask?: { url: string; name: string } }[];
  weights: { kind: 'random'; seed: number; network?: NetworkId } | { kind: 'raw'; name: string; manifestUrl: string; binUrl: string };
  config: JobConfig;
}

export interface EngineEnv {
  library(): Promise<KernelLibrary>;
  /** The bytes of a staged file (`what` names it in errors). */
  fetchBlob(url: string, what: string): Promise<Blob>;
  /** Decode a staged image; absent: the engine decodes the file itself (in a browser). */
  picture?(url: string, what: string): Promise<Picture>;
  store?: TuningStore;
  progress(p: unknown): void;
  snapshot(step: number, width: number, height: number, rgba: Uint8Array): void;
}

export function createEngineApi(env: EngineEnv) {
  const { library } = env;
  /** A tuner for one job: the CLI's stored table, the job's mode. */
  const tunerFor = (l: KernelLibrary, mode: AutotuneMode = 'auto') => {
    const messages: string[] = [];
    const tuner = new Autotuner(l, { mode, store: env.store, log: (m) => messages.push(m) });
    return { tuner, summary: () => ({ ...tuner.report, messages }) };
  };
  const image = (f: { url: string; name: string }, what: string) => (env.picture ? env.picture(f.url, `${what} ${f.name}`) : env.fetchBlob(f.url, `${what} ${f.name}`));
  const reconstructionJob = async (job: PageReconstruction) => ({ image: await image(job.image, 'image'), name: job.image.name, mode: job.mode, size: job.size, settings: job.settings });
  const images = async (job: PageJob) => ({
    content: await image(job.content, 'content image'),
    contentName: job.content.name,
    styles: await Promise.all(
      job.styles.map(async (s) => ({ blob: await image(s, 'style image'), blend: s.blend, name: s.name, ...(s.mask ? { mask: await image(s.mask, 'style mask'), maskName: s.mask.name } : {}) })),
    ),
  });
  const weightsSource = async (w: PageJob['weights']): Promise<WeightsSource> => {
    if (w.kind === 'random') return w;
    const [manifest, bin] = await Promise.all([env.fetchBlob(w.manifestUrl, w.name).then((b) => b.text()), env.fetchBlob(w.binUrl, w.name).then((b) => b.arrayBuffer())]);
    return { kind: 'raw', name: w.name, manifest, bin };
  };

  return {
    async adapter(): Promise<string> {
      return describeContext((await library()).ctx);
    },

    /** Stylize; returns the final PNG's pixels (RGBA, base64) and a summary. */
    async stylize(job: PageJob) {
      const l = await library();
      const { tuner, summary } = tunerFor(l, job.config.autotune);
      const result = await runJob(l, await images(job), await weightsSource(job.weights), job.config, {
        onProgress: (p) => env.progress(p),
        onSnapshot: (step, img) => env.snapshot(step, img.width, img.height, img.data as Uint8Array),
        onNotice: (text) => env.progress({ notice: text }),
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
        weightBytes: result.weightBytes,
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
      // one scale, at the initial image: no step is taken
      const prepared = await prepareJob(l, await images(job), await weightsSource(job.weights), { ...job.config, scales: 1, scaleIterations: undefined });
      const { weights } = prepared;
      const { content, styles, options: opts, tiling: choice } = prepared.scales[0];
      const { tuner, summary } = tunerFor(l, job.config.autotune);
      l.memory.resetPeak();
      const st = await tuner.build(() => StyleTransfer.create(l, weights, content, styles, opts, undefined, choice.tiling));
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
          styles: styles.map((s) => ({ width: s.width, height: s.height, blend: s.blend, rgba: toBase64(s.data as Uint8Array), mask: s.mask ? toBase64(s.mask.data as Uint8Array) : undefined })),
          tuning: summary(),
          tiling: choice.reason,
          peakBytes: l.memory.stats().peakBytes,
          weightBytes: st.weightBytes(),
        };
      } finally {
        st.dispose();
      }
    },

    /** The viewing-scale style ratio of each result (src/job/viewing_style.ts): content, styles and results staged as files. */
    async viewingStyle(job: PageJob & { results: { url: string; name: string }[] }) {
      const l = await library();
      const results = [];
      for (const r of job.results) results.push({ image: await image(r, 'result'), name: r.name });
      const { content, contentName, styles } = await images(job);
      return viewingStyle(l, { content, contentName, styles, results }, await weightsSource(job.weights));
    },

    /** The job's plan without running it (--plan): sizes, tiles, memory and time estimates (src/job/job_plan.ts). */
    async plan(job: PageJob) {
      const l = await library();
      return planJob(l, await images(job), await weightsSource(job.weights), job.config);
    },

    /** A reconstruction job's plan without running it (reconstruct --plan; src/job/job_plan.ts). */
    async planReconstruction(job: PageReconstruction) {
      const l = await library();
      return planReconstruction(l, await reconstructionJob(job), await weightsSource(job.weights));
    },

    /** Reconstructions from noise; returns the labelled grid (RGBA, base64) and a summary. */
    async reconstruct(job: PageReconstruction) {
      const l = await library();
      const { tuner, summary } = tunerFor(l, job.autotune);
      l.memory.resetPeak();
      const r = await reconstructionGrid(
        l,
        await reconstructionJob(job),
        await weightsSource(job.weights),
        { onProgress: (p) => env.progress(p), onNotice: (text) => env.progress({ notice: text }), tuner },
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
}

export type EngineApi = ReturnType<typeof createEngineApi>;
