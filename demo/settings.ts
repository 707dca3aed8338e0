/** The Style transfer form read as a run's settings, what this GPU cannot run, and the line under Start (the schedule and its time). */
import { jobDeepestLayer, minImageSide, parseLayerList, type StyleTransferOptions } from '../src/nst/options.js';
import type { JobConfig } from '../src/job/prepare.js';
import { networkSpec } from '../src/model/networks.js';
import { maxImageSide, tiledBufferProblem } from '../src/nst/device_limits.js';
import { fitSize } from '../src/io/decode.js';
import { autotuneMode } from './autotune.js';
import { $, wholeNumber } from './dom.js';
import { state, type Picked } from './state.js';
import { memoryBudget } from './memory_budget.js';
import { startIsRender } from './preview.js';
import { chosenNetwork } from './weights_panel.js';
import { estimateLine, pageSchedule, type ScalesChoice } from './run_plan.js';
import type { Schedule } from '../src/job/schedule.js';
import { currentLibrary } from './gpu.js';

export const num = (id: string) => Number($<HTMLInputElement>(id).value);
/** The scales menu: 'auto' (coarse to fine where the size needs it) or a number (1: one scale). */
const scalesChoice = (): ScalesChoice => ($<HTMLSelectElement>('scales').value === 'auto' ? 'auto' : Number($<HTMLSelectElement>('scales').value));

/** The page's run settings: a size in pixels (the page has no 'full'), the scales it asks for, and the schedule they make. */
export type RunSettings = Omit<JobConfig, 'size' | 'scales'> & { size: number; iterations: number; scales: ScalesChoice; schedule: Schedule };

/** The size field's cap (the engine's MAX_SIDE: large sizes run in tiles where memory is short). */
const MAX_SIZE = 8192;
/** Above this size the line under Start warns that runs are slow. */
const LARGE_SIZE = 2048;

/** Settings every network uses (size, steps, start image, optimizer, seed, colours); throws naming the field at fault. */
export function readShared() {
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
export function readNetworkSettings() {
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
export function readSettings(): RunSettings {
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
export function pixelsAt(size: number): number {
  const c = state.images.content;
  return c ? size * Math.round((size * Math.min(c.width, c.height)) / Math.max(c.width, c.height)) : size * size;
}


/**
 * Why a run at these settings cannot fit this GPU's buffers at all, even in tiles (null: it can, or
 * the GPU is not known yet). The run refuses it too, before any GPU work; this says it before Start.
 */
export function sizeProblem(c: RunSettings): string | null {
  const lib = currentLibrary();
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
export function checkedSettings(): RunSettings {
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
export function showEstimate(): void {
  if (state.job?.kind === 'stylize') return; // the run's own estimate stands
  if (document.body.dataset.gpu === 'none') {
    // no GPU defaults or times to promise: nothing runs until WebGPU works (the message above says how)
    $('estimate').textContent = 'Nothing can run in this browser until WebGPU works (see the message above); reload the page after changing the setting.';
    return;
  }
  let text = '';
  try {
    const c = readSettings();
    const label = networkSpec(chosenNetwork()).label;
    const what = startIsRender() ? `Render with ${label} at these settings takes` : `At these settings a ${label} run takes`;
    const problem = sizeProblem(c) ?? tooSmallImage(c);
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

/**
 * A picked image smaller than the chosen layers need, said under Start before it is pressed (a 1×1
 * image had "roughly 24 s" there; the run refuses it, naming it, when Start is pressed).
 */
function tooSmallImage(c: RunSettings): string | null {
  const min = minImageSide(jobDeepestLayer(c.options), c.options.network ?? 'vgg19');
  const used: [string, Picked | null][] = [['content image', state.images.content], ['style image', state.images.style], ['second style image', state.images.style2]];
  if ($<HTMLInputElement>('regions-on').checked) used.push(['third style image', state.images.style3]);
  for (const [what, p] of used) {
    if (p && (p.width < min || p.height < min)) return `The ${what} ${p.name} is ${p.width}×${p.height} pixels; the chosen layers need at least ${min}×${min}: choose a larger image.`;
  }
  return null;
}

/** "Keep colours": off, or the mode (luminance transfer, or the styles recoloured first by histogram matching). */
export function keepColours(): StyleTransferOptions['originalColors'] {
  const v = $<HTMLSelectElement>('original-colors').value;
  return v === 'luminance' || v === 'histogram' ? v : false;
}
