/** The demo page: style transfer with live preview and loss plot, reconstructions, and the kernel explorer. */
import { createGpuContext, describeContext, WebGpuUnavailableError, type GpuContext } from '../src/kernels/context.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { jobDeepestLayer, parseLayerList, type StyleTransferOptions } from '../src/nst/options.js';
import { runJob, StoppedError } from '../src/job/run.js';
import { type JobConfig, type JobImages } from '../src/job/prepare.js';
import { networkSpec, SQUEEZENET, type NetworkId } from '../src/model/networks.js';
import { maxImageSide, tiledBufferProblem } from '../src/nst/device_limits.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { fitSize } from '../src/io/decode.js';
import { formatDuration } from '../src/job/duration.js';
import { autotuneMode, jobTuning, setupAutotune } from './autotune.js';
import { $, clearError, explain, hasError, onErrorCleared, plural, rate, setError, wholeNumber } from './dom.js';
import { setupExplorer } from './explorer.js';
import { makePicker } from './pickers.js';
import { lossRecorder, plotted } from './plot.js';
import { startReconstruction } from './reconstruct.js';
import { changed, newJob, onChange, state, type Job } from './state.js';
import { ForcedStopError, requestStop, untilStopped } from './stopping.js';
import { setupTabs } from './tabs.js';
import { describeMemory, memoryBudget, setupMemoryBudget } from './memory_budget.js';
import { planTiles } from '../src/nst/tiles.js';
import { PAGE_RECONSTRUCTION_DEFAULTS } from '../src/nst/defaults.js';
import { applyNetworkDefaults, RUN_DEFAULTS, setupNetworkDefaults, useSoftwareDefaults } from './network_defaults.js';
import { dropStalePreview, endPreviewForRender, isPreviewOn, schedulePreview, setupPreview, showModeNote, showPreviewControls, startIsRender, stopPreview, takePreviewImage, togglePreview } from './preview.js';
import { chosenNetwork, runWeights, setupWeights, weightsKind, weightsReady } from './weights_panel.js';
import { describeProgress } from './weights.js';
import { embeddedHeld, EMBEDDED_MB } from './embedded.js';
import { regionMasks, renderRegions, setupRegions } from './regions.js';
import { CONFIRM_SECONDS, estimateLine, FIXED_PIXELS, pageSchedule, scalePriors, speeds, useSoftwarePriors, type ScalesChoice } from './run_plan.js';
import { probeSeconds, PROBE_REFERENCE_SECONDS, watchProbes } from './speed_probe.js';
import { RunClock } from './run_clock.js';
import { drawContentOnStage, keepAside } from './kept_result.js';
import type { Schedule } from '../src/job/schedule.js';

// ---------------------------------------------------------------- GPU

let lib: KernelLibrary | null = null;
async function library(): Promise<KernelLibrary> {
  if (lib && lib.ctx.lostReason === null) return lib;
  const ctx: GpuContext = await createGpuContext();
  ctx.lost.then((info) => {
    if (info.reason === 'destroyed') return;
    setError('gpu', `The GPU device was lost (${info.message || info.reason}). Your browser may have reset the GPU.`, {
      label: 'Restart the GPU',
      run: () => {
        lib = null;
        clearError('gpu');
      },
    });
  });
  lib = new KernelLibrary(ctx);
  clearError('gpu');
  $('gpu-info').textContent = `Adapter: ${describeContext(ctx)}`;
  if (document.body.dataset.gpu === undefined) adaptToAdapter(ctx.info.isSoftware);
  return lib;
}

/** Destroy the GPU device (a Stop the job did not answer in time: stopping.ts); the next run gets a fresh one. */
function dropDevice(): void {
  const l = lib;
  lib = null;
  l?.ctx.device.destroy();
  gpuFinishingStoppedWork = true;
}
/** After a forced stop the GPU still finishes the work queued before it (it cannot be recalled): the next run waits for it, and says so. */
let gpuFinishingStoppedWork = false;

/** On a CPU (software) adapter: say so, and lower the defaults the user has not changed. */
function adaptToAdapter(software: boolean): void {
  document.body.dataset.gpu = software ? 'software' : 'hardware';
  if (!software) return;
  const lower = (id: string, from: string, to: string) => {
    const input = $<HTMLInputElement>(id);
    if (input.value === from) input.value = to;
  };
  useSoftwareDefaults();
  const r = PAGE_RECONSTRUCTION_DEFAULTS;
  lower('recon-size', String(r.hardware.size), String(r.software.size));
  lower('recon-iters', String(r.hardware.iters), String(r.software.iters));
  useSoftwarePriors();
  // how busy the cores are now: the priors follow (a run's own measurements replace them)
  const probing = lib;
  if (probing)
    watchProbes(() => probeSeconds(probing), () => !!state.job, (seconds, probes) => {
      Object.assign(window, { nstProbeSeconds: seconds, nstProbes: [...probes] });
      scalePriors(seconds / PROBE_REFERENCE_SECONDS);
      showEstimate();
    });
  const d = RUN_DEFAULTS.software;
  const note = $('adapter-note');
  note.textContent =
    'Your browser runs WebGPU on the CPU (a software adapter): runs are slow, so the defaults are reduced to finish in about a minute ' +
    `(${SQUEEZENET.label}: ${d.squeezenet.size} px, ${d.squeezenet.iters} steps; VGG19: ${d.vgg19.size} px, ${d.vgg19.iters} steps). With a GPU, larger sizes take seconds.`;
  note.hidden = false;
  showEstimate();
}

// ---------------------------------------------------------------- settings

const num = (id: string) => Number($<HTMLInputElement>(id).value);
/** The scales menu: 'auto' (coarse to fine where the size needs it) or a number (1: one scale). */
const scalesChoice = (): ScalesChoice => ($<HTMLSelectElement>('scales').value === 'auto' ? 'auto' : Number($<HTMLSelectElement>('scales').value));

/** The page's run settings: a size in pixels (the page has no 'full'), the scales it asks for, and the schedule they make. */
type RunSettings = Omit<JobConfig, 'size' | 'scales'> & { size: number; iterations: number; scales: ScalesChoice; schedule: Schedule };

/** The size field's cap (the engine's MAX_SIDE: large sizes run in tiles where memory is short). */
const MAX_SIZE = 8192;
/** Above this size the line under Start warns that runs are slow. */
const LARGE_SIZE = 2048;

/** Settings every network uses (size, steps, start image, optimizer, seed, colours); throws naming the field at fault. */
function readShared() {
  const size = wholeNumber('size', 'Size', 16, MAX_SIZE);
  const iterations = wholeNumber('iters', 'Steps', 1, 100000);
  const options: Partial<StyleTransferOptions> = {
    iterations,
    init: $<HTMLSelectElement>('init').value as StyleTransferOptions['init'],
    optimizer: $<HTMLSelectElement>('optimizer').value as StyleTransferOptions['optimizer'],
    seed: num('seed'),
    originalColors: keepColours(),
  };
  return { size, iterations, options, styleScale: num('style-scale'), autotune: autotuneMode() };
}

/** The shared settings and the network's own (layers, α, β, TV, pooling, learning rate), for the chosen network; throws naming the field at fault. */
function readNetworkSettings() {
  const shared = readShared();
  const network = chosenNetwork();
  const options: Partial<StyleTransferOptions> = {
    ...shared.options,
    network,
    contentWeight: num('content-weight'),
    styleWeight: num('style-weight'),
    tvWeight: num('tv-weight'),
    pooling: $<HTMLSelectElement>('pooling').value as StyleTransferOptions['pooling'],
    lr: num('lr'),
    contentLayers: parseLayerList($<HTMLInputElement>('content-layers').value, network),
    styleLayers: parseLayerList($<HTMLInputElement>('style-layers').value, network),
  };
  return { ...shared, options, network };
}

/** The run's settings from the form; throws a plain message naming the field at fault. */
function readSettings(): RunSettings {
  const { network, ...shared } = readNetworkSettings();
  const scales = scalesChoice();
  const schedule = pageSchedule(shared.size, network, scales, shared.iterations);
  const saveEvery = wholeNumber('save-every', '"Save every N steps"', 0, 100000);
  const total = schedule.iterations.reduce((a, b) => a + b, 0);
  const reportEvery = Math.max(1, Math.min(10, Math.round(total / 50)));
  // the memory budget tiles VGG19 runs only (SqueezeNet runs untiled, in far less memory)
  return { ...shared, reportEvery, saveEvery, scales, scaleIterations: [shared.iterations], schedule, maxGpuMemory: network === 'vgg19' ? memoryBudget() : undefined };
}

/** Output pixels at `size` (longer side), for the content image's aspect. */
function pixelsAt(size: number): number {
  const c = state.images.content;
  return c ? size * Math.round((size * Math.min(c.width, c.height)) / Math.max(c.width, c.height)) : size * size;
}


/**
 * Why a run at these settings cannot fit this GPU's buffers at all, even in tiles (null: it can, or
 * the GPU is not known yet). The run refuses it too, before any GPU work; this says it before Start.
 */
function sizeProblem(c: RunSettings): string | null {
  if (!lib) return null;
  const img = state.images.content;
  const { width, height } = img ? fitSize(img.width, img.height, c.size) : { width: c.size, height: c.size };
  const net = chosenNetwork();
  if (net === 'vgg19') {
    const problem = tiledBufferProblem(lib, width, height);
    return problem ? `This size cannot run on this GPU, even in tiles — ${problem}.` : null;
  }
  const max = maxImageSide(lib, networkSpec(net));
  const side = Math.max(width, height);
  return side > max ? `At ${side} px ${networkSpec(net).label} does not fit this GPU's buffers (its largest side here is ${max} px): choose a smaller size, or VGG19, which runs large sizes in tiles.` : null;
}

/** The run's settings, refused (throwing) where the form is wrong or the size fits this GPU in no way. */
function checkedSettings(): RunSettings {
  const settings = readSettings();
  const problem = sizeProblem(settings);
  if (problem) throw new Error(problem);
  return settings;
}

/**
 * The line under Start: how long a run at these settings takes with the chosen network (when
 * known). Once the button reads "Render with …" (the fast preview is on, or its image is held) it
 * names the render, so it does not read as the preview's time (the preview's speed is in the status).
 */
function showEstimate(): void {
  if (state.job?.kind === 'stylize') return; // the run's own estimate stands
  let text = '';
  try {
    const c = readSettings();
    const label = networkSpec(chosenNetwork()).label;
    const what = startIsRender() ? `Render with ${label} at these settings takes` : `At these settings a ${label} run takes`;
    const problem = sizeProblem(c);
    if (problem) {
      $('estimate').textContent = problem;
      return;
    }
    const e = estimateLine(c.schedule, chosenNetwork(), pixelsAt, what);
    text = e.text;
    (window as unknown as { nstEstimateSeconds?: number }).nstEstimateSeconds = e.seconds; // for the tests and npm run screenshots
    if (c.size > LARGE_SIZE) text += `${text ? ' ' : ''}Large sizes are slow: the time per step grows with the number of pixels, and a size that does not fit the GPU's memory runs in tiles, which adds more.`;
  } catch {
    // the error box says what is wrong once Start is pressed
  }
  $('estimate').textContent = text;
}

// ---------------------------------------------------------------- result area

/** What the stage shows once a run ends (a render or a fast preview), and the content image it was made from (for the before/after comparison). */
let result: { beforeUrl: string; kind: 'render' | 'preview' } | null = null;

function setResult(next: typeof result): void {
  if (result) URL.revokeObjectURL(result.beforeUrl);
  result = next;
}

function setStageAspect(width: number, height: number): void {
  $('stage').style.setProperty('--ar', (width / height).toFixed(4));
}

let stageRunning = false;

/** Stage: the content image with a note before any result; the live image while running; before/after once done. */
function showStage(): void {
  const running = state.job?.kind === 'stylize' || state.job?.kind === 'preview';
  const before = $<HTMLImageElement>('before');
  const content = state.images.content;
  // a run starting from the content image shows it until its first image (not an empty stage)
  if (running && !stageRunning && !result && before.complete && before.naturalWidth > 0) {
    const c = $<HTMLCanvasElement>('preview');
    [c.width, c.height] = [before.naturalWidth, before.naturalHeight];
    c.getContext('2d')!.drawImage(before, 0, 0);
  }
  stageRunning = running;
  $('placeholder').hidden = running || !!result;
  $('preview').hidden = !running && !result;
  $('compare-row').hidden = running || !result;
  $('stage').classList.toggle('comparing', !running && !!result);
  if (!running && !result && content) {
    before.src = content.url;
    before.alt = `Content image ${content.name}; the result appears here.`;
    setStageAspect(content.width, content.height);
  } else if (result) before.src = result.beforeUrl;
  before.hidden = running || (!result && !content);
  // the loss plot: only with a line to draw, and once a run has ended only next to its result
  if (!running) $('plot').hidden = !result || plotted.count < 2;
}

function drawImage(c: HTMLCanvasElement, img: RgbaImage): HTMLCanvasElement {
  c.width = img.width;
  c.height = img.height;
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  return c;
}

/** How many images runs have drawn on the stage (a content image drawn late must not cover one). */
let shownImages = 0;

function showImage(img: RgbaImage): void {
  shownImages++;
  const c = drawImage($<HTMLCanvasElement>('preview'), img);
  setStageAspect(img.width, img.height);
  // how many previews were shown, and the first and latest (for end-to-end tests)
  const w = window as unknown as { nstPreviews?: string[] };
  w.nstPreviews = [...(w.nstPreviews ?? []).slice(0, 1), c.toDataURL()];
}

const imageToDataUrl = (img: RgbaImage) => drawImage(document.createElement('canvas'), img).toDataURL('image/png');

function weightsNote(source: string): string {
  return source.startsWith('seeded random')
    ? `Made with the ${source}: it carries colours and textures only; for painterly results choose pretrained weights under Network and weights.`
    : `Made with ${source}.`;
}

// ---------------------------------------------------------------- run

/** "Keep colours": off, or the mode (luminance transfer, or the styles recoloured first by histogram matching). */
function keepColours(): StyleTransferOptions['originalColors'] {
  const v = $<HTMLSelectElement>('original-colors').value;
  return v === 'luminance' || v === 'histogram' ? v : false;
}

/**
 * The job's images from the pickers and the style names for captions: a second style blended by
 * the slider, or with regions each chosen style (up to three) with its painted map.
 */
async function jobImages(): Promise<{ images: JobImages; styleNames: string }> {
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
interface RunRecord { kind: 'render' | 'preview'; network: string; size: number; style: string; fromPreview: boolean; updates: number }
function recordRun(r: Omit<RunRecord, 'updates'>): RunRecord {
  const w = window as unknown as { nstRuns?: RunRecord[] };
  const rec = { ...r, updates: 0 };
  (w.nstRuns ??= []).push(rec);
  return rec;
}

/** Start a run (the chosen network), unless one is running or inputs are loading (the button is disabled then too). */
function start(): void {
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
  const previous = result;
  const previousPlotted = plotted.count;
  const kept = keepAside();
  result = null;
  const shown = shownImages;
  const content = state.images.content;
  if (content) drawContentOnStage(content.url, () => shownImages !== shown);
  return {
    restore() {
      kept.restore();
      result = previous;
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
  status.textContent = gpuFinishingStoppedWork ? 'Preparing… (the GPU first finishes the work queued before the last Stop: it cannot be recalled)' : 'Preparing…';
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
  if (!job.stopped) status.textContent = `Preparing the run with ${label}: the content and style targets, then the first evaluation${gpuFinishingStoppedWork ? ' (the GPU first finishes the work queued before the last Stop: it cannot be recalled)' : ''}…`;
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
      gpuFinishingStoppedWork = false;
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

/** A render's result on the stage, with its caption's first part and the download link. */
function showResult(image: RgbaImage, content: { blob: Blob; name: string }, styleNames: string, what: string): void {
  showImage(image);
  setResult({ beforeUrl: URL.createObjectURL(content.blob), kind: 'render' });
  $('preview').setAttribute('aria-label', `The result: ${content.name} in the style of ${styleNames}, ${image.width}×${image.height} pixels.`);
  $<HTMLImageElement>('before').alt = `Before: the content image ${content.name}, shown over the left part of the result.`;
  $('result-what').textContent = what;
  showDownload(image, 'stylized.png', 'Download PNG');
}

/** The download link under the stage, for `image`. */
function showDownload(image: RgbaImage, name: string, label: string): void {
  const a = $<HTMLAnchorElement>('download');
  a.href = imageToDataUrl(image);
  a.download = name;
  a.textContent = label;
  a.hidden = false;
}

// ---------------------------------------------------------------- state → page

/** What Start waits for, or '' when it can start. */
function startBlocker(): string {
  if (state.job?.kind === 'stylize') return 'Settings are locked while the run is going; Stop it to change them.';
  if (state.job?.kind === 'reconstruct') return 'A reconstruction is running (Reconstructions tab).';
  if (state.loading.size) return `Loading the ${[...state.loading].join(', ')}…`;
  if (!state.images.content || !state.images.style) return 'Choose a content and a style image.';
  if (!weightsReady()) return 'Pick a weights file under Network and weights, or choose other weights.';
  return '';
}
const canStart = () => startBlocker() === '';

function render(): void {
  const job = state.job;
  const stylizing = job?.kind === 'stylize';
  const previewing = job?.kind === 'preview';
  const reconstructing = job?.kind === 'reconstruct';
  dropStalePreview();
  const start = $<HTMLButtonElement>('start');
  start.disabled = !canStart();
  start.textContent = startIsRender() ? `Render with ${networkSpec(chosenNetwork()).label}` : 'Start';
  $('start-note').textContent = startBlocker();
  showPreviewControls();
  $<HTMLButtonElement>('pause').disabled = !stylizing;
  $('pause').textContent = job?.paused ? 'Resume' : 'Pause';
  $<HTMLButtonElement>('stop').disabled = !stylizing && !previewing && !isPreviewOn();
  for (const f of document.querySelectorAll<HTMLFieldSetElement>('#view-stylize fieldset.lock')) f.disabled = stylizing;
  for (const f of document.querySelectorAll<HTMLFieldSetElement>('#view-reconstruct fieldset.lock')) f.disabled = reconstructing;
  $<HTMLButtonElement>('recon-start').disabled = !!job || state.loading.has('image to reconstruct') || !state.images.recon || !weightsReady();
  $<HTMLButtonElement>('recon-stop').disabled = !reconstructing;
  $<HTMLButtonElement>('recon-weights-change').disabled = reconstructing;
  showStage();
  showEstimate();
}

// ---------------------------------------------------------------- wiring

/** A handler whose errors go to the error box under `source`. */
function guard(source: string, f: () => Promise<void>) {
  return () => {
    f().catch((e) => setError(e instanceof WebGpuUnavailableError ? 'gpu' : source, explain(e)));
  };
}

setupPreview({ library, readShared, readNetworkSettings, jobImages, lossRecorder, recordRun, showImage, resultKind: () => result?.kind ?? null, setResult, showDownload });
onChange(render);
const selectTab = setupTabs(document.querySelector<HTMLElement>('[role=tablist]')!);
setupExplorer(library, (f) => guard('run', f));
makePicker('content', 'Content image', 'chelsea.png');
makePicker('style', 'Style image', 'starry_night.jpg');
makePicker('style2', 'Second style image', null);
makePicker('style3', 'Third style image', null);
setupRegions();
onChange(renderRegions);
makePicker('recon', 'Image to reconstruct', 'chelsea.png');
setupWeights(guard);
setupAutotune();
setupMemoryBudget();

$('start').onclick = start;
$('fast-preview').onclick = togglePreview;
$('pause').onclick = () => {
  if (state.job?.kind !== 'stylize') return;
  state.job.paused = !state.job.paused;
  $('status').textContent = state.job.paused ? 'Paused. Settings stay locked until the run ends: Resume, or Stop to keep the image so far.' : 'Resuming…';
  changed();
};
$('stop').onclick = () => {
  const job = state.job;
  if (job?.kind !== 'stylize') return stopPreview();
  if (job.stopped) return;
  requestStop(job, dropDevice);
  $('status').textContent = 'Stopping…';
};
$('recon-start').onclick = guard('run', async () => {
  clearError('run');
  const focused = document.activeElement === $('recon-start');
  const running = startReconstruction(library);
  if (focused) $('recon-stop').focus();
  try {
    await running;
  } finally {
    const f = document.activeElement as HTMLButtonElement | null;
    if (!f || f === document.body || f.disabled) $('recon-start').focus();
  }
});
$('recon-stop').onclick = () => {
  const job = state.job;
  if (job?.kind !== 'reconstruct' || job.stopped) return;
  requestStop(job, dropDevice);
  $('recon-status').textContent = 'Stopping…';
};
$('recon-weights-change').onclick = () => {
  selectTab($('tab-stylize'));
  $('weights-kind').focus();
};

// settings: a fixed field clears its message; the estimate follows the settings; the fast preview too
$('view-stylize').addEventListener('input', () => {
  if (hasError('settings') || hasError('run')) {
    clearError('run');
    try {
      checkedSettings();
      clearError('settings');
    } catch {
      // still wrong: the message stays
    }
  }
  showEstimate();
  showModeNote();
  schedulePreview();
});
// a failed run's texts point at its message: they go with it
onErrorCleared((source) => {
  if (source !== 'run' || state.job) return;
  if (/^The (run|fast preview) did not finish|^The fast preview stopped/.test($('status').textContent ?? '')) $('status').textContent = 'Ready.';
  if (/: the run with .* did not finish\.$/.test($('result-what').textContent ?? '')) $('result-what').textContent = '';
});
setupNetworkDefaults();
applyNetworkDefaults(weightsKind(), chosenNetwork());
onChange(() => applyNetworkDefaults(weightsKind(), chosenNetwork())); // the weights menu also changes programmatically
onChange(schedulePreview); // new images restart the preview
$('compare').oninput = () => $('stage').style.setProperty('--split', `${$<HTMLInputElement>('compare').value}%`);
$<HTMLInputElement>('blend').oninput = () => ($('blend-out').textContent = $<HTMLInputElement>('blend').value);
render();
library().catch((e) => {
  document.body.dataset.gpu = 'none';
  setError('gpu', explain(e));
});

// leaving the page (reload, close, another address) while a render or reconstruction runs loses it: the browser asks first
addEventListener('beforeunload', (e) => {
  if (state.job && state.job.kind !== 'preview') e.preventDefault();
});
