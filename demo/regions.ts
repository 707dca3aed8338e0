/**
 * Where each style goes (Gatys et al. 2017's spatial control), painted over the content image:
 * one map per style (up to three), each a grid of values in 0…1 at the content's aspect
 * (REGION_SIDE pixels on the longer side). The brush paints the chosen style's region (and clears
 * the others there), the eraser clears every region; a mask image can be loaded for the chosen
 * style instead (grey = partly); Fill, halves, thirds and Clear work from the keyboard. A run
 * gets each map as a PNG (white = that style applies), which the engine resizes to the content.
 * Painting uses pointer events, so a finger or a pen works as a mouse does.
 */
import { decodeImage } from '../src/io/decode.js';
import { maskValues } from '../src/nst/guidance.js';
import { $, clearError, explain, setError } from './dom.js';
import { changed, state } from './state.js';

/** Longer side of the painted maps, in pixels. */
export const REGION_SIDE = 256;
/** How many styles can have a region. */
export const MAX_REGIONS = 3;
/** Overlay colour per region (orange, cyan, magenta: told apart with colour vision deficiencies too, and labelled). */
const COLOURS: [number, number, number][] = [[230, 120, 0], [0, 160, 200], [200, 40, 160]];
const STYLE_KEYS = ['style', 'style2', 'style3'] as const;

let maps: Float32Array[] = [];
/** Counts changes to the maps (the fast preview restarts when it moves). */
let version = 0;
export const regionsVersion = () => (on() ? version : -1);
let w = 0, h = 0;
let brush = 0; // region index, or -1: the eraser
let contentUrl = '';
const photo = new Image();

const on = () => $<HTMLInputElement>('regions-on').checked;
/** Styles chosen now, by region index (style, second, third). */
const chosen = () => STYLE_KEYS.map((k) => state.images[k]);

/** Regions in use for a run: null when off; else one PNG per chosen style (throws naming an empty one). */
export async function regionMasks(): Promise<(Blob | null)[] | null> {
  if (!on()) return null;
  const styles = chosen();
  const out: (Blob | null)[] = [];
  for (let r = 0; r < MAX_REGIONS; r++) {
    if (!styles[r]) {
      out.push(null);
      continue;
    }
    if (!maps[r]?.some((v) => v > 0)) throw new Error(`Regions: ${regionName(r)} has no region yet. Paint where it goes (or Fill), or turn regions off.`);
    out.push(await maskPng(r));
  }
  return out;
}

const regionName = (r: number) => ['the first style', 'the second style', 'the third style'][r];

function maskPng(r: number): Promise<Blob> {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  for (let p = 0; p < w * h; p++) {
    const v = Math.round(maps[r][p] * 255);
    img.data.set([v, v, v, 255], 4 * p);
  }
  ctx.putImageData(img, 0, 0);
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('Regions: the mask could not be encoded.'))), 'image/png'));
}

/** Size the maps for the content image (cleared when its aspect changes) and draw. */
function fitContent(): void {
  const content = state.images.content;
  if (!content || content.url === contentUrl) return;
  contentUrl = content.url;
  const s = REGION_SIDE / Math.max(content.width, content.height);
  const [nw, nh] = [Math.max(1, Math.round(content.width * s)), Math.max(1, Math.round(content.height * s))];
  if (nw !== w || nh !== h) {
    [w, h] = [nw, nh];
    maps = Array.from({ length: MAX_REGIONS }, () => new Float32Array(w * h));
  }
  const canvas = $<HTMLCanvasElement>('regions-canvas');
  canvas.width = w;
  canvas.height = h;
  photo.onload = draw;
  photo.src = content.url;
}

function draw(): void {
  version++;
  const canvas = $<HTMLCanvasElement>('regions-canvas');
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, w, h);
  if (photo.complete && photo.naturalWidth) ctx.drawImage(photo, 0, 0, w, h);
  const img = ctx.getImageData(0, 0, w, h);
  for (let p = 0; p < w * h; p++) {
    for (let r = 0; r < MAX_REGIONS; r++) {
      const a = 0.55 * (maps[r]?.[p] ?? 0);
      if (a === 0) continue;
      for (let k = 0; k < 3; k++) img.data[4 * p + k] = img.data[4 * p + k] * (1 - a) + COLOURS[r][k] * a;
    }
  }
  ctx.putImageData(img, 0, 0);
  describe();
}

/** The canvas's accessible name and the line under it: how much of the image each region covers. */
function describe(): void {
  const styles = chosen();
  const parts: string[] = [];
  let covered = 0;
  const any = new Float32Array(w * h);
  for (let r = 0; r < MAX_REGIONS; r++) {
    if (!styles[r] || !maps[r]) continue;
    let sum = 0;
    for (let p = 0; p < w * h; p++) {
      sum += maps[r][p];
      any[p] = Math.max(any[p], maps[r][p]);
    }
    parts.push(`${['1st', '2nd', '3rd'][r]} style (${styles[r]!.name}) ${Math.round((100 * sum) / (w * h))}%`);
  }
  for (let p = 0; p < w * h; p++) covered += any[p];
  const none = w * h ? Math.round(100 - (100 * covered) / (w * h)) : 100;
  const text = parts.length ? `${parts.join(', ')}; no style ${none}%` : 'Choose a style image first.';
  $('regions-summary').textContent = text;
  $('regions-canvas').setAttribute('aria-label', `Regions over the content image: ${text}`);
}

/** Paint region `brush` (or erase) in a disc of the brush's radius around (x, y) in map pixels. */
function dab(x: number, y: number): void {
  const radius = Number($<HTMLInputElement>('regions-size').value) / 2;
  for (let yy = Math.max(0, Math.floor(y - radius)); yy <= Math.min(h - 1, Math.ceil(y + radius)); yy++)
    for (let xx = Math.max(0, Math.floor(x - radius)); xx <= Math.min(w - 1, Math.ceil(x + radius)); xx++) {
      if ((xx - x) ** 2 + (yy - y) ** 2 > radius * radius) continue;
      for (let r = 0; r < MAX_REGIONS; r++) maps[r][yy * w + xx] = r === brush ? 1 : 0;
    }
}

/** Region r = f(x, y) over the whole map (the others cleared where it is set). */
function fill(r: number, f: (x: number, y: number) => boolean): void {
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!f(x / w, y / h)) continue;
      for (let k = 0; k < MAX_REGIONS; k++) maps[k][y * w + x] = k === r ? 1 : 0;
    }
}

/** The chosen styles' regions side by side (across, or down). */
function split(across: boolean): void {
  const used = chosen().map((s, r) => (s ? r : -1)).filter((r) => r >= 0);
  used.forEach((r, i) => fill(r, (x, y) => Math.floor((across ? x : y) * used.length) === i));
}

async function loadMask(file: File): Promise<void> {
  const r = brush < 0 ? 0 : brush;
  try {
    const bitmap = await decodeImage(`mask ${file.name}`, file);
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d')!;
    // transparent pixels count as white, as the CLI composites images over white
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(bitmap, 0, 0, w, h);
    bitmap.close();
    const values = maskValues({ width: w, height: h, data: ctx.getImageData(0, 0, w, h).data });
    if (!values.some((v) => v > 0)) throw new Error(`mask ${file.name} is black everywhere: it would put ${regionName(r)} nowhere (white = where it goes).`);
    maps[r] = values;
    clearError('regions');
    draw();
    changed();
  } catch (e) {
    setError('regions', explain(e));
  }
}

/** Show the tools when regions are on, and which styles can have one. */
export function renderRegions(): void {
  const shown = on();
  $('regions').hidden = !shown;
  $<HTMLInputElement>('blend').disabled = shown; // regions replace the blend
  if (!shown) return;
  fitContent();
  const styles = chosen();
  if (brush >= 0 && !styles[brush]) brush = 0;
  document.querySelectorAll<HTMLButtonElement>('#regions-tools [data-region]').forEach((b) => {
    const r = Number(b.dataset.region);
    b.disabled = r >= 0 && !styles[r];
    b.setAttribute('aria-pressed', String(brush === r));
  });
  describe();
}

export function setupRegions(): void {
  const canvas = $<HTMLCanvasElement>('regions-canvas');
  let painting = false;
  const at = (e: PointerEvent) => {
    const b = canvas.getBoundingClientRect();
    dab(((e.clientX - b.left) / b.width) * w, ((e.clientY - b.top) / b.height) * h);
    draw();
  };
  const locked = () => (canvas.closest('fieldset') as HTMLFieldSetElement | null)?.disabled ?? false;
  canvas.onpointerdown = (e) => {
    if (locked() || !w) return;
    painting = true;
    canvas.setPointerCapture(e.pointerId);
    at(e);
  };
  canvas.onpointermove = (e) => painting && at(e);
  canvas.onpointerup = canvas.onpointercancel = () => {
    if (!painting) return;
    painting = false;
    changed();
  };
  document.querySelectorAll<HTMLButtonElement>('#regions-tools [data-region]').forEach((b) => {
    b.onclick = () => {
      brush = Number(b.dataset.region);
      renderRegions();
    };
  });
  const act = (id: string, f: () => void) => {
    $(id).onclick = () => {
      if (!w) return;
      f();
      draw();
      changed();
    };
  };
  act('regions-fill', () => fill(brush < 0 ? 0 : brush, () => true));
  act('regions-across', () => split(true));
  act('regions-down', () => split(false));
  act('regions-clear', () => maps.forEach((m) => m.fill(0)));
  const file = $<HTMLInputElement>('regions-file');
  file.onchange = () => {
    const f = file.files?.[0];
    file.value = '';
    if (f) void loadMask(f);
  };
  $('regions-on').addEventListener('change', () => {
    clearError('regions');
    renderRegions();
    // a first look: the chosen styles side by side, to paint over
    if (on() && maps.every((m) => !m.some((v) => v > 0))) {
      split(true);
      draw();
    }
    changed();
  });
}
