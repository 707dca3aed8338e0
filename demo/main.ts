/** The demo page: style transfer with live preview and loss plot, and the kernel explorer. */
import { createGpuContext, describeContext, WebGpuUnavailableError, type GpuContext } from '../src/kernels/context.js';
import { reflectKernel } from '../src/kernels/kernel.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { KERNEL_NAMES, SHADERS, type KernelName } from '../src/kernels/shaders.js';
import { decodeImage, fitSize, rasterize } from '../src/nst/decode.js';
import { parseLayerList, type StyleTransferOptions } from '../src/nst/options.js';
import { maxImageSide, StyleTransfer, type LossTerms, type RgbaImage } from '../src/nst/style_transfer.js';
import { convertTorchvisionVgg19 } from '../src/nst/torch_pth.js';
import { deepestLayer } from '../src/nst/vgg19_spec.js';
import { parseRawWeights, randomVgg19, type VggWeights } from '../src/nst/weights.js';
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
const picked: Record<string, Picked | null> = { content: null, style: null, style2: null };

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

let fileWeights: VggWeights | null = null;
async function readWeightFiles(files: FileList): Promise<void> {
  const list = [...files];
  const status = $('weights-status');
  status.textContent = 'Reading weights…';
  const pth = list.find((f) => /\.pth?$/.test(f.name));
  if (pth) {
    status.textContent = `Converting ${pth.name} (${(pth.size / 1e6).toFixed(0)} MB)…`;
    await new Promise((r) => setTimeout(r, 20));
    fileWeights = convertTorchvisionVgg19(new Uint8Array(await pth.arrayBuffer()), pth.name);
  } else {
    const json = list.find((f) => f.name.endsWith('.json'));
    const bin = list.find((f) => f.name.endsWith('.bin'));
    if (!json || !bin) throw new Error('Pick our raw format as two files (NAME.json and NAME.bin, select both) or a torchvision .pth');
    fileWeights = parseRawWeights(await json.text(), await bin.arrayBuffer(), json.name.replace(/\.json$/, ''));
  }
  status.textContent = `Weights: ${fileWeights.source} (${fileWeights.layers.size} layers)`;
}

// ---------------------------------------------------------------- run

interface History { steps: number[]; content: number[]; style: number[]; tv: number[]; total: number[] }
let run: { st: StyleTransfer; paused: boolean; stopped: boolean } | null = null;

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
    contentLayers: parseLayerList($<HTMLInputElement>('content-layers').value),
    styleLayers: parseLayerList($<HTMLInputElement>('style-layers').value),
  };
}

async function toImage(p: Picked, what: string, size: number, l: KernelLibrary): Promise<RgbaImage> {
  const bmp = await decodeImage(`${what} ${p.name}`, p.blob);
  const s = fitSize(bmp.width, bmp.height, size);
  const max = maxImageSide(l);
  if (s.width > max || s.height > max) throw new Error(`${what}: ${s.width}×${s.height} is larger than this GPU allows (max side ${max}). Choose a smaller output size.`);
  return rasterize(bmp, s.width, s.height);
}

function showImage(img: RgbaImage): void {
  const c = $<HTMLCanvasElement>('preview');
  c.width = img.width;
  c.height = img.height;
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  // how many previews were shown, and the first and latest (for end-to-end tests)
  const w = window as unknown as { nstPreviews?: string[] };
  w.nstPreviews = [...(w.nstPreviews ?? []).slice(0, 1), c.toDataURL()];
}

function setRunning(on: boolean): void {
  $<HTMLButtonElement>('start').disabled = on;
  $<HTMLButtonElement>('pause').disabled = !on;
  $<HTMLButtonElement>('stop').disabled = !on;
}

async function start(): Promise<void> {
  clearError();
  const l = await library();
  if (!picked.content) throw new Error('Choose a content image first.');
  if (!picked.style) throw new Error('Choose a style image first.');
  const options = readOptions();
  const size = Number($<HTMLInputElement>('size').value);
  if (!Number.isInteger(size) || size < 16 || size > 4096) throw new Error(`Output size must be an integer between 16 and 4096, got ${size}.`);
  const content = await toImage(picked.content, 'content image', size, l);
  const styles = [{ ...(await toImage(picked.style, 'style image', size, l)), blend: 1 }];
  if (picked.style2) {
    const b = Number($<HTMLInputElement>('blend').value);
    styles[0].blend = 1 - b;
    styles.push({ ...(await toImage(picked.style2, 'second style image', size, l)), blend: b });
  }
  const deepest = deepestLayer([...(options.contentLayers ?? []), ...(options.styleLayers ?? [])].map((x) => x.name));
  const useFile = $<HTMLSelectElement>('weights-kind').value === 'file';
  if (useFile && !fileWeights) throw new Error('Pick a weights file, or choose the seeded random weights.');
  const weights = useFile ? fileWeights! : randomVgg19(1, deepest);
  $('weights-status').textContent = `Weights: ${weights.source}`;
  const st = new StyleTransfer(l, weights, content, styles, options);
  run = { st, paused: false, stopped: false };
  setRunning(true);
  $('download').classList.add('disabled');
  const hist: History = { steps: [], content: [], style: [], tv: [], total: [] };
  const record = (step: number, t: LossTerms) => {
    hist.steps.push(step);
    hist.content.push(t.contentTotal);
    hist.style.push(t.styleTotal);
    hist.tv.push(t.tv * st.options.tvWeight);
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
    record(0, await st.evaluate());
    showImage({ width: st.width, height: st.height, data: await st.pixels() });
    const every = Math.max(1, Math.min(10, Math.round(st.options.iterations / 50)));
    const t0 = performance.now();
    while (st.step < st.options.iterations && !run.stopped) {
      if (run.paused) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const terms = (await st.run(Math.min(every, st.options.iterations - st.step), true))!;
      record(st.step, terms);
      showImage({ width: st.width, height: st.height, data: await st.pixels() });
      const sps = (performance.now() - t0) / 1000 / st.step;
      $('status').textContent = `step ${st.step}/${st.options.iterations} — total ${terms.total.toExponential(3)} — ${sps.toFixed(2)} s/step — ETA ${(sps * (st.options.iterations - st.step)).toFixed(0)} s`;
      await new Promise((r) => setTimeout(r, 0)); // let the page breathe
    }
    const final: RgbaImage = { width: st.width, height: st.height, data: await st.pixels() };
    showImage(final);
    const a = $<HTMLAnchorElement>('download');
    a.href = $<HTMLCanvasElement>('preview').toDataURL('image/png');
    a.classList.remove('disabled');
    $('status').textContent = `${run.stopped ? 'Stopped' : 'Done'} after ${st.step} steps (${((performance.now() - t0) / 1000).toFixed(1)} s).`;
  } finally {
    st.dispose();
    setRunning(false);
    run = null;
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

$('tab-stylize').onclick = () => { $('view-stylize').hidden = false; $('view-explorer').hidden = true; $('tab-stylize').classList.add('active'); $('tab-explorer').classList.remove('active'); };
$('tab-explorer').onclick = () => { $('view-stylize').hidden = true; $('view-explorer').hidden = false; $('tab-explorer').classList.add('active'); $('tab-stylize').classList.remove('active'); };
$('kernel-list').innerHTML = KERNEL_NAMES.map((n) => `<li>${n}</li>`).join('');
for (const li of document.querySelectorAll<HTMLLIElement>('#kernel-list li')) li.onclick = () => showKernel(li.textContent as KernelName);
showKernel('conv2d_forward');
$('kernel-run').onclick = guard(runCheck);
makePicker('pick-content', 'content', 'chelsea.png');
makePicker('pick-style', 'style', 'hubble_deep_field.jpg');
makePicker('pick-style2', 'style2', null);
$<HTMLInputElement>('blend').oninput = () => ($('blend-out').textContent = $<HTMLInputElement>('blend').value);
$<HTMLSelectElement>('weights-kind').onchange = () => {
  const file = $<HTMLSelectElement>('weights-kind').value === 'file';
  $('weights-file').hidden = !file;
  if (!file) $('weights-status').textContent = 'Weights: seeded random VGG19 (seed 1)';
};
$<HTMLInputElement>('weights-file').onchange = guard(async () => readWeightFiles($<HTMLInputElement>('weights-file').files!));
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
