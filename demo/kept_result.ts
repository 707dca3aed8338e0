/**
 * The result on show while a new render gets going. From Start to the new run's first step the
 * stage shows the content image and no loss plot (not the previous result under "in progress");
 * the previous result, its caption, its Download and its plot are kept aside, and come back if the
 * run ends before its first step (refused, failed or stopped), so nothing made is lost. Once the
 * first step is in, they are dropped.
 */
import { $ } from './dom.js';

const CAPTION = ['result-what', 'result-weights', 'result-kernels', 'result-memory'] as const;

export interface Kept {
  /** Put it all back on the page (the caller restores its own result record). */
  restore(): void;
}

function copyCanvas(c: HTMLCanvasElement): HTMLCanvasElement {
  const copy = document.createElement('canvas');
  [copy.width, copy.height] = [c.width, c.height];
  if (c.width && c.height) copy.getContext('2d')!.drawImage(c, 0, 0);
  return copy;
}

function paste(into: HTMLCanvasElement, from: HTMLCanvasElement): void {
  [into.width, into.height] = [from.width, from.height];
  if (from.width && from.height) into.getContext('2d')!.drawImage(from, 0, 0);
}

/** Take what the result area shows now aside, and clear it for a new run. */
export function keepAside(): Kept {
  const preview = $<HTMLCanvasElement>('preview');
  const plot = $<HTMLCanvasElement>('plot');
  const download = $<HTMLAnchorElement>('download');
  const saved = {
    image: copyCanvas(preview),
    plot: copyCanvas(plot),
    plotHidden: plot.hidden,
    ar: $('stage').style.getPropertyValue('--ar'),
    label: preview.getAttribute('aria-label'),
    caption: CAPTION.map((id) => $(id).textContent ?? ''),
    download: { href: download.href, name: download.download, text: download.textContent, hidden: download.hidden },
    snapshots: [...$('snapshots').childNodes],
  };
  plot.hidden = true;
  download.hidden = true;
  for (const id of CAPTION) $(id).textContent = '';
  $('snapshots').textContent = '';
  return {
    restore() {
      paste(preview, saved.image);
      paste(plot, saved.plot);
      plot.hidden = saved.plotHidden;
      if (saved.ar) $('stage').style.setProperty('--ar', saved.ar);
      if (saved.label) preview.setAttribute('aria-label', saved.label);
      CAPTION.forEach((id, i) => ($(id).textContent = saved.caption[i]));
      Object.assign(download, { download: saved.download.name, textContent: saved.download.text, hidden: saved.download.hidden });
      if (saved.download.href) download.href = saved.download.href;
      $('snapshots').replaceChildren(...saved.snapshots);
    },
  };
}

/** Draw the content image (at `url`) on the stage's canvas, unless a run's image is drawn first (`stale()`). */
export function drawContentOnStage(url: string, stale: () => boolean): void {
  const img = new Image();
  img.onload = () => {
    if (stale()) return;
    const c = $<HTMLCanvasElement>('preview');
    [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
    c.getContext('2d')!.drawImage(img, 0, 0);
    $('stage').style.setProperty('--ar', (img.naturalWidth / img.naturalHeight).toFixed(4));
  };
  img.src = url;
}
