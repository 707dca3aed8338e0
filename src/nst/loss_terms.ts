/** A step's losses as read back from the GPU's loss slots: per layer, weighted totals, and the check for NaN/Inf. */

export interface LossTerms {
  content: Record<string, number>;
  style: Record<string, number>;
  tv: number;
  /** A video frame's temporal term, 1/D·Σ c·(x − w)² (temporal.ts); 0 without one. */
  temporal: number;
  /** Weighted sums as they enter the total. */
  contentTotal: number;
  styleTotal: number;
  total: number;
}

export class NonFiniteLossError extends Error {
  constructor(step: number, terms: string) {
    super(`The loss became NaN/Inf at step ${step} (${terms}). Try a smaller learning rate or smaller loss weights.`);
    this.name = 'NonFiniteLossError';
  }
}

/** Where each term sits in the loss slots: [layer, slot, weight] per content and style layer, TV's slot, and the temporal term's [slot, weight]. */
export interface LossSlots {
  content: [string, number, number][];
  style: [string, number, number][];
  tv: number;
  temporal?: [number, number];
}

/**
 * The terms from the slots' values `s`, which hold the unweighted terms ½Σ(F−P)² and
 * 1/(4N²)·Σ(G−A)² per layer, TV and the temporal term; throws NonFiniteLossError (naming every slot) on NaN/Inf.
 */
export function lossTerms(s: Float32Array, slots: LossSlots, tvWeight: number, step: number, slotNames: string[]): LossTerms {
  const content: Record<string, number> = {};
  const style: Record<string, number> = {};
  let contentTotal = 0, styleTotal = 0;
  for (const [name, slot, weight] of slots.content) {
    contentTotal += weight * s[slot];
    content[name] = s[slot];
  }
  for (const [name, slot, weight] of slots.style) {
    styleTotal += weight * s[slot];
    style[name] = s[slot];
  }
  const tv = s[slots.tv];
  const temporal = slots.temporal ? s[slots.temporal[0]] : 0;
  const total = contentTotal + styleTotal + tvWeight * tv + (slots.temporal ? slots.temporal[1] * temporal : 0);
  if (!Number.isFinite(total)) throw new NonFiniteLossError(step, slotNames.map((n, i) => `${n}=${s[i]}`).join(', '));
  return { content, style, tv, temporal, contentTotal, styleTotal, total };
}
