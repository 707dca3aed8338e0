/**
 * The style weight β, the TV weight and the pooling each network works best with: the seeded
 * random VGG19 brings its own (RANDOM_NETWORK_DEFAULTS: avg pooling, a small TV prior, β 100×
 * larger), pretrained or loaded weights use the engine's defaults. Fields the user has not edited
 * follow the chosen network; edited ones stay as set. The strength slider is relative to the
 * network's β: "medium" is its recommended value, each step a factor of √10.
 */
import { DEFAULT_OPTIONS, networkDefaults } from '../src/nst/options.js';
import { RANDOM_NETWORK_DEFAULTS } from '../src/nst/weights.js';
import { $ } from './dom.js';
import type { WeightsChoice } from './weights.js';

const touched = new Set<string>();
let networkBeta = DEFAULT_OPTIONS.styleWeight;

/**
 * The style weight in the field relative to the network's recommended β (1 at "medium"): the fast
 * SqueezeNet preview applies the same factor to SqueezeNet's own β, so the strength slider means
 * the same there.
 */
export const styleStrengthFactor = () => Number($<HTMLInputElement>('style-weight').value) / networkBeta;

/**
 * The fast preview's β: SqueezeNet's recommended β times styleStrengthFactor (NaN when the β field
 * is not a number ≥ 0).
 */
export function previewStyleWeight(): number {
  const factor = styleStrengthFactor();
  if (!Number.isFinite(factor) || factor < 0) return NaN;
  return Number((networkDefaults('squeezenet').styleWeight * factor).toPrecision(3));
}

const words = (s: number) => (s <= -1.5 ? 'subtle' : s <= -0.5 ? 'light' : s < 0.5 ? 'medium' : s < 1.5 ? 'strong' : 'very strong');

/** While the fast preview is on, the strength's label gives both β: the preview's (SqueezeNet's) and the render's (VGG19's). */
let previewing = false;

function showStrength(): void {
  const beta = Number($<HTMLInputElement>('style-weight').value);
  const preview = previewStyleWeight();
  const is = (b: number) => `β\u00a0=\u00a0${b}`; // kept on one line
  const values = previewing && Number.isFinite(preview) ? `preview ${is(preview)}, VGG19 ${is(beta)}` : is(beta);
  $('strength-out').textContent = `${words(Math.log10(beta / networkBeta))} (${values})`;
}

/** The strength's label follows the fast preview's mode (called at every page update; cheap when unchanged). */
export function showStrengthFor(previewOn: boolean): void {
  if (previewOn === previewing) return;
  previewing = previewOn;
  showStrength();
}

/** Put the chosen network's recommendations into the fields the user has not edited. */
export function applyNetworkDefaults(choice: WeightsChoice): void {
  const rec = choice === 'random' ? RANDOM_NETWORK_DEFAULTS.stylize : {};
  networkBeta = rec.styleWeight ?? DEFAULT_OPTIONS.styleWeight;
  const values: Record<string, string> = {
    'style-weight': String(networkBeta),
    'tv-weight': String(rec.tvWeight ?? DEFAULT_OPTIONS.tvWeight),
    pooling: rec.pooling ?? DEFAULT_OPTIONS.pooling,
  };
  for (const [id, v] of Object.entries(values)) if (!touched.has(id)) $<HTMLInputElement>(id).value = v;
  const strength = $<HTMLInputElement>('strength');
  strength.value = String(Math.max(-2, Math.min(2, Math.round(2 * Math.log10(Number($<HTMLInputElement>('style-weight').value) / networkBeta)) / 2)));
  showStrength();
}

export function setupNetworkDefaults(): void {
  for (const id of ['style-weight', 'tv-weight', 'pooling']) $(id).addEventListener('input', () => touched.add(id));
  $('pooling').addEventListener('change', () => touched.add('pooling'));
  const strength = $<HTMLInputElement>('strength');
  const beta = $<HTMLInputElement>('style-weight');
  strength.oninput = () => {
    touched.add('style-weight');
    beta.value = String(Number((networkBeta * 10 ** Number(strength.value)).toPrecision(3)));
    showStrength();
  };
  beta.addEventListener('input', () => {
    const v = Number(beta.value);
    if (v > 0) strength.value = String(Math.max(-2, Math.min(2, Math.log10(v / networkBeta))));
    showStrength();
  });
}
