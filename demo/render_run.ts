/** Start and a render's run: its images, the result before kept aside until the first step, progress, the clock, the end in every way. */
import { WebGpuUnavailableError } from '../src/kernels/context.js';
import { jobDeepestLayer } from '../src/nst/options.js';
import { runJob, StoppedError } from '../src/job/run.js';
import type { JobImages } from '../src/job/prepare.js';
import { networkSpec, SQUEEZENET } from '../src/model/networks.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { formatDuration } from '../src/job/duration.js';
import { jobTuning } from './autotune.js';
import { $, clearError, explain, plural, rate, setError } from './dom.js';
import { lossRecorder, plotted } from './plot.js';
import { changed, newJob, state, type Job } from './state.js';
import { ForcedStopError, untilStopped } from './stopping.js';
import { describeMemory } from './memory_budget.js';
import { planTiles } from '../src/nst/tiles.js';
import { endPreviewForRender, startIsRender, takePreviewImage } from './preview.js';
import { chosenNetwork, runWeights, weightsKind, weightsReady } from './weights_panel.js';
import { describeProgress } from './weights.js';
import { embeddedHeld, EMBEDDED_MB } from './embedded.js';
import { regionMasks } from './regions.js';
import { CONFIRM_SECONDS, estimateLine, FIXED_PIXELS, speeds } from './run_plan.js';
import { RunClock } from './run_clock.js';
import { drawContentOnStage, keepAside } from './kept_result.js';
import { library, afterForcedStop } from './gpu.js';
import { num, type RunSettings, pixelsAt, checkedSettings } from './settings.js';
import { currentResult, replaceResult, setResult, showImage, shownImageCount, imageToDataUrl, weightsNote, showResult } from './stage.js';

/** What Start waits for, or '' when it can start. */
export function startBlocker(): string {
  if (state.job?.kind === 'stylize') return 'Settings are locked while the run is going; Stop it to change them.';
  if (state.job?.kind === 'reconstruct') return 'A reconstruction is running (Reconstructions tab).';
  if (state.loading.size) return `Loading the ${[...state.loading].join(', ')}…`;
  if (!state.images.content || !state.images.style) return 'Choose a content and a style image.';
  if (!weightsReady()) return 'Pick a weights file under Network and weights, or choose other weights.';
  return '';
}
export const canStart = () => startBlocker() === '';



/**
 * The job's images from the pickers and the style names for captions: a second style blended by
 * the slider, or with regions each chosen style (up to three) with its painted map.
 */
export async function jobImages(): Promise<{ images: JobImages; styleNames: string }> {
  const content = state.images.content!;
  const masks = await regionMasks();
  if (masks) {
    const picked = (['style', 'style2', 'style3'] as const).map((k, r) => ({ p: state.images[k], mask: masks[r] })).filter((s) => s.p && s.mask);
    const styles = picked.map((s, i) => ({ blob: s.p!.blob, name: s.p!.name, blend: 1, mask: s.mask!, maskName: `painted for style ${i + 1}` }));
    return { images: { content: content.blob, contentName: content.name, styles }, styleNames: `${styles.map((s) => s.name).join(' | ')} (each in its region)` };
  }
  const styles = [{ blob: state.images.style!.blob, name: state.images.style!.name, blend: 1 }];
  const style2 = state.images.style2;
  if (style2) {
    const b = num('blend');
    styles[0].blend = 1 - b;
    styles.push({ blob: style2.blob, name: style2.name, blend: b });
  }
  return { images: { content: content.blob, contentName: content.name, styles }, styleNames: styles.map((s) => s.name).join(' + ') };
}

/** A job the page started, for end-to-end tests (window.nstRuns): which network, size, style, whether it continued from the preview, images shown. */
export interface RunRecord { kind: 'render' | 'preview'; network: string; size: number; style: string; fromPreview: boolean; updates: number }
export function recordRun(r: Omit<RunRecord, 'updates'>): RunRecord {
  const w = window as unknown as { nstRuns?: RunRecord[] };
  const rec = { ...r, updates: 0 };
  (w.nstRuns ??= []).push(rec);
  return rec;
}

/** Start a run (the chosen network), unless one is running or inputs are loading (the button is disabled then too). */
export function start(): void {
  if (!canStart()) return;
  let settings: RunSettings;
  try {
    settings = checkedSettings();
    clearError('settings', 'run');
  } catch (e) {
    setError('settings', explain(e));
    return;
  }
  // a run estimated at hours: ask first (a GPU's first run has no estimate yet)
  const estimated = estimateLine(settings.schedule, chosenNetwork(), pixelsAt, '').seconds;
  if (estimated > CONFIRM_SECONDS && !confirm(`This run is estimated to take ${formatDuration(estimated)} on this device. Start it anyway?`)) {
    $('status').textContent = `Not started: the run was estimated at ${formatDuration(estimated)}. A smaller size or fewer steps is faster.`;
    return;
  }
  // the result on show (not a fast preview's image the render continues from) is kept aside until the first step
  const aside = startIsRender() ? null : setAsideResult();
  // a fast preview ends here; the render continues from its image
  const previewEnded = endPreviewForRender();
  const job = newJob('stylize');
  const focused = document.activeElement === $('start');
  // a message about an earlier pick or run is stale once a new run starts (the GPU's stays until fixed)
  clearError('run', 'weights', 'pick-content', 'pick-style', 'pick-style2', 'pick-style3', 'regions');
  state.job = job;
  changed();
  if (focused) $('pause').focus();
  // on a phone the result sits above the settings: bring it into view
  if (matchMedia('(max-width: 700px)').matches) $('result').scrollIntoView({ block: 'start', behavior: 'smooth' });
  const run = { aside, clock: null as RunClock | null };
  untilStopped(job, runStylize(job, settings, previewEnded, run))
    .catch((e) => {
      const hadResult = run.aside?.restore() ?? false;
      run.aside = null;
      const gpuBusy = e instanceof ForcedStopError ? ' The GPU is still finishing the work queued before Stop (it cannot be recalled); the next run waits for it.' : '';
      if (job.stopped) {
        // stopped before its first step (a forced stop after steps shows its last image: runStylize)
        $('status').textContent = `Stopped before the first step; nothing was made${hadResult ? ' (the result before is kept)' : ''}.${gpuBusy}`;
        if (job.failedCaption && !hadResult) $('result-what').textContent = job.failedCaption.replace('did not finish', 'was stopped before its first step');
        return;
      }
      $('status').textContent = `The run did not finish (the message above says why)${hadResult ? '; the result before is kept' : ''}.`;
      // no "in progress" left behind
      if (job.failedCaption && !hadResult) $('result-what').textContent = job.failedCaption;
      setError(e instanceof WebGpuUnavailableError ? 'gpu' : 'run', explain(e).replace(/--max-gpu-memory/g, 'the GPU memory budget (Advanced settings)'));
    })
    .finally(() => {
      run.clock?.finish();
      $('run-clock').hidden = true;
      state.job = null;
      changed();
      const f = document.activeElement as HTMLButtonElement | null;
      if (!f || f === document.body || f.disabled) $('start').focus();
    });
}

/** The result on show, set aside while a new render prepares: `restore` (true if there was one) when it ends before its first step, `drop` at its first step. */
function setAsideResult(): { restore(): boolean; drop(): void } {
  const previous = currentResult();
  const previousPlotted = plotted.count;
  const kept = keepAside();
  replaceResult(null);
  const shown = shownImageCount();
  const content = state.images.content;
  if (content) drawContentOnStage(content.url, () => shownImageCount() !== shown);
  return {
    restore() {
      kept.restore();
      replaceResult(previous);
      plotted.count = previousPlotted;
      return !!previous;
    },
    drop() {
      if (previous) URL.revokeObjectURL(previous.beforeUrl);
    },
  };
}

async function runStylize(job: Job, config: RunSettings, previewEnded: Promise<void>, run: { aside: { drop(): void } | null; clock: RunClock | null }): Promise<void> {
  const content = state.images.content!;
  const { images, styleNames } = await jobImages();
  const status = $('status');
  status.textContent = afterForcedStop.gpuFinishing ? 'Preparing… (the GPU first finishes the work queued before the last Stop: it cannot be recalled)' : 'Preparing…';
  const net = config.options.network ?? 'vgg19';
  const label = networkSpec(net).label;
  const before = speeds[net];
  const clockLine = $('run-clock');
  clockLine.hidden = false;
  const clock = (run.clock = new RunClock(config.schedule, pixelsAt, before, FIXED_PIXELS[net], (t) => (clockLine.textContent = t), () => job.paused));
  await previewEnded;
  // the render continues from the preview when it shows these images (then it is used up)
  const from = takePreviewImage();
  if (from) config = { ...config, initImage: from.image };
  if (!run.aside) setResult(null);
  const fromWords = from ? `the fast preview (${SQUEEZENET.label}, ${from.image.width}×${from.image.height}, ${plural(from.steps, 'step')})` : '';
  $('result-what').textContent = `${content.name} in the style of ${styleNames}: in progress with ${label}${from ? `, continuing from ${fromWords}` : ''}.`;
  job.failedCaption = `${content.name} in the style of ${styleNames}: the run with ${label} did not finish.`;
  $('result-weights').textContent = '';
  $('result-kernels').textContent = '';
  $('result-memory').textContent = '';
  $('run-note').textContent = '';
  $('run-note').hidden = true;
  const rec = recordRun({ kind: 'render', network: net, size: config.size, style: styleNames, fromPreview: !!from });
  const l = await library();
  if (job.stopped) throw new StoppedError();
  if (weightsKind() === 'squeezenet' && !embeddedHeld()) status.textContent = `Loading the embedded ${SQUEEZENET.label} weights (${EMBEDDED_MB} MB, from this site)…`;
  const weights = await runWeights(jobDeepestLayer(config.options), (p) => (status.textContent = `Downloading pretrained VGG19: ${describeProgress(p)}`), job.stop.signal);
  // the weights are in; the targets and the first evaluation follow (20 s at 768 px on a CPU adapter, where "Loading the weights…" stayed)
  if (!job.stopped) status.textContent = `Preparing the run with ${label}: the content and style targets, then the first evaluation${afterForcedStop.gpuFinishing ? ' (the GPU first finishes the work queued before the last Stop: it cannot be recalled)' : ''}…`;
  let record: ReturnType<typeof lossRecorder> | null = null;
  /** Each scale's size, as the run reports it (for the tiles in the caption). */
  const dims = new Map<number, { width: number; height: number; count: number }>();
  const tuning = jobTuning(l, config.autotune ?? 'auto', (text) => (status.textContent = text));
  const network = `with ${label}${from ? ' from the preview' : ''}`;
  /** The latest image read back, and its step (what a forced stop keeps). */
  let latest: { image: RgbaImage; step: number } | null = null;
  let lastStep = 0;
  /** The status line during the run; while paused it keeps saying so (a step in flight still reports). */
  const say = (text: string) => {
    if (!job.paused && !job.stopped) status.textContent = text;
  };
  /** The measured speed after the run (a stopped run keeps the setup time measured before: it did not run the whole schedule). */
  const measure = (complete: boolean) => {
    const s = clock.finish();
    if (s) speeds[net] = complete || !before ? s : { ...s, setupSeconds: before.setupSeconds };
    return clock.elapsed();
  };
  const ran = runJob(l, images, weights, config, {
    onProgress: (p) => {
      afterForcedStop.gpuFinishing = false;
      clock.progress(p);
      if (p.step > 0 && run.aside) {
        run.aside.drop(); // the first step is in: the result before is gone
        run.aside = null;
      }
      // the loss plot of the run before stays hidden (not shown under "in progress") until this run's first report
      (record ??= lossRecorder(config.options.tvWeight ?? 1))(p.step, p.losses);
      lastStep = p.step;
      dims.set(p.scale.index, { width: p.scale.width, height: p.scale.height, count: p.scale.count });
      const scale = p.scale.count > 1 ? ` — scale ${p.scale.index + 1}/${p.scale.count} (${p.scale.width}×${p.scale.height})` : '';
      if (p.step === 0) {
        say(`Running ${label}${from ? ', continuing from the fast preview' : ''}: timing the first step${scale}…`);
        return;
      }
      say(`step ${p.step}/${p.iterations} ${network}${scale} — about ${formatDuration(clock.secondsLeft())} left (${rate(p.secondsPerStep)}) — loss ${p.losses.total.toExponential(3)}`);
      ((window as unknown as { nstProgress?: { step: number; secondsPerStep: number; elapsed: number }[] }).nstProgress ??= []).push({ step: p.step, secondsPerStep: p.secondsPerStep, elapsed: p.elapsed });
    },
    onPreview: async (img) => {
      latest = { image: img, step: lastStep };
      showImage(img);
      rec.updates++;
      $('preview').setAttribute('aria-label', `The result so far: ${content.name} in the style of ${styleNames}.`);
      await new Promise((res) => setTimeout(res, 0)); // let the page breathe
    },
    onSnapshot: (step, img) => {
      const a = document.createElement('a');
      a.href = imageToDataUrl(img);
      a.download = `stylized_step${step}.png`;
      a.textContent = `step ${step}`;
      $('snapshots').append(a);
    },
    shouldStop: () => job.stopped,
    isPaused: () => job.paused,
    tuner: tuning.tuner,
    // before the run: that it runs in tiles, and why (a note that stays under the status)
    onNotice: (text) => {
      if (/^coarse to fine:/.test(text)) return; // the line under Start shows the schedule, in the page's words
      const note = `Note: ${text}.`;
      status.textContent = note;
      const el = $('run-note');
      el.textContent = el.textContent ? `${el.textContent} ${note}` : note;
      el.hidden = false;
    },
  });
  let r: Awaited<typeof ran>;
  try {
    r = await untilStopped(job, ran);
  } catch (e) {
    const kept = latest as { image: RgbaImage; step: number } | null;
    if (!(e instanceof ForcedStopError) || !kept) throw e;
    measure(false);
    // forced to stop after some steps: the last image read back is the result
    const what = `${content.name} in the style of ${styleNames}: ${kept.image.width}×${kept.image.height} px, stopped at step ${kept.step} with ${label}`;
    showResult(kept.image, content, styleNames, `${what}${from ? `, continued from ${fromWords}` : ''}.`);
    $('result-weights').textContent = weightsNote(weights.kind === 'loaded' ? weights.weights.source : 'seeded random VGG19 (seed 1)');
    status.textContent = `Stopped at step ${kept.step}; the image is that step's. The GPU is still finishing the work queued before Stop (it cannot be recalled); the next run waits for it.`;
    return;
  }
  const seconds = measure(!job.stopped);
  showResult(r.image, content, styleNames, `${content.name} in the style of ${styleNames}: ${r.image.width}×${r.image.height} px, ${plural(r.steps, 'step')} with ${label}${from ? `, continued from ${fromWords}` : ''}.`);
  $('result-weights').textContent = weightsNote(r.weightsSource);
  $('result-kernels').textContent = tuning.summary();
  const deepest = jobDeepestLayer(config.options);
  $('result-memory').textContent = describeMemory(r.peakBytes, r.tiles, dims, (w, h, tile) => planTiles(h, w, tile, deepest).tiles.length);
  const fromNote = from ? `, continuing from the ${SQUEEZENET.label} preview` : '';
  const paused = r.pausedSeconds >= 0.5 ? `, not counting ${r.pausedSeconds.toFixed(0)} s paused` : '';
  status.textContent = `${job.stopped ? 'Stopped' : 'Done'} after ${plural(r.steps, 'step')} (${seconds.toFixed(1)} s${paused}${dims.size > 1 ? `, sizes ${[...dims.values()].map((d) => Math.max(d.width, d.height)).join(' → ')}` : ''}) with ${r.weightsSource}${fromNote}.${tuning.notes()}`;
}
