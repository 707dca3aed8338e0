/**
 * The harness every op case runs in — the test suite (headless Chromium), the page's kernel
 * explorer, and through them every registered version: upload named inputs, run the op's
 * dispatches through the engine's own host wrappers (a named version, or what this device's
 * planner picks), read the outputs back, release everything.
 */
import type { KernelLibrary } from './library.js';
import { runOnce } from './library.js';
import { makePlan, type OpKind, type OpPlan, type OpShapes, type OpVersions } from './plan.js';
import type { Dispatch } from './kernel.js';
import type { Tensor } from './tensor.js';

export type Arrays = Record<string, Float32Array>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CaseParams = Record<string, any>;
/** A kernel case: upload `x`, run with parameters `p`, read the outputs back (everything released). */
export type Case = (lib: KernelLibrary, x: Arrays, p: CaseParams) => Promise<Arrays>;

export async function readAll(lib: KernelLibrary, outs: Record<string, Tensor>): Promise<Arrays> {
  const r: Arrays = {};
  for (const [k, t] of Object.entries(outs)) r[k] = await lib.read(t);
  return r;
}

/** Upload named inputs with given shapes, run, read named outputs, release everything. */
export async function withTensors(
  lib: KernelLibrary,
  x: Arrays,
  shapes: Record<string, number[]>,
  outShapes: Record<string, number[]>,
  body: (t: Record<string, Tensor>) => Dispatch[],
): Promise<Arrays> {
  const t: Record<string, Tensor> = {};
  try {
    for (const [k, s] of Object.entries(shapes)) t[k] = lib.upload(s, x[k], k);
    for (const [k, s] of Object.entries(outShapes)) t[k] = lib.tensor(s, k);
    runOnce(lib, body(t));
    return await readAll(lib, Object.fromEntries(Object.keys(outShapes).map((k) => [k, t[k]])));
  } finally {
    lib.release(...Object.values(t));
  }
}

/**
 * The plan a case runs: the named version (and split count) if given, else what this device's
 * planner picks for the shape.
 */
export function planFor<K extends OpKind>(lib: KernelLibrary, kind: K, shape: OpShapes[K], version?: OpVersions[K], splits = 1): OpPlan<K> {
  return version ? makePlan(kind, shape, { version, splits }) : lib.planner.plan(kind, shape);
}

