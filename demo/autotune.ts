/**
 * Kernel autotuning on the page: the "Kernel autotuning" menu (Advanced settings), remembered in
 * this browser; one Autotuner per job (style transfer and reconstructions alike), its table kept
 * in localStorage (src/kernels/tuning_stores.ts); what it did, in words for the status and caption.
 */
import { Autotuner, type AutotuneMode } from '../src/kernels/autotune.js';
import { AUTOTUNE_MODES } from '../src/kernels/autotune_modes.js';
import type { KernelLibrary } from '../src/kernels/library.js';
import { localStorageStore } from '../src/kernels/tuning_stores.js';
import { $, plural } from './dom.js';

const MODE_KEY = 'nst-autotune';
const menu = () => $<HTMLSelectElement>('autotune');

/** The menu's mode. */
export const autotuneMode = () => menu().value as AutotuneMode;

/**
 * Restore the remembered mode and remember changes. "refresh" is an action (measure again) rather
 * than a standing choice: it holds for this visit, and a reload comes back to the mode before it.
 */
export function setupAutotune(): void {
  const saved = localStorage.getItem(MODE_KEY);
  if (saved && saved !== 'refresh' && (AUTOTUNE_MODES as readonly string[]).includes(saved)) menu().value = saved;
  menu().addEventListener('change', () => {
    if (autotuneMode() !== 'refresh') localStorage.setItem(MODE_KEY, autotuneMode());
  });
}

type Ops = Parameters<Autotuner['tune']>[0];

/** An Autotuner that says when it starts timing (before the first step of a build that needs it). */
class PageTuner extends Autotuner {
  constructor(lib: KernelLibrary, options: ConstructorParameters<typeof Autotuner>[1], private onTiming: (shapes: number) => void) {
    super(lib, options);
  }
  override async tune(ops: Ops): Promise<void> {
    this.onTiming(ops.length);
    await super.tune(ops);
  }
}

export interface JobTuning {
  tuner: Autotuner;
  mode: AutotuneMode;
  /** What tuning did, one sentence ('' when it did nothing), e.g. "Kernel versions tuned on this GPU for 14 operation shapes in 2.1 s …". */
  summary(): string;
  /** Messages about the stored table (ignored, unreadable, not saved), as " Note: …." sentences ('' if none). */
  notes(): string;
}

/**
 * The tuner for one job. `say` puts a line in the job's status while kernels are being measured
 * (with any note about the stored table). Tuned choices live in the Autotuner (a new one per job)
 * and reach the job's graphs through the planners it makes, so they come only from this job's mode
 * (the fixed table for "off", a fresh measurement for "refresh").
 */
export function jobTuning(lib: KernelLibrary, mode: AutotuneMode, say: (text: string) => void): JobTuning {
  const where = lib.ctx.info.isSoftware ? 'this adapter' : 'this GPU';
  const notes: string[] = [];
  const noteText = () => notes.map((m) => ` Note: ${m}.`).join('');
  const tuner = new PageTuner(
    lib,
    {
      mode,
      store: localStorageStore(),
      // "autotune: …" lines narrate the timing (shown through onTiming and the summary); the rest are notes
      log: (m) => {
        if (!m.startsWith('autotune: ')) notes.push(m);
      },
    },
    (shapes) => say(`Measuring kernel versions on ${where} (once, for ${plural(shapes, 'operation shape')}; later runs at this size start at once)…${noteText()}`),
  );
  return {
    tuner,
    mode,
    summary: () => {
      const r = tuner.report;
      if (r.tuned > 0) {
        const kept = notes.some((m) => m.startsWith('could not save')) ? '' : ', kept in this browser for next time';
        return `Kernel versions tuned on ${where} for ${plural(r.tuned, 'operation shape')} in ${r.seconds.toFixed(1)} s${kept}.`;
      }
      if (r.reused > 0) return `Kernel versions as tuned earlier on ${where} (${plural(r.reused, 'operation shape')}).`;
      return '';
    },
    notes: noteText,
  };
}
