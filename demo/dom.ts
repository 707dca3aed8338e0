/** Small page helpers: element lookup, the page's one error box, wording. */
import { WebGpuUnavailableError } from '../src/kernels/context.js';
import { webGpuAdvice } from './webgpu_advice.js';

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** "1 step", "4 steps". */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Speed in the unit that reads best: "12.5 steps/s" when fast, "0.80 s/step" when slow. */
export const rate = (secondsPerStep: number) => (secondsPerStep > 0 && secondsPerStep < 1 ? `${(1 / secondsPerStep).toFixed(1)} steps/s` : `${secondsPerStep.toFixed(2)} s/step`);

/** The whole number in input #id, or an error naming the field (`what`) and the range. */
export function wholeNumber(id: string, what: string, min: number, max: number): number {
  const text = $<HTMLInputElement>(id).value.trim();
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < min || n > max) throw new Error(`${what} must be a whole number from ${min} to ${max} (got ${text === '' ? 'an empty field' : `“${text}”`}).`);
  return n;
}

export function explain(e: unknown): string {
  if (e instanceof WebGpuUnavailableError) {
    return `${e.message} This page needs WebGPU. ${webGpuAdvice(navigator.userAgent, e.noAdapter)}`;
  }
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------- errors

/**
 * The error box (role="alert") shows one message per source: 'gpu', 'run', 'settings',
 * 'weights', 'pick-content', … A source clears its message when what it is about is fixed.
 */
interface Shown { message: string; action?: { label: string; run: () => void } }
const errors = new Map<string, Shown>();

function renderErrors(): void {
  const box = $('error');
  box.textContent = '';
  for (const [, e] of errors) {
    const p = document.createElement('p');
    p.textContent = e.message;
    if (e.action) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = e.action.label;
      b.onclick = e.action.run;
      p.append(' ', b);
    }
    box.append(p);
  }
  box.hidden = errors.size === 0;
}

export function setError(source: string, message: string, action?: Shown['action']): void {
  errors.set(source, { message, action });
  renderErrors();
  // a message raised from a control far down the page (e.g. in Advanced settings) must be seen
  $('error').scrollIntoView({ block: 'nearest' });
}

/** Called with each source whose message goes (texts that pointed at it go too). */
const clearedListeners: ((source: string) => void)[] = [];
export const onErrorCleared = (f: (source: string) => void) => clearedListeners.push(f);

export function clearError(...sources: string[]): void {
  const gone = sources.filter((s) => errors.delete(s));
  if (!gone.length) return;
  renderErrors();
  for (const s of gone) for (const f of clearedListeners) f(s);
}

export const hasError = (source: string) => errors.has(source);
