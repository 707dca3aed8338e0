/** The demo page: style transfer with live preview and loss plot, reconstructions, and the kernel explorer. */
import { WebGpuUnavailableError } from '../src/kernels/context.js';
import { networkSpec } from '../src/model/networks.js';
import { setupAutotune } from './autotune.js';
import { $, clearError, explain, hasError, onErrorCleared, setError } from './dom.js';
import { setupExplorer } from './explorer.js';
import { makePicker } from './pickers.js';
import { lossRecorder } from './plot.js';
import { startReconstruction } from './reconstruct.js';
import { changed, onChange, state } from './state.js';
import { requestStop } from './stopping.js';
import { setupTabs } from './tabs.js';
import { setupMemoryBudget } from './memory_budget.js';
import { applyNetworkDefaults, setupNetworkDefaults } from './network_defaults.js';
import { dropStalePreview, isPreviewOn, schedulePreview, setupPreview, showModeNote, showPreviewControls, startIsRender, stopPreview, togglePreview } from './preview.js';
import { chosenNetwork, setupWeights, weightsKind, weightsReady } from './weights_panel.js';
import { renderRegions, setupRegions } from './regions.js';
import { library, dropDevice } from './gpu.js';
import { readShared, readNetworkSettings, checkedSettings, showEstimate } from './settings.js';
import { currentResult, setResult, showStage, showImage, showDownload } from './stage.js';
import { startBlocker, canStart, start, jobImages, recordRun } from './render_run.js';
import { setupVideoTab } from './video_tab.js';

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

setupPreview({ library, readShared, readNetworkSettings, jobImages, lossRecorder, recordRun, showImage, resultKind: () => currentResult()?.kind ?? null, setResult, showDownload });
onChange(render);
const selectTab = setupTabs(document.querySelector<HTMLElement>('[role=tablist]')!);
setupExplorer(library, (f) => guard('explorer', f));
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
setupVideoTab();

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
  $('status').textContent = 'WebGPU does not work in this browser yet.';
  showEstimate();
});

// leaving the page (reload, close, another address) while a render or reconstruction runs loses it: the browser asks first
addEventListener('beforeunload', (e) => {
  if (state.job && state.job.kind !== 'preview') e.preventDefault();
});
