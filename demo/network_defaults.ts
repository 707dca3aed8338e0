/**
 * What each choice of network and weights runs with, in the fields the user has not edited:
 * - the loss settings (content and style layers, α, β, TV weight, pooling): SqueezeNet's own
 *   (networkDefaults('squeezenet') in src/nst/defaults.ts) for the embedded SqueezeNet, VGG19's for
 *   the pretrained or loaded VGG19, and the seeded random VGG19's (RANDOM_NETWORK_DEFAULTS: avg
 *   pooling, a small TV prior, β 100× larger). Edits are kept per network: switching from VGG19 to
 *   SqueezeNet and back shows each network's own values (VGG19's layer names mean nothing to
 *   SqueezeNet).
 * - the learning rate: the network's for Adam, LBFGS_LR for L-BFGS (reset when the optimiser changes);
 *   all of these are what the engine resolves for the choice (jobDefaults), so the page's run gets
 *   the options a CLI or library job with the same settings gets;
 * - the size and steps (PAGE_RUN_DEFAULTS): smaller on a CPU (software) adapter, to finish in about a
 *   minute; a SqueezeNet step costs about a tenth of a VGG19 one.
 * Every value comes from src/nst/defaults.ts; the fields that do not follow the network (seed, style
 * scale, the reconstructions' size and steps) are set from it at start-up.
 * The strength slider is relative to the network's β: "medium" is its recommended value, each
 * step a factor of √10.
 */
import type { LayerWeight, StyleTransferOptions } from '../src/nst/options.js';
import { networkSpec, type NetworkId } from '../src/model/networks.js';
import { networkDefaults, DEFAULT_OPTIONS, JOB_DEFAULTS, jobDefaults, PAGE_RECONSTRUCTION_DEFAULTS, PAGE_RUN_DEFAULTS } from '../src/nst/defaults.js';
import { $ } from './dom.js';
import type { WeightsChoice } from './weights.js';

/** The fields that follow the network (each network keeps the user's edits of them). */
const FIELDS = ['content-layers', 'style-layers', 'content-weight', 'style-weight', 'tv-weight', 'pooling', 'lr'] as const;
const edits: Record<NetworkId, Map<string, string>> = { vgg19: new Map(), squeezenet: new Map() };
/** The network whose values the fields show. */
let shown: NetworkId = 'vgg19';
let networkBeta = networkDefaults('vgg19').styleWeight;

const layerText = (ls: LayerWeight[]) => ls.map((l) => (l.weight === 1 ? l.name : `${l.name}:${l.weight}`)).join(',');

/** The recommended values of the fields for a choice running `network`. */
function recommended(choice: WeightsChoice, network: NetworkId): Record<(typeof FIELDS)[number], string> {
  // Adam's rate is the network's; L-BFGS takes whole steps
  const optimizer = $<HTMLSelectElement>('optimizer').value as StyleTransferOptions['optimizer'];
  const d = jobDefaults({ network, optimizer }, { random: choice === 'random' });
  return {
    'content-layers': layerText(d.contentLayers),
    'style-layers': layerText(d.styleLayers),
    'content-weight': String(d.contentWeight),
    'style-weight': String(d.styleWeight),
    'tv-weight': String(d.tvWeight),
    pooling: d.pooling,
    lr: String(d.lr),
  };
}

/** The network the fields show now (the run's network). */
export const shownNetwork = () => shown;

/**
 * The style weight in the field relative to the network's recommended β (1 at "medium"): the fast
 * SqueezeNet preview of a VGG19 choice applies the same factor to SqueezeNet's own β, so the
 * strength slider means the same there.
 */
export const styleStrengthFactor = () => Number($<HTMLInputElement>('style-weight').value) / networkBeta;

/**
 * The fast preview's β: SqueezeNet's recommended β times styleStrengthFactor (NaN when the β field
 * is not a number ≥ 0); with SqueezeNet chosen, the field's β itself.
 */
export function previewStyleWeight(): number {
  const factor = styleStrengthFactor();
  if (!Number.isFinite(factor) || factor < 0) return NaN;
  if (shown === 'squeezenet') return Number($<HTMLInputElement>('style-weight').value);
  return Number((networkDefaults('squeezenet').styleWeight * factor).toPrecision(3));
}

const words = (s: number) => (s <= -1.5 ? 'subtle' : s <= -0.5 ? 'light' : s < 0.5 ? 'medium' : s < 1.5 ? 'strong' : 'very strong');

/** While the fast preview of a VGG19 choice is on, the strength's label gives both β: the preview's (SqueezeNet's) and the render's (VGG19's). */
let previewing = false;

function showStrength(): void {
  const beta = Number($<HTMLInputElement>('style-weight').value);
  const preview = previewStyleWeight();
  const is = (b: number) => `β\u00a0=\u00a0${b}`; // kept on one line
  const values = previewing && shown !== 'squeezenet' && Number.isFinite(preview) ? `preview ${is(preview)}, ${networkSpec(shown).label} ${is(beta)}` : is(beta);
  const text = `${words(Math.log10(beta / networkBeta))} (${values})`;
  $('strength-out').textContent = text;
  // what a screen reader says for the slider's value (its name is the label: "Strength of style")
  $('strength').setAttribute('aria-valuetext', text);
}

/** The strength's label follows the fast preview's mode (called at every page update; cheap when unchanged). */
export function showStrengthFor(previewOn: boolean): void {
  if (previewOn === previewing) return;
  previewing = previewOn;
  showStrength();
}

let shownChoice: WeightsChoice = 'squeezenet';

/** Put the chosen network's recommendations (or the user's edits for that network) into the fields. */
export function applyNetworkDefaults(choice: WeightsChoice, network: NetworkId): void {
  shownChoice = choice;
  const rec = recommended(choice, network);
  const changedNetwork = network !== shown;
  shown = network;
  networkBeta = Number(rec['style-weight']);
  for (const id of FIELDS) {
    const v = edits[network].get(id) ?? rec[id];
    const input = $<HTMLInputElement>(id);
    if (input.value !== v) input.value = v;
  }
  const strength = $<HTMLInputElement>('strength');
  const next = String(Math.max(-2, Math.min(2, Math.round(2 * Math.log10(Number($<HTMLInputElement>('style-weight').value) / networkBeta)) / 2)));
  if (strength.value !== next) strength.value = next;
  showStrength();
  if (changedNetwork) applyRunDefaults();
}

// ---------------------------------------------------------------- size and steps

/** Size (px) and steps by adapter and network (src/nst/defaults.ts): on a CPU adapter, about a minute. */
export const RUN_DEFAULTS = PAGE_RUN_DEFAULTS;
let software = false;
/** The size and steps last put in the fields (a field still holding them was not edited). */
let applied: { size: string; iters: string } | null = null;

function applyRunDefaults(): void {
  const d = RUN_DEFAULTS[software ? 'software' : 'hardware'][shown];
  const next = { size: String(d.size), iters: String(d.iters) };
  for (const id of ['size', 'iters'] as const) {
    const input = $<HTMLInputElement>(id);
    if (input.value === (applied?.[id] ?? input.defaultValue)) input.value = next[id];
  }
  applied = next;
}

/** On a CPU (software) adapter: smaller sizes and fewer steps in the fields the user has not edited. */
export function useSoftwareDefaults(): void {
  software = true;
  applyRunDefaults();
}

/** A new optimiser: the learning rate goes back to what the network recommends for it. */
function optimizerChanged(): void {
  for (const e of Object.values(edits)) e.delete('lr');
  applyNetworkDefaults(shownChoice, shown);
}

/** The fields that do not follow the network start at the engine's defaults (the HTML's values are placeholders). */
function applyFixedDefaults(): void {
  const fixed: Record<string, number> = {
    seed: DEFAULT_OPTIONS.seed,
    'style-scale': JOB_DEFAULTS.styleScale,
    'recon-size': PAGE_RECONSTRUCTION_DEFAULTS.hardware.size,
    'recon-iters': PAGE_RECONSTRUCTION_DEFAULTS.hardware.iters,
  };
  for (const [id, v] of Object.entries(fixed)) {
    const input = $<HTMLInputElement>(id);
    if (input.value === input.defaultValue) input.value = String(v);
    input.defaultValue = String(v);
  }
}

export function setupNetworkDefaults(): void {
  applyFixedDefaults();
  $<HTMLSelectElement>('optimizer').addEventListener('change', optimizerChanged);
  for (const id of FIELDS) {
    const remember = () => edits[shown].set(id, $<HTMLInputElement>(id).value);
    $(id).addEventListener('input', remember);
    $(id).addEventListener('change', remember);
  }
  const strength = $<HTMLInputElement>('strength');
  const beta = $<HTMLInputElement>('style-weight');
  strength.oninput = () => {
    beta.value = String(Number((networkBeta * 10 ** Number(strength.value)).toPrecision(3)));
    edits[shown].set('style-weight', beta.value);
    showStrength();
  };
  beta.addEventListener('input', () => {
    const v = Number(beta.value);
    if (v > 0) strength.value = String(Math.max(-2, Math.min(2, Math.log10(v / networkBeta))));
    showStrength();
  });
  applyRunDefaults();
}
