/** The demo page: style transfer with live preview and loss plot, and the kernel explorer. */
import { createGpuContext, describeContext, WebGpuUnavailableError, type GpuContext } from '../src/kernels/context.js';
import { reflectKernel } from '../src/kernels/kernel.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { KERNEL_NAMES, SHADERS, type KernelName } from '../src/kernels/shaders.js';
import { parseLayerList, type StyleTransferOptions } from '../src/nst/options.js';
import { composeGrid, type GridTile } from '../src/nst/grid.js';
import { reconstructionGrid } from '../src/nst/reconstruct.js';
import { CONTENT_RECONSTRUCTION_LAYERS, DEFAULT_RECONSTRUCTION, STYLE_RECONSTRUCTION_LAYERS, type ReconstructionMode, type ReconstructionSettings } from '../src/nst/reconstruct_targets.js';
import { jobDeepestLayer } from '../src/nst/options.js';
import { deepestLayer } from '../src/nst/vgg19_spec.js';
import { runJob, type JobConfig } from '../src/nst/run.js';
import type { LossTerms, RgbaImage } from '../src/nst/style_transfer.js';
import { cachedPretrained, describeProgress, ensurePretrained, forgetPretrained, pickedWeights, readWeightFiles, rememberChoice, rememberedChoice, weightsFor, type WeightsChoice } from './weights.js';
import { CHECKS, maxRelError } from './checks.js';
import { drawLossPlot } from './plot.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const EXAMPLES = ['chelsea.png', 'hubble_deep_field.jpg', 'rocket.jpg'];

// ---------------------------------------------------------------- errors and GPU

function showError(message: string, restart = false): void {
  const e = $('error');
  e.hidden = false;
  e.textContent = message;
  if (restart) {
    const b = document.createElement('button');
    b.textContent = 'Restart the GPU';
    b.style.marginLeft = '12px';
    b.onclick = () => { lib = null; e.hidden = true; };
    e.append(b);
  }
}
const clearError = () => ($('error').hidden = true);

let lib: KernelLibrary | null = null;
async function library(): Promise<KernelLibrary> {
  if (lib && lib.ctx.lostReason === null) return lib;
  const ctx: GpuContext = await createGpuContext();
  ctx.lost.then((info) => {
    if (info.reason !== 'destroyed') showError(`The GPU device was lost (${info.message || info.reason}). Your browser may have reset the GPU.`, true);
  });
  lib = new KernelLibrary(ctx);
  $('status').textContent = `GPU: ${describeContext(ctx)}`;
  return lib;
}

function explain(e: unknown): string {
  if (e instanceof WebGpuUnavailableError) {
    return `${e.message} This page needs WebGPU: use a recent Chrome or Edge (or Firefox/Safari with WebGPU enabled).`;
  }
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------- image pickers

interface Picked { blob: Blob; name: string }
const picked: Record<string, Picked | null> = { content: null, style: null, style2: null, recon: null };

function makePicker(id: string, key: string, defaultExample: string | null): void {
  const box = $(id);
  const file = document.createElement('input');
  file.type = 'file';
  file.accept = 'image/*';
  const select = document.createElement('select');
  select.innerHTML = `<option value="">${defaultExample ? 'example…' : 'none'}</option>` + EXAMPLES.map((e) => `<option>${e}</option>`).join('');
  const img = document.createElement('img');
  const hint = document.createElement('div');
  hint.className = 'muted';
  hint.textContent = 'drop an image here, pick a file, or choose an example';
  box.append(file, select, hint, img);
  const set = (blob: Blob | null, name: string) => {
    picked[key] = blob ? { blob, name } : null;
    img.src = blob ? URL.createObjectURL(blob) : '';
    img.hidden = !blob;
  };
  file.onchange = () => file.files?.[0] && set(file.files[0], file.files[0].name);
  select.onchange = async () => {
    if (!select.value) return set(null, '');
    const r = await fetch(`./${select.value}`);
    set(await r.blob(), select.value);
  };
  box.ondragover = (e) => { e.preventDefault(); box.classList.add('drag'); };
  box.ondragleave = () => box.classList.remove('drag');
  box.ondrop = (e) => {
    e.preventDefault();
    box.classList.remove('drag');
    const f = e.dataTransfer?.files?.[0];
    if (f) set(f, f.name);
  };
  if (defaultExample) {
    select.value = defaultExample;
    void select.onchange?.(new Event('change'));
  }
}

// ---------------------------------------------------------------- weights

const weightsKind = () => $<HTMLSelectElement>('weights-kind').value as WeightsChoice;

/** The status line under the weights menu, for the current choice. */
async function showWeightsChoice(): Promise<void> {
  const choice = weightsKind();
  $('weights-file').hidden = choice !== 'file';
  const cached = await cachedPretrained().catch(() => null);
  $('weights-forget').hidden = !cached;
  $('weights-pretrained').hidden = choice === 'pretrained' && !!cached;
  const status = $('weights-status');
  if (choice === 'random') status.textContent = 'Weights: seeded random VGG19 (seed 1)';
  else if (choice === 'file') status.textContent = pickedWeights() ? `Weights: ${pickedWeights()!.source} (${pickedWeights()!.layers.size} layers)` : 'Pick a .pth or .safetensors file (or our .json + .bin).';
  else status.textContent = cached ? `Weights: pretrained VGG19 (${cached.layers} layers, ${cached.mb.toFixed(1)} MB kept in this browser)` : 'Weights: pretrained VGG19 — downloaded when you start (~52 MB, once).';
}

/** Download pretrained weights now (the button), with progress in the status line. */
async function downloadPretrained(): Promise<void> {
  clearError();
  $<HTMLSelectElement>('weights-kind').value = 'pretrained';
  rememberChoice('pretrained');
  const button = $<HTMLButtonElement>('weights-pretrained');
  button.disabled = true;
  try {
    $('weights-status').textContent = 'Weights: connecting…';
    const r = await ensurePretrained('conv5_1', (p) => ($('weights-status').textContent = `Downloading pretrained VGG19: ${describeProgress(p)}`));
    await showWeightsChoice();
    if (r.downloaded) $('weights-status').textContent += ' — downloaded.';
  } catch (e) {
    $('weights-status').textContent = 'Weights: the download did not finish (nothing was kept).';
    throw e;
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- run

interface History { steps: number[]; content: number[]; style: number[]; tv: number[]; total: number[] }
let run: { paused: boolean; stopped: boolean } | null = null;

function readOptions(): Partial<StyleTransferOptions> {
  const num = (id: string) => Number($<HTMLInputElement>(id).value);
  return {
    iterations: num('iters'),
    contentWeight: num('content-weight'),
    styleWeight: num('style-weight'),
    tvWeight: num('tv-weight'),
    init: $<HTMLSelectElement>('init').value as StyleTransferOptions['init'],
    optimizer: $<HTMLSelectElement>('optimizer').value as StyleTransferOptions['optimizer'],
    lr: num('lr'),
    pooling: $<HTMLSelectElement>('pooling').value as StyleTransferOptions['pooling'],
    seed: num('seed'),
    originalColors: $<HTMLInputElement>('original-colors').checked,
    contentLayers: parseLayerList($<HTMLInputElement>('content-layers').value),
    styleLayers: parseLayerList($<HTMLInputElement>('style-layers').value),
  };
}

/** Size `c` to the image and draw it. */
function drawImage(c: HTMLCanvasElement, img: RgbaImage): HTMLCanvasElement {
  c.width = img.width;
  c.height = img.height;
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  return c;
}

function showImage(img: RgbaImage): void {
  const c = drawImage($<HTMLCanvasElement>('preview'), img);
  // how many previews were shown, and the first and latest (for end-to-end tests)
  const w = window as unknown as { nstPreviews?: string[] };
  w.nstPreviews = [...(w.nstPreviews ?? []).slice(0, 1), c.toDataURL()];
}

function setRunning(on: boolean): void {
  $<HTMLButtonElement>('start').disabled = on;
  $<HTMLButtonElement>('pause').disabled = !on;
  $<HTMLButtonElement>('stop').disabled = !on;
}

function imageToDataUrl(img: RgbaImage): string {
  return drawImage(document.createElement('canvas'), img).toDataURL('image/png');
}

async function start(): Promise<void> {
  clearError();
  const l = await library();
  if (!picked.content) throw new Error('Choose a content image first.');
  if (!picked.style) throw new Error('Choose a style image first.');
  const options = readOptions();
  const num = (id: string) => Number($<HTMLInputElement>(id).value);
  const size = num('size');
  if (!Number.isInteger(size) || size < 16 || size > 4096) throw new Error(`Output size must be an integer between 16 and 4096, got ${size}.`);
  const styles = [{ blob: picked.style.blob, name: picked.style.name, blend: 1 }];
  if (picked.style2) {
    const b = num('blend');
    styles[0].blend = 1 - b;
    styles.push({ blob: picked.style2.blob, name: picked.style2.name, blend: b });
  }
  const weights = await weightsFor(weightsKind(), jobDeepestLayer(options), (p) => ($('status').textContent = `Downloading pretrained VGG19: ${describeProgress(p)}`));
  const scales = $<HTMLInputElement>('multiscale').checked ? num('scales') : 1;
  const iterations = options.iterations ?? 100;
  const config: JobConfig = {
    size,
    styleScale: num('style-scale'),
    options,
    reportEvery: Math.max(1, Math.min(10, Math.round((iterations * scales) / 50))),
    saveEvery: num('save-every'),
    scales,
  };
  if (!Number.isInteger(config.saveEvery) || config.saveEvery < 0) throw new Error(`"save every" must be a whole number ≥ 0, got ${config.saveEvery}.`);
  const state = (run = { paused: false, stopped: false });
  setRunning(true);
  $('download').classList.add('disabled');
  $('snapshots').textContent = '';
  const hist: History = { steps: [], content: [], style: [], tv: [], total: [] };
  const record = (step: number, t: LossTerms) => {
    hist.steps.push(step);
    hist.content.push(t.contentTotal);
    hist.style.push(t.styleTotal);
    hist.tv.push(t.tv * (options.tvWeight ?? 1));
    hist.total.push(t.total);
    drawLossPlot($<HTMLCanvasElement>('plot'), hist.steps, [
      { name: 'total', color: '#222', values: hist.total },
      { name: 'content', color: '#27c', values: hist.content },
      { name: 'style', color: '#c42', values: hist.style },
      { name: 'TV', color: '#3a3', values: hist.tv },
    ]);
    (window as unknown as { nstHistory: History }).nstHistory = hist;
  };
  try {
    $('status').textContent = 'Preparing…';
    const r = await runJob(l, { content: picked.content.blob, contentName: picked.content.name, styles }, weights, config, {
      onProgress: (p) => {
        record(p.step, p.losses);
        const scale = p.scale.count > 1 ? ` — scale ${p.scale.index + 1}/${p.scale.count} (${p.scale.width}×${p.scale.height})` : '';
        $('status').textContent = `step ${p.step}/${p.iterations}${scale} — total ${p.losses.total.toExponential(3)} — ${p.secondsPerStep.toFixed(2)} s/step — ETA ${(p.secondsPerStep * (p.iterations - p.step)).toFixed(0)} s`;
      },
      onPreview: async (img) => {
        showImage(img);
        await new Promise((res) => setTimeout(res, 0)); // let the page breathe
      },
      onSnapshot: (step, img) => {
        const a = document.createElement('a');
        a.href = imageToDataUrl(img);
        a.download = `stylized_step${step}.png`;
        a.textContent = `step ${step}`;
        $('snapshots').append(a);
      },
      shouldStop: () => state.stopped,
      isPaused: () => state.paused,
    });
    showImage(r.image);
    const a = $<HTMLAnchorElement>('download');
    a.href = imageToDataUrl(r.image);
    a.classList.remove('disabled');
    $('status').textContent = `${state.stopped ? 'Stopped' : 'Done'} after ${r.steps} steps (${r.seconds.toFixed(1)} s${scales > 1 ? `, sizes ${r.sizes.join(' → ')}` : ''}) with ${r.weightsSource}.`;
  } finally {
    setRunning(false);
    run = null;
  }
}

// ---------------------------------------------------------------- reconstructions

let recon: { stopped: boolean } | null = null;

async function startReconstruction(): Promise<void> {
  clearError();
  const l = await library();
  const p = picked.recon;
  if (!p) throw new Error('Choose an image to reconstruct first.');
  const mode = $<HTMLSelectElement>('recon-mode').value as ReconstructionMode;
  const size = Number($<HTMLInputElement>('recon-size').value);
  const iterations = Number($<HTMLInputElement>('recon-iters').value);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 100000) throw new Error(`Steps must be a whole number between 1 and 100000, got ${iterations}.`);
  const settings: ReconstructionSettings = {
    ...DEFAULT_RECONSTRUCTION,
    iterations,
    pooling: $<HTMLSelectElement>('recon-pooling').value as ReconstructionSettings['pooling'],
    layers: mode === 'content' ? CONTENT_RECONSTRUCTION_LAYERS : STYLE_RECONSTRUCTION_LAYERS,
  };
  const state = (recon = { stopped: false });
  $<HTMLButtonElement>('recon-start').disabled = true;
  $<HTMLButtonElement>('recon-stop').disabled = false;
  $('recon-download').classList.add('disabled');
  const canvas = $<HTMLCanvasElement>('recon-grid');
  const draw = (img: RgbaImage) => drawImage(canvas, img);
  const done: GridTile[] = [];
  try {
    const weights = await weightsFor(weightsKind(), deepestLayer(settings.layers), (q) => ($('recon-status').textContent = `Downloading pretrained VGG19: ${describeProgress(q)}`));
    const r = await reconstructionGrid(l, { image: p.blob, name: p.name, mode, size, settings }, weights, {
      onProgress: (q) => {
        $('recon-status').textContent = `${q.index + 1}/${q.count} ${q.label}: step ${q.step}/${q.iterations}, loss ${q.loss.toExponential(3)} (${q.elapsed.toFixed(0)} s)`;
      },
      onTile: (_i, tile) => {
        done.push(tile);
        draw(composeGrid(`${mode} reconstructions (${done.length} done)`, done));
      },
      shouldStop: () => state.stopped,
    });
    draw(r.grid);
    const a = $<HTMLAnchorElement>('recon-download');
    a.href = canvas.toDataURL('image/png');
    a.classList.remove('disabled');
    (window as unknown as { nstReconstruction: { labels: string[]; width: number; height: number } }).nstReconstruction = { labels: r.tiles.map((t) => t.label), width: r.grid.width, height: r.grid.height };
    $('recon-status').textContent = `${state.stopped ? 'Stopped' : 'Done'}: ${r.tiles.length} reconstructions in ${r.seconds.toFixed(1)} s with ${r.weightsSource} (weights as chosen on the Style transfer tab).`;
  } finally {
    $<HTMLButtonElement>('recon-start').disabled = false;
    $<HTMLButtonElement>('recon-stop').disabled = true;
    recon = null;
  }
}

// ---------------------------------------------------------------- kernel explorer

function showKernel(name: KernelName): void {
  for (const li of document.querySelectorAll('#kernel-list li')) li.classList.toggle('active', li.textContent === name);
  const src = SHADERS[name];
  const k = reflectKernel(name, src);
  $('kernel-name').textContent = name;
  $('kernel-info').textContent = `workgroup size ${k.workgroupSize.join('×')}, entry point ${k.entryPoint}; check shape: ${CHECKS[name]?.shape ?? '—'}`;
  $('kernel-bindings').innerHTML =
    '<tr><th>binding</th><th>name</th><th>kind</th></tr>' +
    k.bindings.map((b) => `<tr><td>${b.binding}</td><td>${b.name}</td><td>${b.kind}</td></tr>`).join('') +
    `<tr><td colspan="3">params: ${k.params.map((p) => `${p.name}: ${p.type} @${p.offset}`).join(', ')}</td></tr>`;
  $('kernel-source').textContent = src;
  $('kernel-result').textContent = '';
  $('kernel-run').dataset.kernel = name;
}

async function runCheck(): Promise<void> {
  const name = $('kernel-run').dataset.kernel as KernelName;
  const check = CHECKS[name];
  if (!check) return;
  const l = await library();
  $('kernel-result').textContent = 'running…';
  const t0 = performance.now();
  const pairs = await check.run(l);
  const ms = performance.now() - t0;
  const err = maxRelError(pairs);
  $('kernel-result').textContent = `max relative error ${err.toExponential(2)} (vs the CPU reference), ${ms.toFixed(1)} ms including upload and readback — ${err < 1e-4 ? 'OK' : 'MISMATCH'}`;
}

// ---------------------------------------------------------------- wiring

function guard(f: () => Promise<void>) {
  return () => f().catch((e) => {
    showError(explain(e));
    setRunning(false);
  });
}

for (const view of ['stylize', 'reconstruct', 'explorer']) {
  $(`tab-${view}`).onclick = () => {
    for (const v of ['stylize', 'reconstruct', 'explorer']) {
      $(`view-${v}`).hidden = v !== view;
      $(`tab-${v}`).classList.toggle('active', v === view);
    }
  };
}
$('kernel-list').innerHTML = KERNEL_NAMES.map((n) => `<li>${n}</li>`).join('');
for (const li of document.querySelectorAll<HTMLLIElement>('#kernel-list li')) li.onclick = () => showKernel(li.textContent as KernelName);
showKernel('conv2d_forward');
$('kernel-run').onclick = guard(runCheck);
makePicker('pick-content', 'content', 'chelsea.png');
makePicker('pick-style', 'style', 'hubble_deep_field.jpg');
makePicker('pick-style2', 'style2', null);
makePicker('pick-recon', 'recon', 'chelsea.png');
$('recon-start').onclick = guard(startReconstruction);
$('recon-stop').onclick = () => { if (recon) recon.stopped = true; };
$<HTMLInputElement>('blend').oninput = () => ($('blend-out').textContent = $<HTMLInputElement>('blend').value);
$<HTMLSelectElement>('weights-kind').onchange = guard(async () => {
  rememberChoice(weightsKind());
  await showWeightsChoice();
});
$<HTMLInputElement>('weights-file').onchange = guard(async () => {
  $('weights-status').textContent = 'Reading weights…';
  try {
    await readWeightFiles([...$<HTMLInputElement>('weights-file').files!]);
  } finally {
    await showWeightsChoice();
  }
});
$('weights-pretrained').onclick = guard(downloadPretrained);
$('weights-forget').onclick = guard(async () => {
  await forgetPretrained();
  if (weightsKind() === 'pretrained') $<HTMLSelectElement>('weights-kind').value = 'random';
  rememberChoice(weightsKind());
  await showWeightsChoice();
  $('weights-status').textContent += ' (downloaded weights forgotten)';
});
$<HTMLSelectElement>('weights-kind').value = rememberedChoice();
void showWeightsChoice();
$<HTMLSelectElement>('optimizer').onchange = () => ($<HTMLInputElement>('lr').value = $<HTMLSelectElement>('optimizer').value === 'lbfgs' ? '1' : '0.05');
$('start').onclick = guard(start);
$('pause').onclick = () => {
  if (!run) return;
  run.paused = !run.paused;
  $('pause').textContent = run.paused ? 'Resume' : 'Pause';
};
$('stop').onclick = () => { if (run) run.stopped = true; };
drawLossPlot($<HTMLCanvasElement>('plot'), [], []);
library().catch((e) => showError(explain(e)));
