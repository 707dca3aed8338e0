/** Node side of the CLI tools: the engine's jobs from the tools' files (Engine), and the engine in headless Chromium (EngineSession). */
import type { NetworkId } from '../../src/model/networks.js';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobConfig } from '../../src/job/prepare.js';
import type { AutotuneMode, TuningReport } from '../../src/kernels/autotune.js';
import { launchGpuPage, type BrowserSession } from './browser.js';
import type { AdapterChoice } from './dawn_adapters.js';
import { bundleForBrowser } from './bundle.js';
import type { EngineApi, EngineJob, EngineProgress, EngineReconstruction, ImageRef } from './engine_api.js';
import type { PageWeights } from './engine_page.js';
import { fromWire } from './wire.js';
import type { ReconstructionMode, ReconstructionSettings } from '../../src/job/reconstruct_targets.js';
import { readInputFile } from './input_files.js';
import { exposeTuningStore, tuningDir } from './tuning_store.js';
import { checkWeightsSpec, resolveWeights, type ResolvedWeights } from './weights_files.js';
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
  /** A video frame's temporal term (npm run gradient's --temporal …): the warped previous result, its trust mask, λ. */
  temporal?: { image: string; mask?: string; weight: number };
}

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif', '.bmp': 'image/bmp' };

/** Fail fast (before a browser starts) on missing or empty inputs and unreadable weights; then say which network runs if the user named none. */
export function checkJobFiles(job: JobFiles): void {
  readInputFile(job.content, 'content image');
  for (const s of job.styles) {
    readInputFile(s.path, 'style image');
    if (s.mask) readInputFile(s.mask, 'style mask');
  }
  if (job.temporal) readInputFile(job.temporal.image, 'temporal image');
  if (job.temporal?.mask) readInputFile(job.temporal.mask, 'temporal mask');
  checkWeightsSpec(job.weights, job.config.options.network);
  if (job.networkNote) process.stderr.write(`${job.networkNote}\n`);
}

/** Staged files by URL: what the Chromium engine's page fetches (and its pages are served). */
export type Files = Record<string, { body: string | Uint8Array; type: string }>;
export type ReconstructJob = { image: string; mode: ReconstructionMode; size: number; settings: ReconstructionSettings; weights: string; weightsSeed: number; autotune?: AutotuneMode };

/** The engine's API over whatever references an engine uses (file paths in Node, URLs in the page). */
type Api = EngineApi<unknown, unknown>;
type Result<K extends keyof Api> = Awaited<ReturnType<Api[K]>>;
type Snapshot = (step: number, w: number, h: number, rgba: Uint8Array) => void;

/**
 * The engine as the CLI tools use it: a job's files turned into the references the engine reads
 * (`imageRef`, `weightsRef`: paths and resolved weights in Node, staged URLs for the page), the
 * job run where the subclass runs the engine (`call`), results with typed arrays.
 */
export abstract class Engine {
  /** Where the engine's progress and snapshot calls go for the job now running. */
  protected onProgress: (p: EngineProgress) => void = () => {};
  protected onSnapshot: Snapshot = () => {};

  protected abstract imageRef(path: string, what: string): unknown;
  /** The weights --weights names (cache, download or file), for layers up to `upTo`. */
  protected abstract weightsRef(w: ResolvedWeights): unknown;
  /** Run one of the engine's jobs. */
  protected abstract call<K extends keyof Api>(method: K, arg: Parameters<Api[K]>[0]): Promise<Result<K>>;
  abstract close(): Promise<void>;

  private image(path: string, what: string): ImageRef<unknown> {
    return { ref: this.imageRef(path, what), name: basename(path) };
  }

  private async weights(weights: string, weightsSeed: number, upTo: string, network: NetworkId = 'vgg19'): Promise<unknown> {
    return this.weightsRef(await resolveWeights(weights, weightsSeed, upTo, undefined, network));
  }

  /** The job's files as the engine's references. */
  private async refs(job: JobFiles): Promise<EngineJob<unknown, unknown>> {
    const content = this.image(job.content, 'content image');
    const styles = job.styles.map((s) => ({ ...this.image(s.path, 'style image'), blend: s.blend, ...(s.mask ? { mask: this.image(s.mask, 'style mask') } : {}) }));
    const t = job.temporal;
    const temporal = t && { image: this.image(t.image, 'temporal image'), ...(t.mask ? { mask: this.image(t.mask, 'temporal mask') } : {}), weight: t.weight };
    return { content, styles, weights: await this.weights(job.weights, job.weightsSeed, jobDeepestLayer(job.config.options), job.config.options.network), config: job.config, temporal };
  }

  private async reconstructionRefs(job: ReconstructJob): Promise<EngineReconstruction<unknown, unknown>> {
    const upTo = deepestOf(networkSpec(job.settings.network ?? 'vgg19'), job.settings.layers);
    return { image: this.image(job.image, 'image'), mode: job.mode, size: job.size, settings: job.settings, weights: await this.weights(job.weights, job.weightsSeed, upTo, job.settings.network), autotune: job.autotune };
  }

  adapter(): Promise<string> {
    return this.call('adapter', undefined as never);
  }

  async stylize(job: JobFiles, onProgress: (p: EngineProgress) => void, onSnapshot: Snapshot) {
    const refs = await this.refs(job);
    this.onProgress = onProgress;
    this.onSnapshot = onSnapshot;
    return this.call('stylize', refs);
  }

  async reconstruct(job: ReconstructJob, onProgress: (p: EngineProgress) => void) {
    const refs = await this.reconstructionRefs(job);
    this.onProgress = onProgress;
    return this.call('reconstruct', refs);
  }

  async gradient(job: JobFiles) {
    return this.call('gradient', await this.refs(job));
  }

  /** The viewing-scale style ratio of each result file against the job's content and style (src/job/viewing_style.ts). */
  async viewingStyle(job: JobFiles, results: string[]) {
    return this.call('viewingStyle', { ...(await this.refs(job)), results: results.map((r) => this.image(r, 'result')) });
  }

  async plan(job: JobFiles) {
    return this.call('plan', await this.refs(job));
  }

  async planReconstruction(job: ReconstructJob) {
    return this.call('planReconstruction', await this.reconstructionRefs(job));
  }
}

/**
 * The engine in headless Chromium (tools/lib/engine_page.ts), on the browser's WebGPU adapter
 * (SwiftShader here): the job's files are staged under local URLs and fetched by the page;
 * results come back through page.evaluate with their typed arrays as base64 (wire.ts).
 */
export class EngineSession extends Engine {
  private served = 0;

  private constructor(
    readonly session: BrowserSession,
    private files: Files,
  ) {
    super();
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
    await session.page.exposeFunction('__nstSnapshot', (step: number, w: number, h: number, b64: string) => engine.onSnapshot(step, w, h, new Uint8Array(Buffer.from(b64, 'base64'))));
    await exposeTuningStore(session.page);
    return engine;
  }

  private serve(body: Uint8Array | string, type: string): string {
    const url = `/f/${this.served++}`;
    this.files[url] = { body, type };
    return url;
  }

  protected imageRef(path: string, what: string): string {
    return this.serve(readInputFile(path, what), MIME[extname(path).toLowerCase()] ?? 'application/octet-stream');
  }

  protected weightsRef(w: ResolvedWeights): PageWeights {
    if (w.kind === 'random') return w;
    return { kind: 'raw', name: w.name, manifestUrl: this.serve(w.manifest, 'application/json'), binUrl: this.serve(w.bin, 'application/octet-stream') };
  }

  protected async call<K extends keyof Api>(method: K, arg: Parameters<Api[K]>[0]): Promise<Result<K>> {
    const wired = await this.session.page.evaluate((m, j) => (globalThis as unknown as { nst: Record<string, (j: unknown) => unknown> }).nst[m](j), method, arg as never);
    return fromWire<Result<K>>(wired);
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
