/**
 * The fast preview's mode (the embedded SqueezeNet 1.1): on and off, its settings, starting,
 * restarting and stopping its runs (one run's work and words: preview_run.ts), the image a
 * "Render with …" continues from, and what the page shows of the mode (the button, the line under
 * the run buttons, the note atop Advanced settings, the strength's label).
 *
 * SqueezeNet 1.1 (a step ~10× faster than VGG19's on SwiftShader, ~60× fewer FLOPs) runs at up to
 * PREVIEW_MAX_SIZE px, with a new image every step. While the mode is on, changing the images or a
 * setting the preview uses restarts it; it ends with its button, Stop, or a render, which continues
 * from its latest image at the full size with the chosen network (runJob's initImage). With a
 * VGG19 choice the preview runs SqueezeNet's own layers, α, TV and pooling (the VGG19-only fields
 * do not restart it); with the SqueezeNet choice it runs the form's settings as they are, and the
 * render continues the same optimisation at the full size. Settings stay open while it runs:
 * following them is the point.
 *
 * What the stage shows and what a render starts from agree: a preview stopped (or failed) before
 * its first image leaves no preview result, and then the image of an earlier preview (made with
 * other settings, and no longer shown) is dropped too; Start reads "Start" again.
 */
import { WebGpuUnavailableError } from '../src/kernels/context.js';
import type { JobConfig } from '../src/job/prepare.js';
import { networkSpec, SQUEEZENET } from '../src/model/networks.js';
import type { StyleTransferOptions } from '../src/nst/options.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { $, clearError, explain, setError } from './dom.js';
import { previewStyleWeight, showStrengthFor } from './network_defaults.js';
import { NO_PREVIEW, runPreview, type PreviewRun, type ResultKind, type RunPage } from './preview_run.js';
import { changed, newJob, state } from './state.js';
import { chosenNetwork, weightsKind } from './weights_panel.js';
import { regionsVersion } from './regions.js';

/** The render's network in words ("VGG19", "SqueezeNet 1.1"). */
const renderLabel = () => networkSpec(chosenNetwork()).label;

// ---------------------------------------------------------------- what the preview uses of the page

/** The page's parts the preview shares with a render (main.ts): those a run uses, the form's shared settings, and what the stage shows. */
export interface PreviewPage extends RunPage {
  /** Settings every network uses; throws naming the field at fault. */
  readShared(): Pick<JobConfig, 'styleScale' | 'options' | 'autotune'> & { size: number };
  /** Those and the network's own (layers, α, β, TV, pooling) for the chosen network; throws naming the field at fault. */
  readNetworkSettings(): Pick<JobConfig, 'styleScale' | 'options' | 'autotune'> & { size: number };
  resultKind(): ResultKind | null;
}

let page: PreviewPage;

/** Call once, before the page first renders. */
export function setupPreview(p: PreviewPage): void {
  page = p;
}

// ---------------------------------------------------------------- state

/** The mode: on from the "Fast preview" button until it is pressed again, Stop, or a render. */
let previewOn = false;
/** A preview image, the images it shows (imagesKey) and how many steps made it. */
interface PreviewImage { image: RgbaImage; images: string; steps: number }
/** The latest preview image; a render starts from it. */
let previewImage: PreviewImage | null = null;
/** The preview run going, or waiting for the one before it to stop. */
let previewRun: PreviewRun | null = null;
/** What the latest preview was started with ('' makes the next update start one). */
let previewKey = '';
let previewTimer: ReturnType<typeof setTimeout> | undefined;
/** The preview's settings message in the error box now (raised once, not at every change). */
let previewError = '';

export const isPreviewOn = () => previewOn;

/**
 * True while Start reads "Render with …": the fast preview is on, or its image is held (a render
 * continues from it).
 */
export const startIsRender = () => previewOn || previewImage !== null;

/** The chosen images: a preview of other images is no start for a render. */
function imagesKey(): string {
  const i = state.images;
  return JSON.stringify([i.content?.url, i.style?.url, i.style2?.url]);
}

/** The preview image a render continues from, when it shows the chosen images; the preview's image is used up either way. */
export function takePreviewImage(): PreviewImage | null {
  const from = previewImage && previewImage.images === imagesKey() ? previewImage : null;
  previewImage = null;
  return from;
}

/** With the mode off, a preview of other images than those chosen now is gone (the stage shows the content again). */
export function dropStalePreview(): void {
  if (!previewOn && !previewRun && previewImage && previewImage.images !== imagesKey()) {
    previewImage = null;
    if (page.resultKind() === 'preview') page.setResult(null);
  }
}

// ---------------------------------------------------------------- settings

/** The fast preview's longer side at most: SqueezeNet there takes a fraction of a VGG19 step at the full size. */
const PREVIEW_MAX_SIZE = 256;

/**
 * The fast preview's settings: at most PREVIEW_MAX_SIZE px, one scale, an image every step (the
 * memory budget, multi-scale and snapshots do not apply to it). With SqueezeNet chosen, the form's
 * settings as they are; with a VGG19 choice, SqueezeNet's own layers, α, TV weight, pooling and
 * learning rate (the VGG19 fields under Advanced settings do not apply), and the strength of style scales
 * SqueezeNet's β by the factor it scales VGG19's, so the slider means the same in both.
 */
function readPreviewSettings(): JobConfig & { size: number } {
  const cap = (c: Pick<JobConfig, 'styleScale' | 'options' | 'autotune'> & { size: number }): JobConfig & { size: number } => ({ ...c, size: Math.min(c.size, PREVIEW_MAX_SIZE), reportEvery: 1, saveEvery: 0, scales: 1 });
  if (chosenNetwork() === 'squeezenet') return cap(page.readNetworkSettings());
  const shared = page.readShared();
  const styleWeight = previewStyleWeight();
  if (Number.isNaN(styleWeight)) throw new Error(`The style weight β (Advanced settings) must be a number ≥ 0 (got “${$<HTMLInputElement>('style-weight').value}”).`);
  const options: Partial<StyleTransferOptions> = { ...shared.options, network: 'squeezenet', styleWeight };
  return cap({ ...shared, options });
}

// ---------------------------------------------------------------- runs

/** What the preview waits for, or '' when it can run. */
function previewBlocker(): string {
  if (state.job?.kind === 'stylize') return 'A render is running.';
  if (state.job?.kind === 'reconstruct') return 'A reconstruction is running (Reconstructions tab).';
  const loading = ['content image', 'style image', 'second style image'].filter((n) => state.loading.has(n));
  if (loading.length) return `Loading the ${loading.join(', ')}…`;
  if (!state.images.content || !state.images.style) return 'Choose a content and a style image.';
  return '';
}

/** After a change: once typing or dragging pauses, restart the preview if something it uses changed. */
export function schedulePreview(): void {
  if (!previewOn) return;
  clearTimeout(previewTimer);
  previewTimer = setTimeout(updatePreview, 250);
}

function stopRun(run: PreviewRun | null, superseded: boolean): void {
  if (!run) return;
  if (superseded) run.superseded = true;
  run.job.stopped = true;
}

function updatePreview(): void {
  if (!previewOn || previewBlocker()) return; // tried again at the next change
  let settings: JobConfig & { size: number };
  try {
    settings = readPreviewSettings();
  } catch (e) {
    // a setting the preview uses is wrong: it stops (its image stays) until the field is fixed
    previewKey = '';
    stopRun(previewRun, true);
    const m = explain(e);
    if (m !== previewError) setError('preview', (previewError = m));
    $('status').textContent = 'Fast preview waiting: a setting is not valid (the message above says which).';
    return;
  }
  if (previewError) {
    previewError = '';
    clearError('preview');
  }
  const blend = state.images.style2 ? Number($<HTMLInputElement>('blend').value) : null;
  const key = JSON.stringify([settings, imagesKey(), blend, weightsKind(), regionsVersion()]);
  if (key === previewKey) return;
  previewKey = key;
  startPreview(settings);
}

/** A new preview run, once the one going (if any) has stopped. */
function startPreview(settings: JobConfig & { size: number }): void {
  const before = previewRun;
  stopRun(before, true);
  const run: PreviewRun = { job: newJob('preview'), superseded: false, done: Promise.resolve() };
  previewRun = run;
  run.done = (async () => {
    try {
      await before?.done;
      if (run.job.stopped || state.job) {
        // ended, or a render or reconstruction began, while the one before stopped
        if (run.job.stopped && !run.superseded) $('status').textContent = page.resultKind() === 'preview' ? `Fast preview off. Render with ${renderLabel()} continues from its image.` : NO_PREVIEW();
        return;
      }
      state.job = run.job;
      changed();
      const shows = imagesKey();
      await runPreview(run, settings, page, { hold: (image, steps) => (previewImage = { image, images: shows, steps }), isOn: () => previewOn });
    } catch (e) {
      if (!run.superseded) {
        previewOn = false;
        $('status').textContent = 'The fast preview stopped (the message above says why).';
        setError(e instanceof WebGpuUnavailableError ? 'gpu' : 'run', explain(e));
      }
    } finally {
      if (state.job === run.job) state.job = null;
      if (previewRun === run) {
        previewRun = null;
        // ended (not replaced by a newer preview or a render, which takes its image) without a result on the stage
        if (!run.superseded && page.resultKind() !== 'preview') previewImage = null;
      }
      changed();
    }
  })();
}

// ---------------------------------------------------------------- the mode's buttons

/** The "Fast preview" button: turns the mode on (a preview starts now) or off. */
export function togglePreview(): void {
  if (previewOn) return stopPreview();
  if (previewBlocker()) return;
  previewOn = true;
  previewKey = '';
  // as Start does: a message about an earlier run or a refused file is stale once a new run starts
  clearError('run', 'pick-content', 'pick-style', 'pick-style2', 'pick-style3');
  changed();
  updatePreview();
}

/** The mode goes off: no pending restart, no preview error on show. */
function leavePreviewMode(): void {
  previewOn = false;
  previewKey = '';
  clearTimeout(previewTimer);
  if (previewError) {
    previewError = '';
    clearError('preview');
  }
}

/** Stop: the preview ends and the mode goes off; its image stays (a render continues from it). */
export function stopPreview(): void {
  const wasOn = previewOn;
  leavePreviewMode();
  if (previewRun) stopRun(previewRun, false);
  else if (wasOn) $('status').textContent = previewImage ? `Fast preview off. Render with ${renderLabel()} continues from its image.` : 'Fast preview off.';
  changed();
}

/** A render ends the preview (mode and run); resolves once its run has stopped. */
export function endPreviewForRender(): Promise<void> {
  leavePreviewMode();
  const run = previewRun;
  stopRun(run, true);
  return run ? run.done : Promise.resolve();
}

// ---------------------------------------------------------------- what the page shows of it

/**
 * The line under the run buttons: what Fast preview does, what restarts it (the fields that reach
 * readPreviewSettings and the preview's key: images, blend, weights), and that a render continues from it.
 */
function modeNote(): string {
  if (state.job?.kind === 'stylize') return '';
  const size = $<HTMLInputElement>('size').value;
  const own = chosenNetwork() === 'squeezenet';
  const render = `Render with ${renderLabel()} continues from the preview at ${size} px.`;
  if (previewOn) {
    const fields = own
      ? 'or any setting under Advanced settings but multi-scale, save every N steps and the memory budget'
      : 'or under Advanced settings the second style, init, optimizer, learning rate, seed, style scale or original colors';
    return `Fast preview is on: it starts again when the images, weights, size (up to ${PREVIEW_MAX_SIZE} px), steps or strength change, ${fields}. ${render}`;
  }
  if (previewImage) return render;
  return own
    ? `Fast preview: the same ${SQUEEZENET.label} run, live (up to ${PREVIEW_MAX_SIZE} px): redrawn every step, it follows your changes; then render it at the full size.`
    : `Fast preview: a quick ${SQUEEZENET.label} version (up to ${PREVIEW_MAX_SIZE} px) that follows your changes; then render it with ${renderLabel()}.`;
}

export function showModeNote(): void {
  $('mode-note').textContent = modeNote();
}

/** The note atop Advanced settings while the mode is on: which fields the preview uses. */
function advancedNote(): string {
  if (chosenNetwork() === 'squeezenet') return 'It uses these settings as they are, except multi-scale, save every N steps and the memory budget, which apply to the render only.';
  return (
    "It uses SqueezeNet's own layers, loss weights (α, TV) and pooling: the content and style layers, α, TV weight, pooling, multi-scale, save every N steps and " +
    `memory budget here apply to Render with ${renderLabel()} only. β here is ${renderLabel()}'s; the preview scales SqueezeNet's own β by the same factor ` +
    '(the strength of style shows both).'
  );
}

/** The "Fast preview" button (pressed while on; off while a render or reconstruction runs), the line under it, the note atop Advanced settings and the strength's label. */
export function showPreviewControls(): void {
  const kind = state.job?.kind;
  const fast = $<HTMLButtonElement>('fast-preview');
  fast.setAttribute('aria-pressed', String(previewOn));
  fast.disabled = kind === 'stylize' || kind === 'reconstruct' || (!previewOn && previewBlocker() !== '');
  showModeNote();
  const note = $('advanced-note');
  note.hidden = !previewOn;
  const text = advancedNote();
  if (note.dataset.text !== text) {
    note.dataset.text = text;
    const strong = document.createElement('strong');
    strong.textContent = 'Fast preview is on.';
    note.replaceChildren(strong, ` ${text}`);
  }
  showStrengthFor(previewOn);
}
