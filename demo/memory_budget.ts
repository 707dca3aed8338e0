/**
 * The "GPU memory budget" field (Advanced settings), in MiB, remembered in this browser: empty is
 * no budget (tiles only where the GPU's buffers are too small for the size); a budget makes runs
 * that would need more go in tiles that fit it (src/job/run.ts chooseTiling). Also the words the
 * page uses for what a run used: the peak GPU memory and the tiles, for the result caption.
 */
import { formatBytes } from '../src/nst/tile_budget.js';
import { $, plural } from './dom.js';

const KEY = 'nst-max-gpu-memory';
const MIB = 2 ** 20;
/** 1 TiB: anything above is a typo, not a budget. */
const MAX_MIB = 2 ** 20;
const field = () => $<HTMLInputElement>('max-gpu-memory');

/**
 * The budget in bytes, undefined when the field is empty; throws a plain message for 0, negative
 * or unreadable values (a number field whose text the browser cannot read reports an empty value
 * and `badInput`: that is refused too, not taken as "no budget").
 */
export function memoryBudget(): number | undefined {
  const input = field();
  const text = input.value.trim();
  if (text === '' && !input.validity.badInput) return undefined;
  const mib = Number(text);
  if (text === '' || !Number.isFinite(mib) || mib <= 0 || mib > MAX_MIB) {
    const got = text === '' ? 'text that is not a number' : `“${text}”`;
    throw new Error(`The GPU memory budget must be a number of MiB greater than 0 (up to ${MAX_MIB}), or empty for no budget (got ${got}).`);
  }
  return Math.round(mib * MIB);
}

/** Restore the remembered budget; remember valid changes (an emptied field forgets it). */
export function setupMemoryBudget(): void {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved !== null && Number(saved) > 0) field().value = saved;
  } catch {
    // storage unavailable: the field starts empty
  }
  field().addEventListener('change', () => {
    try {
      const bytes = memoryBudget();
      if (bytes === undefined) localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, field().value.trim());
    } catch {
      // an invalid value is not remembered (Start says what is wrong)
    }
  });
}

/**
 * What a run used, for the caption: "Peak GPU memory 7.9 MiB, in 6 tiles of 16 px." With several
 * scales, the tiled ones are named ("scale 2/2 in 6 tiles of 16 px"). `dims` are the sizes of the
 * scales that ran (a scale the run stopped before is left out).
 */
export function describeMemory(peakBytes: number, tiles: { scale: number; tile: number }[], dims: Map<number, { width: number; height: number; count: number }>, countTiles: (width: number, height: number, tile: number) => number): string {
  const parts: string[] = [];
  for (const t of tiles) {
    const d = dims.get(t.scale);
    if (!d) continue;
    const where = d.count > 1 ? `scale ${t.scale + 1}/${d.count} ` : '';
    parts.push(`${where}in ${plural(countTiles(d.width, d.height, t.tile), 'tile')} of ${t.tile} px`);
  }
  return `Peak GPU memory ${formatBytes(peakBytes)}${parts.length ? `, ${parts.join(', ')}` : ''}.`;
}
