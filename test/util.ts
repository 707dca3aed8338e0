/** Shared test helpers: seeded random data, error measures, finite differences. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { expect } from 'vitest';

/** mulberry32: a small deterministic PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values uniform in [-scale, scale), rounded to float32 so CPU and GPU see the same inputs. */
export function randArray(n: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  return Float64Array.from(Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale));
}

/** max |got − ref| divided by max |ref| (the error relative to the output's scale). */
export function maxRelErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length < ref.length) return Infinity;
  let maxRef = 0, maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    const d = Math.abs(got[i] - ref[i]);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}

/** Assert closeness and log the error (test-artifacts/errors.tsv) so the suite's worst case can be reported. */
export function expectClose(label: string, got: ArrayLike<number>, ref: ArrayLike<number>, tol: number): void {
  const err = maxRelErr(got, ref);
  mkdirSync('test-artifacts', { recursive: true });
  appendFileSync('test-artifacts/errors.tsv', `${label}\t${err.toExponential(2)}\t${tol}\n`);
  expect(err, `${label}: max relative error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}

/**
 * Central finite differences of a scalar function f at x, in double precision, for the given
 * coordinates. f is usually L(x) = Σ r ⊙ forward(x) for a fixed random r, so dL/dx = backward(r).
 */
export function finiteDiff(f: (x: Float64Array) => number, x: Float64Array, indices: number[], h = 1e-3): Float64Array {
  const g = new Float64Array(indices.length);
  indices.forEach((i, k) => {
    const old = x[i];
    x[i] = old + h;
    const up = f(x);
    x[i] = old - h;
    const down = f(x);
    x[i] = old;
    g[k] = (up - down) / (2 * h);
  });
  return g;
}

/** Up to `count` coordinates spread over [0, n), always including the first and last. */
export function sampleIndices(n: number, count: number, seed = 7): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const r = rng(seed);
  const s = new Set([0, n - 1]);
  while (s.size < count) s.add(Math.floor(r() * n));
  return [...s];
}

export const dotSum = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

export const pick = (a: ArrayLike<number>, idx: number[]) => Float64Array.from(idx, (i) => a[i]);
