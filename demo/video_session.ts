/**
 * The Video tab's engine: one library session (`createStylizer`) on the page's own GPU device and
 * the page's embedded SqueezeNet 1.1, kept for a whole camera run or clip so kernels, weights and
 * the style's Gram targets are made once; each later frame started, as npm run video does, from
 * the previous painting warped along the optical flow between the camera's frames (FlowInit,
 * src/video/flow_init.ts) with the temporal loss holding the pixels the flow can follow; a
 * moving-average frame rate; the settings read from the panel.
 */
import { Stylizer } from '../src/api/stylizer.js';
import { TEMPORAL_WEIGHT, type Rgba } from '../src/video/compose_init.js';
import { FlowInit } from '../src/video/flow_init.js';
import { $ } from './dom.js';
import { embeddedSqueezenet } from './embedded.js';
import { library } from './gpu.js';
import { state } from './state.js';

/** Example paintings the style menu offers (served next to the page, as the pickers' examples). */
const PAINTINGS = ['starry_night.jpg', 'the_scream.jpg', 'shipwreck.jpg', 'hubble_deep_field.jpg', 'rocket.jpg'];
/** The style menu's entry for the Style transfer tab's style image. */
const PAGE_STYLE = '__page';

export const LIMITS = { size: [32, 320], steps: [1, 30], firstSteps: [1, 300], frames: [1, 600] } as const;

export interface VideoSettings {
  size: number;
  steps: number;
  firstSteps: number;
  style: string;
}

/** Fill the style menu: the example paintings, and the Style transfer tab's style image. */
export function setupStyleMenu(): void {
  const select = $<HTMLSelectElement>('video-style');
  select.innerHTML =
    PAINTINGS.map((p) => `<option value="${p}">${p}</option>`).join('') + `<option value="${PAGE_STYLE}">the style image chosen on the Style transfer tab</option>`;
  select.value = PAINTINGS[0];
}

function whole(id: string, what: string, [min, max]: readonly [number, number]): number {
  const text = $<HTMLInputElement>(id).value.trim();
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < min || n > max) throw new Error(`${what} must be a whole number from ${min} to ${max} (got ${text === '' ? 'an empty field' : `“${text}”`}).`);
  return n;
}

/** The settings as the panel shows them now, or an error naming the field. */
export function readSettings(): VideoSettings {
  return {
    size: whole('video-size', 'Size', LIMITS.size),
    steps: whole('video-steps', 'Steps per frame', LIMITS.steps),
    firstSteps: whole('video-first-steps', 'Steps, first frame', LIMITS.firstSteps),
    style: $<HTMLSelectElement>('video-style').value,
  };
}

export const readFrameLimit = () => whole('video-limit', 'Frame limit', LIMITS.frames);

/** Even sides (VP8/VP9's 4:2:0 needs them) with the longer one at most `size`. */
export function frameSize(width: number, height: number, size: number): { width: number; height: number } {
  const s = size / Math.max(width, height);
  const even = (v: number) => Math.max(2, 2 * Math.round((v * s) / 2));
  return { width: even(width), height: even(height) };
}

/** The style image, decoded and shrunk to `size` on its longer side (the library resizes styles to the size anyway). */
async function loadStyle(name: string, size: number): Promise<ImageData> {
  let blob: Blob;
  if (name === PAGE_STYLE) {
    const picked = state.images.style;
    if (!picked) throw new Error('No style image is chosen on the Style transfer tab: choose one there, or pick a painting here.');
    blob = picked.blob;
  } else {
    const r = await fetch(`./${name}`);
    if (!r.ok) throw new Error(`The painting ${name} could not be loaded (HTTP ${r.status}).`);
    blob = await r.blob();
  }
  const bitmap = await createImageBitmap(blob);
  const { width, height } = frameSize(bitmap.width, bitmap.height, Math.min(size, Math.max(bitmap.width, bitmap.height)));
  const c = new OffscreenCanvas(width, height);
  const g = c.getContext('2d')!;
  g.imageSmoothingQuality = 'high';
  g.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return g.getImageData(0, 0, width, height);
}

const rgba = (img: ImageData): Rgba => ({ width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) });

/** Frames painted one after another on one session, each later one from the previous painting warped along the flow. */
export class FramePainter {
  /** The last frame's source and painting (RGBA views of them). */
  private previous: { content: Rgba; result: Rgba } | null = null;
  /** The flows and warp for frames of one size (made on the session's kernels; remade when the size changes). */
  private flow: FlowInit | null = null;
  private style: { key: string; image: ImageData } | null = null;
  frames = 0;

  private constructor(private readonly stylizer: Stylizer) {}

  /** A session on the page's device (not destroyed with the session) and the embedded weights. */
  static async open(): Promise<FramePainter> {
    const [lib, weights] = await Promise.all([library(), embeddedSqueezenet()]);
    const stylizer = await Stylizer.create({ device: lib.ctx.device, ...(lib.ctx.adapter ? { adapter: lib.ctx.adapter } : {}), weights });
    return new FramePainter(stylizer);
  }

  /**
   * Paint one frame (already at its size). The first, or the first after a size change, starts
   * from the frame itself with `firstSteps`; each later one (`steps`) from the previous painting
   * warped along the optical flow from this frame to the one before, the frame's own pixels where
   * the flow cannot be trusted, and the temporal loss (λ TEMPORAL_WEIGHT) holding the rest, as
   * npm run video does.
   */
  async paint(content: ImageData, s: VideoSettings, signal: AbortSignal): Promise<ImageData> {
    const key = `${s.style}@${s.size}`;
    if (this.style?.key !== key) this.style = { key, image: await loadStyle(s.style, s.size) };
    const { width, height } = content;
    const prev = this.previous && this.previous.content.width === width && this.previous.content.height === height ? this.previous : null;
    if (this.flow && (this.flow.width !== width || this.flow.height !== height)) {
      this.flow.release();
      this.flow = null;
    }
    let init: { image: Rgba; mask: Rgba } | null = null;
    if (prev) {
      this.flow ??= new FlowInit(this.stylizer.lib, width, height);
      init = await this.flow.init(prev, rgba(content));
    }
    const r = await this.stylizer.stylize({
      content,
      style: this.style.image,
      size: Math.max(width, height),
      scales: 1,
      iterations: init ? s.steps : s.firstSteps,
      ...(init ? { initImage: init.image, temporal: { image: init.image, mask: init.mask, weight: TEMPORAL_WEIGHT } } : {}),
      signal,
    });
    const painted = new ImageData(r.data as Uint8ClampedArray<ArrayBuffer>, r.width, r.height);
    this.previous = { content: rgba(content), result: rgba(painted) };
    this.frames++;
    return painted;
  }

  /** Where a source's frame is drawn at the working size and read back. */
  private grab = new OffscreenCanvas(2, 2);
  private grabContext = this.grab.getContext('2d', { willReadFrequently: true })!;

  /**
   * Draw `source` (a <video> at its current frame) at width × height and paint it (paint());
   * null when `signal` stopped the run meanwhile.
   */
  async paintSource(source: CanvasImageSource, width: number, height: number, s: VideoSettings, signal: AbortSignal): Promise<{ content: ImageData; painted: ImageData } | null> {
    if (this.grab.width !== width || this.grab.height !== height) Object.assign(this.grab, { width, height });
    this.grabContext.drawImage(source, 0, 0, width, height);
    const content = this.grabContext.getImageData(0, 0, width, height);
    try {
      return { content, painted: await this.paint(content, s, signal) };
    } catch (e) {
      if (signal.aborted) return null;
      throw e;
    }
  }

  /** The session's GPU buffers now (its own count: WebGPU has no memory query). */
  gpuMemory(): { buffers: number; bytes: number } {
    const m = this.stylizer.lib.memory.stats();
    return { buffers: m.liveBuffers, bytes: m.liveBytes };
  }

  /** Free the session's GPU memory (the page's device stays). */
  destroy(): void {
    this.flow?.release();
    this.flow = null;
    this.stylizer.destroy();
    this.previous = null;
  }
}

/** Frames per second over the last `window` frames, and the last frame's seconds. */
export class RateMeter {
  private times: number[] = [];
  constructor(private readonly window = 8) {}

  tick(now = performance.now()): void {
    this.times.push(now);
    if (this.times.length > this.window + 1) this.times.shift();
  }

  get fps(): number | null {
    const t = this.times;
    return t.length < 2 ? null : ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]);
  }

  reset(): void {
    this.times = [];
  }
}

/** "2.4 frames/s · 0.42 s per frame (last 8 frames)". */
export const rateText = (fps: number, frames: number) =>
  `${fps >= 10 ? fps.toFixed(0) : fps.toFixed(fps >= 1 ? 1 : 2)} frames/s · ${(1 / fps).toFixed(2)} s per frame (average of the last ${frames} frames)`;

/** Draw an image onto a canvas, sizing the canvas to it. */
export function show(canvas: HTMLCanvasElement, img: ImageData): void {
  if (canvas.width !== img.width || canvas.height !== img.height) {
    canvas.width = img.width;
    canvas.height = img.height;
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
  $('video-placeholder').hidden = true;
}
