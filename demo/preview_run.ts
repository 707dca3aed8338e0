/**
 * One fast-preview run (the embedded SqueezeNet 1.1): its weights, its images on the stage (each handed to the mode,
 * which holds the latest for a render to continue from), its status line and its result caption.
 * The mode (preview.ts) starts, restarts and stops these runs.
 */
import type { KernelLibrary } from '../src/kernels/library.js';
import { runJob, StoppedError } from '../src/job/run.js';
import { type JobConfig, type JobImages } from '../src/job/prepare.js';
import { networkSpec, SQUEEZENET } from '../src/model/networks.js';
import type { LossTerms } from '../src/nst/loss_terms.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { networkDefaults } from '../src/nst/defaults.js';
import { jobTuning } from './autotune.js';
import { $, plural, rate } from './dom.js';
import { state, type Job } from './state.js';
import { chosenNetwork } from './weights_panel.js';
import { previewWeights } from './weights.js';
import { embeddedHeld, EMBEDDED_MB } from './embedded.js';

/** The render's network in words ("VGG19", "SqueezeNet 1.1"). */
const renderLabel = () => networkSpec(chosenNetwork()).label;

/** What the stage shows once a run ends: a render or a fast preview. */
export type ResultKind = 'render' | 'preview';

/** The page's parts a preview run shares with a render (main.ts): the GPU, the job's images, the stage and the loss plot. */
export interface RunPage {
  library(): Promise<KernelLibrary>;
  /** The job's images from the pickers, and the style names for captions. */
  jobImages(): Promise<{ images: JobImages; styleNames: string }>;
  /** A fresh loss plot; the returned function adds a report to it. */
  lossRecorder(tvWeight: number): (step: number, t: LossTerms) => void;
  /** Records the job for end-to-end tests (window.nstRuns); count the images it shows in `updates`. */
  recordRun(r: { kind: ResultKind; network: string; size: number; style: string; fromPreview: boolean }): { updates: number };
  /** Draws an image on the stage. */
  showImage(img: RgbaImage): void;
  /** What the stage shows once the run ends, and the content image it was made from (null: none yet). */
  setResult(next: { beforeUrl: string; kind: ResultKind } | null): void;
  /** The download link under the stage, for `image`. */
  showDownload(image: RgbaImage, name: string, label: string): void;
}

/** A preview run as the mode keeps it: superseded once a newer preview or a render replaces it (it then shows and says nothing more). */
export interface PreviewRun { job: Job; superseded: boolean; done: Promise<void> }

export const NO_PREVIEW = () => `Fast preview stopped before its first step: there is no preview to render from, so Start runs ${renderLabel()} from the content image.`;

/**
 * One preview run: SqueezeNet's weights, the run, its images on the stage, its status and caption.
 * Each image it shows goes to `mode.hold` (a render continues from the latest); `mode.isOn` says
 * whether the mode still follows changes when it ends.
 */
export async function runPreview(run: PreviewRun, config: JobConfig & { size: number }, page: RunPage, mode: { hold(image: RgbaImage, steps: number): void; isOn(): boolean }): Promise<void> {
  const content = state.images.content!;
  const { images, styleNames } = await page.jobImages();
  const live = () => !run.superseded;
  const status = $('status');
  status.textContent = `Fast preview: preparing ${SQUEEZENET.label}…`;
  $('snapshots').textContent = '';
  $('download').hidden = true;
  $('run-note').textContent = '';
  $('run-note').hidden = true;
  page.setResult(null);
  $('result-what').textContent = `${content.name} in the style of ${styleNames}: fast preview with ${SQUEEZENET.label}, in progress.`;
  $('result-weights').textContent = `A live ${SQUEEZENET.label} preview: Render with ${renderLabel()} continues from it at the full size.`;
  $('result-kernels').textContent = '';
  $('result-memory').textContent = '';
  const l = await page.library();
  if (!embeddedHeld()) status.textContent = `Fast preview: loading the embedded ${SQUEEZENET.label} weights (${EMBEDDED_MB} MB, from this site)…`;
  const weights = await previewWeights();
  const record = page.lossRecorder(config.options.tvWeight ?? networkDefaults('squeezenet').tvWeight);
  const tuning = jobTuning(l, config.autotune ?? 'auto', (text) => live() && (status.textContent = text));
  const rec = page.recordRun({ kind: 'preview', network: 'squeezenet', size: config.size, style: styleNames, fromPreview: false });
  let steps = 0;
  const ran = runJob(l, images, weights, config, {
    onProgress: (p) => {
      if (!live()) return;
      record(p.step, p.losses);
      steps = p.step;
      const at = `${p.scale.width}×${p.scale.height}`;
      status.textContent =
        p.step === 0
          ? `Fast preview with ${SQUEEZENET.label} at ${at}: timing the first step…`
          : `Fast preview (a quick ${SQUEEZENET.label} sketch): step ${p.step}/${p.iterations} at ${at} — ${rate(p.secondsPerStep)}`;
    },
    onPreview: async (img) => {
      if (!live()) return;
      mode.hold(img, steps);
      rec.updates++;
      page.showImage(img);
      $('preview').setAttribute('aria-label', `Fast preview so far: ${content.name} in the style of ${styleNames}.`);
      await new Promise((res) => setTimeout(res, 0)); // let the page breathe
    },
    shouldStop: () => run.job.stopped,
    tuner: tuning.tuner,
  });
  const r = await ran.catch((e) => {
    if (e instanceof StoppedError) return null;
    throw e;
  });
  if (!live()) return;
  if (!r || r.steps === 0) {
    // stopped before its first step: nothing to show or render from (the stage shows the content image;
    // an earlier preview, made with other settings, is dropped as the run ends: see startPreview)
    $('result-what').textContent = '';
    $('result-weights').textContent = '';
    status.textContent = NO_PREVIEW();
    return;
  }
  const { width, height } = r.image;
  mode.hold(r.image, r.steps);
  page.showImage(r.image);
  page.setResult({ beforeUrl: URL.createObjectURL(content.blob), kind: 'preview' });
  page.showDownload(r.image, 'preview.png', 'Download preview PNG');
  $('preview').setAttribute('aria-label', `Fast preview (${SQUEEZENET.label}): ${content.name} in the style of ${styleNames}, ${width}×${height} pixels.`);
  $<HTMLImageElement>('before').alt = `Before: the content image ${content.name}, shown over the left part of the preview.`;
  $('result-what').textContent = `${content.name} in the style of ${styleNames}: fast preview, ${width}×${height} px, ${plural(r.steps, 'step')}.`;
  const render = renderLabel();
  const own = render === SQUEEZENET.label;
  // with a VGG19 choice, the sketch is rougher than that network's result; with SqueezeNet's, the render continues it at the full size
  const then = own ? `Render with ${render} continues it at the full size` : `a quick sketch, rougher than the ${render} result. Render with ${render} continues from it for the full result`;
  $('result-weights').textContent = `Made with ${r.weightsSource}${own ? '. ' : ': '}${then}.`;
  const speedNote = `, ${rate(r.seconds / r.steps)}`;
  const follows = mode.isOn() ? ' It follows your changes until you press Stop.' : '';
  status.textContent = `Fast preview ${run.job.stopped ? 'stopped' : 'done'}: ${plural(r.steps, 'step')} at ${width}×${height} in ${r.seconds.toFixed(1)} s${speedNote} with ${r.weightsSource}. ${own ? `Render with ${render} for the full size.` : `A quick sketch; Render with ${render} for the full result.`}${follows}${tuning.notes()}`;
}
