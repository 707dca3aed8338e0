/**
 * The engine's jobs for the CLI tools, wherever the engine runs: in Node through Dawn, in this
 * process (dawn_runner.ts: images are file paths decoded by sharp, weights resolved in Node), or in
 * headless Chromium on SwiftShader (engine_page.ts: images and weights staged under local URLs,
 * results sent back to Node with their pixels as base64). The environment brings the GPU library,
 * how an image reference and a weights reference are read, the autotune store and where progress
 * goes; results hold typed arrays.
 */
import { planJob, planReconstruction } from '../../src/job/job_plan.js';
import type { Picture } from '../../src/io/decode.js';
import type { RgbaImage } from '../../src/io/rgba_image.js';
import { describeContext } from '../../src/kernels/context.js';
import { Autotuner, type AutotuneMode } from '../../src/kernels/autotune.js';
import type { TuningStore } from '../../src/kernels/tuning_table.js';
import type { KernelLibrary } from '../../src/kernels/library.js';
import { prepareJob, type JobConfig, type WeightsSource } from '../../src/job/prepare.js';
import { runJob, type Progress } from '../../src/job/run.js';
import { viewingStyle } from '../../src/job/viewing_style.js';
import { reconstructionGrid, type ReconstructionMode, type ReconstructionProgress, type ReconstructionSettings } from '../../src/job/reconstruct.js';
import { StyleTransfer } from '../../src/nst/style_transfer.js';

/** An image as the environment knows it (a staged URL, a file path) and its name for messages. */
export interface ImageRef<I> {
  ref: I;
  name: string;
}

export interface EngineJob<I, W> {
  content: ImageRef<I>;
  styles: (ImageRef<I> & { blend: number; mask?: ImageRef<I> })[];
  weights: W;
  config: JobConfig;
  /** A video frame's temporal term (JobImages.temporal). */
  temporal?: { image: ImageRef<I>; mask?: ImageRef<I>; weight: number };
}

export interface EngineReconstruction<I, W> {
  image: ImageRef<I>;
  mode: ReconstructionMode;
  size: number;
  settings: ReconstructionSettings;
  weights: W;
  autotune?: AutotuneMode;
}

/** What a job reports while it runs: its progress, or a line to show before it starts. */
export type EngineProgress = Progress | ReconstructionProgress | { notice: string };

export interface EngineEnv<I, W> {
  library(): Promise<KernelLibrary>;
  /** An image: encoded bytes (decoded by the browser) or a decoded picture. */
  image(ref: I, what: string): Promise<Blob | Picture>;
  weights(w: W): Promise<WeightsSource>;
  store?: TuningStore;
  progress(p: EngineProgress): void;
  snapshot(step: number, image: RgbaImage): void;
}

const bytesOf = (d: Uint8Array | Uint8ClampedArray) => (d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

export function createEngineApi<I, W>(env: EngineEnv<I, W>) {
  const { library } = env;
  /** A tuner for one job: the CLI's stored table, the job's mode. */
  const tunerFor = (l: KernelLibrary, mode: AutotuneMode = 'auto') => {
    const messages: string[] = [];
    const tuner = new Autotuner(l, { mode, store: env.store, log: (m) => messages.push(m) });
    return { tuner, summary: () => ({ ...tuner.report, messages }) };
  };
  const image = (f: ImageRef<I>, what: string) => env.image(f.ref, `${what} ${f.name}`);
  const reconstructionJob = async (job: EngineReconstruction<I, W>) => ({ image: await image(job.image, 'image'), name: job.image.name, mode: job.mode, size: job.size, settings: job.settings });
  const images = async (job: EngineJob<I, W>) => ({
    content: await image(job.content, 'content image'),
    contentName: job.content.name,
    styles: await Promise.all(
      job.styles.map(async (s) => ({ blob: await image(s, 'style image'), blend: s.blend, name: s.name, ...(s.mask ? { mask: await image(s.mask, 'style mask'), maskName: s.mask.name } : {}) })),
    ),
    ...(job.temporal ? { temporal: { image: await image(job.temporal.image, 'temporal image'), ...(job.temporal.mask ? { mask: await image(job.temporal.mask, 'temporal mask') } : {}), weight: job.temporal.weight } } : {}),
  });
  const weightsSource = (w: W) => env.weights(w);

  return {
    async adapter(): Promise<string> {
      return describeContext((await library()).ctx);
    },

    /** Stylize; returns the final image's pixels (RGBA) and a summary. */
    async stylize(job: EngineJob<I, W>) {
      const l = await library();
      const { tuner, summary } = tunerFor(l, job.config.autotune);
      const result = await runJob(l, await images(job), await weightsSource(job.weights), job.config, {
        onProgress: (p) => env.progress(p),
        onSnapshot: (step, img) => env.snapshot(step, img),
        onNotice: (text) => env.progress({ notice: text }),
        tuner,
      });
      return {
        width: result.image.width,
        height: result.image.height,
        rgba: bytesOf(result.image.data),
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
    async gradient(job: EngineJob<I, W>) {
      const l = await library();
      // one scale, at the initial image: no step is taken
      const prepared = await prepareJob(l, await images(job), await weightsSource(job.weights), { ...job.config, scales: 1, scaleIterations: undefined });
      const { weights } = prepared;
      const { content, styles, options: opts, tiling: choice, temporal } = prepared.scales[0];
      const { tuner, summary } = tunerFor(l, job.config.autotune);
      l.memory.resetPeak();
      const st = await tuner.build(l.planner, (p) => StyleTransfer.create(l.withPlanner(p), weights, content, styles, opts, { tiling: choice.tiling, temporal }));
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
          gradient: grad,
          image,
          content: bytesOf(content.data),
          styles: styles.map((s) => ({ width: s.width, height: s.height, blend: s.blend, rgba: bytesOf(s.data), mask: s.mask ? bytesOf(s.mask.data) : undefined })),
          temporal: temporal && { rgba: bytesOf(temporal.image.data), mask: temporal.mask ? bytesOf(temporal.mask.data) : undefined, weight: temporal.weight },
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
    async viewingStyle(job: EngineJob<I, W> & { results: ImageRef<I>[] }) {
      const l = await library();
      const results = [];
      for (const r of job.results) results.push({ image: await image(r, 'result'), name: r.name });
      const { content, contentName, styles } = await images(job);
      return viewingStyle(l, { content, contentName, styles, results }, await weightsSource(job.weights));
    },

    /** The job's plan without running it (--plan): sizes, tiles, memory and time estimates (src/job/job_plan.ts). */
    async plan(job: EngineJob<I, W>) {
      const l = await library();
      return planJob(l, await images(job), await weightsSource(job.weights), job.config);
    },

    /** A reconstruction job's plan without running it (reconstruct --plan; src/job/job_plan.ts). */
    async planReconstruction(job: EngineReconstruction<I, W>) {
      const l = await library();
      return planReconstruction(l, await reconstructionJob(job), await weightsSource(job.weights));
    },

    /** Reconstructions from noise; returns the labelled grid (RGBA) and a summary. */
    async reconstruct(job: EngineReconstruction<I, W>) {
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
        rgba: bytesOf(r.grid.data),
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

/** The API over references of types I (images) and W (weights). */
export type EngineApi<I = unknown, W = unknown> = ReturnType<typeof createEngineApi<I, W>>;
