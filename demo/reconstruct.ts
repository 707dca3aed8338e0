/** The Reconstructions tab: what each layer of the network keeps of an image (Gatys et al., Fig. 1). */
import type { KernelLibrary } from '../src/kernels/library.js';
import { composeGrid, type GridTile } from '../src/job/grid.js';
import { reconstructionGrid } from '../src/job/reconstruct.js';
import { DEFAULT_RECONSTRUCTION, defaultReconstructionLayers, type ReconstructionMode, type ReconstructionSettings } from '../src/job/reconstruct_targets.js';
import { deepestOf, networkSpec } from '../src/model/networks.js';
import type { RgbaImage } from '../src/io/rgba_image.js';
import { autotuneMode, jobTuning } from './autotune.js';
import { $, plural, wholeNumber } from './dom.js';
import { changed, newJob, state } from './state.js';
import { untilStopped } from './stopping.js';
import { chosenNetwork, runWeights } from './weights_panel.js';
import { describeProgress } from './weights.js';

function drawImage(c: HTMLCanvasElement, img: RgbaImage): void {
  c.hidden = false;
  $('recon-placeholder').hidden = true;
  c.width = img.width;
  c.height = img.height;
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
}

/** Run the reconstructions; the caller has checked that no job runs. */
/** A phone's width: the grid goes two tiles a row. */
const narrow = () => matchMedia('(max-width: 780px)').matches;
const gridColumns = () => (narrow() ? 2 : 6);

export async function startReconstruction(library: () => Promise<KernelLibrary>): Promise<void> {
  const p = state.images.recon;
  if (!p) throw new Error('Choose an image to reconstruct first.');
  const mode = $<HTMLSelectElement>('recon-mode').value as ReconstructionMode;
  const size = wholeNumber('recon-size', 'Size', 16, 1024);
  const iterations = wholeNumber('recon-iters', 'Steps per image', 1, 100000);
  const network = chosenNetwork();
  const settings: ReconstructionSettings = {
    ...DEFAULT_RECONSTRUCTION,
    network,
    iterations,
    pooling: ($<HTMLSelectElement>('recon-pooling').value || undefined) as ReconstructionSettings['pooling'],
    layers: defaultReconstructionLayers(mode, network),
  };
  if (state.job) return;
  const job = (state.job = newJob('reconstruct'));
  changed();
  $('recon-download').hidden = true;
  const canvas = $<HTMLCanvasElement>('recon-grid');
  const done: GridTile[] = [];
  const status = $('recon-status');
  try {
    status.textContent = 'Preparing…';
    const l = await library();
    const weights = await runWeights(deepestOf(networkSpec(network), settings.layers), (q) => (status.textContent = `Downloading pretrained VGG19: ${describeProgress(q)}`), job.stop.signal);
    const tuning = jobTuning(l, autotuneMode(), (text) => (status.textContent = text));
    const r = await untilStopped(job, reconstructionGrid(l, { image: p.blob, name: p.name, mode, size, settings }, weights, {
      onProgress: (q) => {
        status.textContent = `${q.index + 1}/${q.count} ${q.label}: step ${q.step}/${q.iterations}, loss ${q.loss.toExponential(3)} (${q.elapsed.toFixed(0)} s)`;
      },
      onTile: (_i, tile) => {
        done.push(tile);
        drawImage(canvas, composeGrid(`${mode} reconstructions (${done.length} done)`, done, { columns: gridColumns() }));
        canvas.setAttribute('aria-label', `${mode} reconstructions of ${p.name}: ${done.length} done`);
      },
      shouldStop: () => job.stopped,
      tuner: tuning.tuner,
    }));
    // on a phone two tiles a row (seven in one row would be shrunk past reading; the download is this grid too)
    drawImage(canvas, narrow() ? composeGrid(`${mode} reconstructions`, r.tiles, { columns: gridColumns() }) : r.grid);
    canvas.setAttribute('aria-label', `${mode} reconstructions of ${p.name} from noise, one per layer set: ${r.tiles.map((t) => t.label).join('; ')}`);
    const a = $<HTMLAnchorElement>('recon-download');
    a.href = canvas.toDataURL('image/png');
    a.hidden = false;
    (window as unknown as { nstReconstruction: { labels: string[]; width: number; height: number } }).nstReconstruction = { labels: r.tiles.map((t) => t.label), width: r.grid.width, height: r.grid.height };
    status.textContent = `${job.stopped ? 'Stopped' : 'Done'}: ${plural(r.tiles.length, 'reconstruction')} in ${r.seconds.toFixed(1)} s with ${r.weightsSource} (weights as chosen on the Style transfer tab).${tuning.summary() ? ` ${tuning.summary()}` : ''}${tuning.notes()}`;
  } catch (e) {
    if (job.stopped) {
      // stopped while preparing, or forced to stop mid-image: what finished stays on the canvas
      status.textContent = `Stopped: ${done.length ? `${plural(done.length, 'reconstruction')} finished (shown)` : 'no reconstruction had finished'}.`;
      return;
    }
    status.textContent = 'The reconstruction did not finish.';
    throw e;
  } finally {
    state.job = null;
    changed();
  }
}
