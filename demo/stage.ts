/** The result area: the stage (content, live image, before/after), the result on show, its caption's weights note and its download. */
import { $ } from './dom.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { plotted } from './plot.js';
import { state } from './state.js';

/** What the stage shows once a run ends (a render or a fast preview), and the content image it was made from (for the before/after comparison). */
let result: { beforeUrl: string; kind: 'render' | 'preview' } | null = null;

/** The result on show (null: none). */
export const currentResult = () => result;

/** Put `next` on show without freeing the one before (a result set aside comes back with it). */
export function replaceResult(next: typeof result): void {
  result = next;
}

export function setResult(next: typeof result): void {
  if (result) URL.revokeObjectURL(result.beforeUrl);
  result = next;
}

function setStageAspect(width: number, height: number): void {
  $('stage').style.setProperty('--ar', (width / height).toFixed(4));
}

let stageRunning = false;

/** Stage: the content image with a note before any result; the live image while running; before/after once done. */
export function showStage(): void {
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
export const shownImageCount = () => shownImages;

export function showImage(img: RgbaImage): void {
  shownImages++;
  const c = drawImage($<HTMLCanvasElement>('preview'), img);
  setStageAspect(img.width, img.height);
  // how many previews were shown, and the first and latest (for end-to-end tests)
  const w = window as unknown as { nstPreviews?: string[] };
  w.nstPreviews = [...(w.nstPreviews ?? []).slice(0, 1), c.toDataURL()];
}

export const imageToDataUrl = (img: RgbaImage) => drawImage(document.createElement('canvas'), img).toDataURL('image/png');

export function weightsNote(source: string): string {
  return source.startsWith('seeded random')
    ? `Made with the ${source}: it carries colours and textures only; for painterly results choose pretrained weights under Network and weights.`
    : `Made with ${source}.`;
}

/** A render's result on the stage, with its caption's first part and the download link. */
export function showResult(image: RgbaImage, content: { blob: Blob; name: string }, styleNames: string, what: string): void {
  showImage(image);
  setResult({ beforeUrl: URL.createObjectURL(content.blob), kind: 'render' });
  $('preview').setAttribute('aria-label', `The result: ${content.name} in the style of ${styleNames}, ${image.width}×${image.height} pixels.`);
  $<HTMLImageElement>('before').alt = `Before: the content image ${content.name}, shown over the left part of the result.`;
  $('result-what').textContent = what;
  showDownload(image, 'stylized.png', 'Download PNG');
}

/** The download link under the stage, for `image`. */
export function showDownload(image: RgbaImage, name: string, label: string): void {
  const a = $<HTMLAnchorElement>('download');
  a.href = imageToDataUrl(image);
  a.download = name;
  a.textContent = label;
  a.hidden = false;
}
