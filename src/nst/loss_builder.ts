/**
 * The Gatys loss, assembled in one place for untiled and tiled runs:
 *
 *   total = Σ_l alpha·c_l·½Σ(F_l − P_l)²  +  Σ_l beta·w_l·1/(4N_l²)·Σ(G_l − A_l)²  +  tv·TV
 *           (+ λ·1/D·Σ c·(x − w)², a video frame's temporal term: temporal.ts)
 *
 * buildLoss says which terms there are, in which order, with which names, weights and
 * normalisations (G_l = F_l·F_lᵀ/M_l, the map size; with style masks one term per region, its
 * Gram normalised by the region's energy and its weight scaled by its area: guidance.ts), and
 * keeps the slots the losses are read from. A LossRecorder records each term's kernels: on one
 * tape (tapeRecorder, untiled), or on a tile's tape and over the whole image (tiled.ts).
 */
import type { Tensor } from '../kernels/tensor.js';
import type { Node, Tape } from '../graph/tape.js';
import type { Guidance } from './guidance.js';
import type { LossSlots } from './loss_terms.js';
import type { StyleTransferOptions } from './options.js';
import type { TemporalTensors } from './temporal.js';

/** The content term's scale: ½Σ(F − P)². */
export const CONTENT_SCALE = 0.5;

/** One style term as buildLoss asks for it. */
export interface StyleTerm {
  /** The feature layer its Gram is taken of. */
  layer: string;
  /** Its name in the losses ("conv1_1", or "conv1_1/mask2" for a region). */
  name: string;
  /** The style target's key: the layer, or "layer#i" for style i's region. */
  target: string;
  /** The Gram's normalisation: 1/M (the layer's map size), or 1/E (the region's energy). */
  gramScale: number;
  /** The term's: 1/(4N²). */
  scale: number;
  /** Its weight in the total: beta·w_l (·the region's area). */
  weight: number;
  /** The region's map at this layer (guided Gram), or null (the plain Gram). */
  mask: Tensor | null;
}

/** How a run records the terms buildLoss asks for; each call returns the term's loss slot. */
export interface LossRecorder {
  /** C×h×w of the features at `layer` over the whole image. */
  shape(layer: string): readonly number[];
  /** scale·Σ(F − P)² at `layer` against its content target, `weight` in the total. */
  content(layer: string, name: string, scale: number, weight: number): number;
  /** scale·Σ(G − A)², G the (guided) Gram of the features at `term.layer`, A the target `term.target`. */
  style(term: StyleTerm): number;
  /** TV of the image, `weight` in the total. */
  tv(weight: number): number;
  /** The temporal term of the image against t.warped (t.weight in the total); recorded after TV. */
  temporal(t: TemporalTensors): number;
}

/**
 * Record every term of the loss the options ask for, content first, then style (per layer; per
 * region with guidance), then TV, then the temporal term if there is one; returns where each is
 * read from and its weight in the total.
 */
export function buildLoss(o: StyleTransferOptions, rec: LossRecorder, guidance: Guidance | null, temporal: TemporalTensors | null = null): LossSlots {
  const slots: LossSlots = { content: [], style: [], tv: 0 };
  for (const l of o.contentLayers) {
    const weight = o.contentWeight * l.weight;
    slots.content.push([l.name, rec.content(l.name, `content:${l.name}`, CONTENT_SCALE, weight), weight]);
  }
  for (const l of o.styleLayers) {
    const [N, h, w] = rec.shape(l.name);
    const scale = 1 / (4 * N * N);
    if (!guidance) {
      const weight = o.styleWeight * l.weight;
      slots.style.push([l.name, rec.style({ layer: l.name, name: l.name, target: l.name, gramScale: 1 / (h * w), scale, weight, mask: null }), weight]);
      continue;
    }
    for (let i = 0; i < guidance.count; i++) {
      const r = guidance.region(i, l.name), name = `${l.name}/mask${i + 1}`;
      if (!r) continue;
      const weight = o.styleWeight * l.weight * r.area;
      slots.style.push([name, rec.style({ layer: l.name, name, target: `${l.name}#${i}`, gramScale: 1 / r.energy, scale, weight, mask: r.mask }), weight]);
    }
  }
  slots.tv = rec.tv(o.tvWeight);
  if (temporal) slots.temporal = [rec.temporal(temporal), temporal.weight];
  return slots;
}

/** The untiled recorder: every term on `tape`, from the features `feats` of `image` (a leaf of the tape). */
export function tapeRecorder(tape: Tape, image: Node, feats: Map<string, Node>, contentTargets: Map<string, Tensor>, styleTargets: Map<string, Tensor>): LossRecorder {
  const at = (layer: string) => feats.get(layer)!;
  return {
    shape: (layer) => at(layer).value.shape,
    content: (layer, name, scale, weight) => tape.squaredErrorLoss(at(layer), contentTargets.get(layer)!, scale, name, weight),
    style: (t) => {
      const gram = t.mask ? tape.guidedGram(at(t.layer), t.mask, t.gramScale, `gram:${t.name}`) : tape.gram(at(t.layer), t.gramScale, `gram:${t.name}`);
      return tape.squaredErrorLoss(gram, styleTargets.get(t.target)!, t.scale, `style:${t.name}`, t.weight);
    },
    tv: (weight) => tape.tvLoss(image, 1, 'tv', weight),
    temporal: (t) => tape.temporalLoss(image, t.warped, t.weights, t.factors, t.scale, 'temporal', t.weight),
  };
}
