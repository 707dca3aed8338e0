/** Node side of the CLI tools: headless Chromium running tools/lib/engine_page.ts. */
import type { NetworkId } from '../../src/model/networks.js';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobConfig } from '../../src/job/prepare.js';
import type { AutotuneMode, TuningReport } from '../../src/kernels/autotune.js';
import { launchGpuPage, type BrowserSession } from './browser.js';
import type { AdapterChoice } from './dawn_adapters.js';
import { bundleForBrowser } from './bundle.js';
import type { EngineApi, PageJob, PageReconstruction } from './engine_api.js';
import type { ReconstructionMode, ReconstructionSettings } from '../../src/job/reconstruct_targets.js';
import { readInputFile } from './input_files.js';
import { exposeTuningStore, tuningDir } from './tuning_store.js';
import { checkWeightsSpec, resolveWeights } from './weights_files.js';
import { jobDeepestLayer } from '../../src/nst/options.js';
import { deepestOf, networkSpec } from '../../src/model/networks.js';

export { readInputFile };

export interface JobFiles {
  content: string;
  /** With `mask`: where that style applies (--style-masks, one per style). */
  styles: { path: string; blend: number; mask?: string }[];
  /** auto, random, torchvision, hf, a URL, or a file (see weights_files.ts) */
  weights: string;
  /** Why the network was chosen for the user (no --network given), printed before the run. */
  networkNote?: string;
  weightsSeed: number;
  /** Where the engine runs (--adapter; default auto). */
  adapter?: AdapterChoice;
  config: JobConfig;
}

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif', '.bmp': 'image/bmp' };

/** Fail fast (before a browser starts) on missing or empty inputs and unreadable weights; then say which network runs if the user named none. */
export function checkJobFiles(job: JobFiles): void {
  readInputFile(job.content, 'content image');
  for (const s of job.styles) {
    readInputFile(s.path, 'style image');
    if (s.mask) readInputFile(s.mask, 'style mask');
  }
  checkWeightsSpec(job.weights, job.config.options.network);
  if (job.networkNote) process.stderr.write(`${job.networkNote}\n`);
}

/** Staged files by URL: what the engines fetch (and the browser pages are served). */
export type Files = Record<string, { body: string | Uint8Array; type: string }>;
type Api = EngineApi;
export type ReconstructJob = { image: string; mode: ReconstructionMode; size: number; settings: ReconstructionSettings; weights: string; weightsSeed: number; autotune?: AutotuneMode };

const fromBase64 = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

/**
 * The engine as the CLI tools use it: stages the job's files (images, weights) under local URLs,
 * runs the job (engine_api.ts) where the subclass runs the engine, and hands back pixels as bytes.
 */
export abstract class Engine {
  /** Where the engine's progress and snapshot calls go for the job now running. */
  protected onProgress: (p: unknown) => void = () => {};
  protected onSnapshot: (step: number, w: number, h: number, rgba: Uint8Array) => void = () => {};

  protected constructor(protected files: Files) {}

  /** Run one of the engine's jobs. */
  protected abstract call<K extends keyof Api>(method: K, arg: Parameters<Api[K]>[0]): ReturnType<Api[K]>;
  abstract close(): Promise<void>;

  private served = 0;
  protected serve(body: Uint8Array | string, type: string): string {
    const url = `/f/${this.served++}`;
    this.files[url] = { body, type };
    return url;
  }

  /** Resolve --weights (cache, download or file) for layers up to `upTo` and stage the tensors. */
  private async stageWeights(weights: string, weightsSeed: number, upTo: string, network: NetworkId = 'vgg19'): Promise<PageJob['weights']> {
    const w = await resolveWeights(weights, weightsSeed, upTo, undefined, network);
    if (w.kind === 'random') return w;
    return { kind: 'raw', name: w.name, manifestUrl: this.serve(w.manifest, 'application/json'), binUrl: this.serve(w.bin, 'application/octet-stream') };
  }

  private stageImage(path: string, what: string): { url: string; name: string } {
    return { url: this.serve(readInputFile(path, what), MIME[extname(path).toLowerCase()] ?? 'application/octet-stream'), name: basename(path) };
  }

  /** Stage the job's files and describe them to the engine. */
  private async stage(job: JobFiles): Promise<PageJob> {
    const content = this.stageImage(job.content, 'content image');
    const styles = job.styles.map((s) => ({ ...this.stageImage(s.path, 'style image'), blend: s.blend, ...(s.mask ? { mask: this.stageImage(s.mask, 'style mask') } : {}) }));
    return { content, styles, weights: await this.stageWeights(job.weights, job.weightsSeed, jobDeepestLayer(job.config.options), job.config.options.network), config: job.config };
  }

  adapter(): Promise<string> {
    return this.call('adapter', undefined as never);
  }

  async stylize(job: JobFiles, onProgress: (p: unknown) => void, onSnapshot: (step: number, w: number, h: number, rgba: Uint8Array) => void) {
    const staged = await this.stage(job);
    this.onProgress = onProgress;
    this.onSnapshot = onSnapshot;
    const r = await this.call('stylize', staged);
    return { ...r, rgba: fromBase64(r.rgba) };
  }

  private async stageReconstruction(job: ReconstructJob): Promise<PageReconstruction> {
    return {
      image: this.stageImage(job.image, 'image'),
      mode: job.mode,
      size: job.size,
      settings: job.settings,
      weights: await this.stageWeights(job.weights, job.weightsSeed, deepestOf(networkSpec(job.settings.network ?? 'vgg19'), job.settings.layers), job.settings.network),
      autotune: job.autotune,
    };
  }

  async reconstruct(job: ReconstructJob, onProgress: (p: unknown) => void) {
    const staged = await this.stageReconstruction(job);
    this.onProgress = onProgress;
    const r = await this.call('reconstruct', staged);
    return { ...r, rgba: fromBase64(r.rgba) };
  }

  async gradient(job: JobFiles) {
    return this.call('gradient', await this.stage(job));
  }

  /** The viewing-scale style ratio of each result file against the job's content and style (src/job/viewing_style.ts). */
  async viewingStyle(job: JobFiles, results: string[]) {
    const staged = await this.stage(job);
    return this.call('viewingStyle', { ...staged, results: results.map((r) => this.stageImage(r, 'result')) });
  }

  async plan(job: JobFiles) {
    return this.call('plan', await this.stage(job));
  }

  async planReconstruction(job: ReconstructJob) {
    return this.call('planReconstruction', await this.stageReconstruction(job));
  }
}

/** The engine in headless Chromium (tools/lib/engine_page.ts), on the browser's WebGPU adapter (SwiftShader here). */
export class EngineSession extends Engine {
  private constructor(readonly session: BrowserSession, files: Files) {
    super(files);
  }

  static async open(verbose = false): Promise<EngineSession> {
    const script = await bundleForBrowser(fileURLToPath(new URL('./engine_page.ts', import.meta.url)));
    const files: Files = {};
    const session = await launchGpuPage({
      script,
      files,
      onConsole: (t) => {
        if (verbose || /error/i.test(t)) if (!t.includes('404')) process.stderr.write(`[browser] ${t}\n`);
      },
    });
    const engine = new EngineSession(session, files);
    // exposed once per page (puppeteer refuses a second binding of the same name)
    await session.page.exposeFunction('__nstProgress', (json: string) => engine.onProgress(JSON.parse(json)));
    await session.page.exposeFunction('__nstSnapshot', (step: number, w: number, h: number, b64: string) => engine.onSnapshot(step, w, h, fromBase64(b64)));
    await exposeTuningStore(session.page);
    return engine;
  }

  protected call<K extends keyof Api>(method: K, arg: Parameters<Api[K]>[0]): ReturnType<Api[K]> {
    return this.session.page.evaluate((m, j) => (globalThis as unknown as { nst: Record<string, (j: unknown) => unknown> }).nst[m](j), method, arg as never) as ReturnType<Api[K]>;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/**
 * What autotuning did in a job, for the tools' summaries: problems with the stored table, and a
 * line when kernels were timed (nothing when the stored table answered everything).
 */
export function describeTuning(t: TuningReport & { messages: string[] }): string {
  const lines = t.messages.filter((m) => !m.startsWith('autotune: '));
  const saved = !t.messages.some((m) => m.startsWith('could not save'));
  if (t.tuned > 0) {
    lines.push(`autotune: timed the kernel versions of ${t.tuned} layer shapes in ${t.seconds.toFixed(1)} s; ${saved ? `the fastest are kept in ${tuningDir()} for later runs` : 'used for this run only (the table could not be saved)'}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}
