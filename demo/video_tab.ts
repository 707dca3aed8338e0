/**
 * The Video tab: its two modes (the camera painted live, video_camera.ts; a clip painted into a
 * WebM, video_file.ts), their Start and Stop, and the panel's status, one-message box and frame
 * rate. A failure shows one plain message and nothing of the run stays behind; leaving the tab
 * stops the camera.
 */
import { WebGpuUnavailableError } from '../src/kernels/context.js';
import { $, explain } from './dom.js';
import { startCamera } from './video_camera.js';
import { startFile } from './video_file.js';
import { setupStyleMenu } from './video_session.js';
import type { RunUi, VideoRun } from './video_run.js';

const mode = () => (document.querySelector<HTMLInputElement>('input[name=video-mode]:checked')?.value === 'file' ? 'file' : 'camera');

export function setupVideoTab(): void {
  setupStyleMenu();
  let run: VideoRun | null = null;
  let runMode: 'camera' | 'file' = 'camera';
  const start = $<HTMLButtonElement>('video-start');
  const stop = $<HTMLButtonElement>('video-stop');

  const ui: RunUi = {
    status: (t) => ($('video-status').textContent = t),
    message: (t) => {
      const box = $('video-message');
      if ((box.textContent ?? '') === t) return;
      box.textContent = '';
      if (t) {
        const p = document.createElement('p');
        p.textContent = t;
        box.append(p);
      }
      box.hidden = !t;
    },
    rate: (t) => {
      const r = $('video-rate');
      r.textContent = t;
      r.hidden = !t;
    },
  };

  const render = () => {
    const running = !!run;
    const m = mode();
    start.textContent = m === 'file' ? 'Paint the clip' : 'Start camera';
    start.disabled = running;
    stop.disabled = !running;
    $<HTMLFieldSetElement>('video-modes').disabled = running;
    $<HTMLFieldSetElement>('video-file-box').disabled = running;
    $('video-file-box').hidden = m !== 'file';
    // the camera takes new settings while it runs; a clip keeps the ones it started with
    $<HTMLFieldSetElement>('video-settings').disabled = running && runMode === 'file';
    $('video-settings-help').textContent =
      m === 'file' ? 'Size 32–320 px, 1–30 steps per frame; the first frame is painted with more steps, each later one starts from the one before.' : 'Size 32–320 px, 1–30 steps per frame. The camera takes changes at its next frame.';
  };

  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=video-mode]'))
    r.onchange = () => {
      ui.message('');
      ui.status('Ready.');
      render();
    };

  start.onclick = () => {
    if (run) return;
    runMode = mode();
    ui.message('');
    ui.rate('');
    const focused = document.activeElement === start;
    run = runMode === 'file' ? startFile(ui) : startCamera(ui);
    render();
    if (focused) stop.focus();
    const mine = run;
    mine.done
      .catch((e) => {
        // the page's own box at the top explains a missing WebGPU at length: here one line points at it
        ui.message(e instanceof WebGpuUnavailableError ? `The Video tab needs WebGPU, which does not work in this browser (${e.message.replace(/\.$/, '')}); the message at the top of the page says what to try.` : explain(e));
        ui.status(runMode === 'file' ? 'The clip was not painted.' : 'The camera is off.');
      })
      .finally(() => {
        if (run !== mine) return;
        run = null;
        ui.rate('');
        // a finished clip stays beside its painting; anything else leaves an empty box
        const source = $<HTMLVideoElement>('video-input');
        if (!source.getAttribute('src') && !source.srcObject) $('video-input-caption').textContent = 'Source';
        $<HTMLProgressElement>('video-progress').hidden = true;
        render();
        if (document.activeElement === stop || document.activeElement === document.body) start.focus();
      });
  };
  stop.onclick = () => {
    if (!run) return;
    run.stop();
    ui.status('Stopping…');
    ui.rate('');
  };
  // leaving the tab turns the camera off (a clip goes on painting)
  new MutationObserver(() => {
    if ($('view-video').hidden && run && runMode === 'camera') stop.click();
  }).observe($('view-video'), { attributes: true, attributeFilter: ['hidden'] });
  render();
}
