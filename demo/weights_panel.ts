/**
 * The "Network and weights" block: the menu (the embedded SqueezeNet 1.1, pretrained VGG19, the
 * seeded random VGG19, a file), the download and forget buttons, and the status line; the
 * Reconstructions tab repeats which weights it uses.
 */
import { $, clearError } from './dom.js';
import { changed, state } from './state.js';
import { anyCached, cachedPretrained, choiceNetwork, describeProgress, ensurePretrained, forgetPretrained, pickedWeights, readWeightFiles, rememberChoice, rememberedChoice, weightsFor, type DownloadProgress, type WeightsChoice } from './weights.js';
import type { WeightsSource } from '../src/job/prepare.js';
import { EMBEDDED_MB, EMBEDDED_WEIGHTS } from './embedded.js';
import { networkSpec } from '../src/model/networks.js';

const menu = () => $<HTMLSelectElement>('weights-kind');
export const weightsKind = () => menu().value as WeightsChoice;
/** The network the chosen weights run: SqueezeNet 1.1 (embedded) or VGG19 (or a file's own). */
export const chosenNetwork = () => choiceNetwork(weightsKind());

/** True when the chosen weights can be used now (a file choice needs a file read). */
export const weightsReady = () => weightsKind() !== 'file' || pickedWeights() !== null;

/** The status line under the menu and the Reconstructions tab's line, for the current choice. */
export async function showWeightsChoice(): Promise<void> {
  const choice = weightsKind();
  $('weights-file').hidden = choice !== 'file';
  const cached = await cachedPretrained().catch(() => null);
  $('weights-forget').hidden = !cached;
  $('weights-pretrained').hidden = choice === 'pretrained' && !!cached;
  const file = pickedWeights();
  let line: string, short: string;
  if (choice === 'squeezenet') {
    line = `${EMBEDDED_WEIGHTS}: ${EMBEDDED_MB} MB from this site, fetched at the first run; nothing comes from elsewhere.`;
    short = EMBEDDED_WEIGHTS;
  } else if (choice === 'random') {
    line = short = 'seeded random VGG19 (seed 1)';
  } else if (choice === 'file') {
    short = file ? file.source : 'a weights file (none read yet)';
    line = file ? `${file.source} (${networkSpec(file.network).label}, ${file.layers.size} layers)` : 'pick a .pth or .safetensors file (or our .json + .bin).';
  } else {
    short = 'pretrained VGG19';
    line = cached ? `pretrained VGG19 (${cached.layers} layers, ${cached.mb.toFixed(1)} MB kept in this browser)` : 'pretrained VGG19 — downloaded when you start (~52 MB, once).';
  }
  $('weights-status').textContent = `Weights: ${line}`;
  $('recon-weights-text').textContent = `Weights: ${short}, as chosen on the Style transfer tab.`;
  changed();
  // the fast preview's pretrained SqueezeNet alone can be forgotten too
  if (!cached) $('weights-forget').hidden = !(await anyCached().catch(() => false));
}

/**
 * The weights a run uses (the menu's choice). A pretrained VGG19 that cannot be downloaded (offline,
 * a failing host) sets the menu back to the embedded SqueezeNet 1.1, remembered, so the next Start
 * does not try again, and the error says so once.
 */
export async function runWeights(upTo: string, onProgress: (p: DownloadProgress) => void, signal: AbortSignal): Promise<WeightsSource> {
  const choice = weightsKind();
  try {
    return await weightsFor(choice, upTo, onProgress, signal);
  } catch (e) {
    if (choice !== 'pretrained' || signal.aborted) throw e;
    menu().value = 'squeezenet';
    rememberChoice('squeezenet');
    changed();
    void showWeightsChoice();
    const why = (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
    throw new Error(`The pretrained VGG19 could not be downloaded (${why}); nothing was kept. The network is set back to ${EMBEDDED_WEIGHTS}, which comes with this page: press Start to run it, or choose VGG19 again under Network and weights to retry the download.`);
  }
}

/** Download pretrained weights now (the button), with progress in the status line. */
async function downloadPretrained(): Promise<void> {
  clearError('weights', 'run');
  menu().value = 'pretrained';
  rememberChoice('pretrained');
  state.loading.add('pretrained weights');
  changed();
  try {
    $('weights-status').textContent = 'Weights: connecting…';
    const r = await ensurePretrained('conv5_1', (p) => ($('weights-status').textContent = `Downloading pretrained VGG19: ${describeProgress(p)}`));
    await showWeightsChoice();
    if (r.downloaded && weightsKind() === 'pretrained') $('weights-status').textContent += ' — downloaded.';
  } catch (e) {
    $('weights-status').textContent = 'Weights: the download did not finish (nothing was kept).';
    throw e;
  } finally {
    state.loading.delete('pretrained weights');
    changed();
  }
}

/** Wire the block; `guard` shows a handler's error under the given source. */
export function setupWeights(guard: (source: string, f: () => Promise<void>) => () => void): void {
  menu().value = rememberedChoice();
  menu().onchange = guard('weights', async () => {
    clearError('weights', 'run');
    rememberChoice(weightsKind());
    changed(); // the network's settings, the buttons and notes follow at once (the line under the menu once the cache is read)
    await showWeightsChoice();
  });
  const files = $<HTMLInputElement>('weights-file');
  files.onchange = guard('weights', async () => {
    clearError('weights', 'run');
    $('weights-status').textContent = 'Reading weights…';
    state.loading.add('weights file');
    changed();
    try {
      await readWeightFiles([...files.files!]);
    } finally {
      state.loading.delete('weights file');
      await showWeightsChoice();
    }
  });
  $('weights-pretrained').onclick = guard('weights', downloadPretrained);
  $('weights-forget').onclick = guard('weights', async () => {
    await forgetPretrained();
    if (weightsKind() === 'pretrained') menu().value = 'squeezenet';
    rememberChoice(weightsKind());
    await showWeightsChoice();
    $('weights-status').textContent += ' (downloaded weights forgotten)';
  });
  void showWeightsChoice();
}
