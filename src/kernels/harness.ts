/**
 * The one harness every op case runs in. An op *run* is an op set up at a shape and plan: its
 * tensors (inputs uploaded from arrays, or filled with a constant), its dispatches, which tensors
 * it writes, and how to free all of it. The test suite (headless Chromium) and the page's kernel
 * explorer run one and read its outputs (`runRead`); autotuning and the benchmark time its
 * dispatches (op_bench.ts). Each versioned op makes its runs in its folder (`<op>/cases.ts`) with
 * the engine's own host code, so what is tested is what is timed and what runs.
 */
import { fill } from './elementwise/elementwise.js';
import type { KernelLibrary } from './library.js';
import { runOnce } from './run_once.js';
import { makePlan } from './plan.js';
import { type OpKind, type OpPlan, type OpShapes, type OpVersions } from './registry.js';
import type { Dispatch } from './kernel.js';
import type { Tensor } from './tensor.js';

export type Arrays = Record<string, Float32Array>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CaseParams = Record<string, any>;
/** A kernel case: upload `x`, run with parameters `p`, read the outputs back (everything released). */
export type Case = (lib: KernelLibrary, x: Arrays, p: CaseParams) => Promise<Arrays>;

/** Where a run's inputs come from: named arrays (tests, explorer) or one constant (timing). */
export type Inputs = Arrays | { constant: number };

/** An op ready to run: its tensors by name, its dispatches, the names of the tensors it writes. */
export interface OpRun {
  tensors: Record<string, Tensor>;
  dispatches: Dispatch[];
  outputs: string[];
  /** Frees the dispatches and every tensor the run made. */
  release: () => void;
}

/**
 * Tensors for named inputs (uploaded from the arrays, or filled with the constant) and named
 * outputs (new). Records each in `made`, so that a failure half-way frees what exists.
 */
export function makeTensors(lib: KernelLibrary, inputs: Inputs, shapes: Record<string, readonly number[]>, outShapes: Record<string, readonly number[]>, made: Tensor[]): Record<string, Tensor> {
  const t: Record<string, Tensor> = {};
  const fills: Dispatch[] = [];
  for (const [k, s] of Object.entries(shapes)) {
    if ('constant' in inputs) {
      t[k] = lib.tensor(s, k);
      fills.push(fill(lib, t[k], inputs.constant as number));
    } else {
      t[k] = lib.upload(s, inputs[k], k);
    }
    made.push(t[k]);
  }
  for (const [k, s] of Object.entries(outShapes)) made.push((t[k] = lib.tensor(s, k)));
  if (fills.length) runOnce(lib, fills);
  return t;
}

/**
 * Builds a run from `body`, which makes its tensors through `tensors` (and may add more to free
 * with `own`) and returns the dispatches and output names; anything it made is freed if it throws.
 */
export function opRun(lib: KernelLibrary, body: (tensors: (shapes: Record<string, readonly number[]>, outShapes: Record<string, readonly number[]>) => Record<string, Tensor>, own: (free: () => void) => void) => { dispatches: Dispatch[]; outputs: string[] }, inputs: Inputs): OpRun {
  const made: Tensor[] = [];
  const frees: (() => void)[] = [];
  const all: Record<string, Tensor> = {};
  const freeAll = () => {
    lib.release(...made);
    for (const f of frees) f();
  };
  try {
    const { dispatches, outputs } = body((shapes, outShapes) => Object.assign(all, makeTensors(lib, inputs, shapes, outShapes, made)), (f) => frees.push(f));
    return {
      tensors: all, dispatches, outputs,
      release: () => {
        for (const d of dispatches) d.destroy();
        freeAll();
      },
    };
  } catch (e) {
    freeAll();
    throw e;
  }
}

export async function readAll(lib: KernelLibrary, outs: Record<string, Tensor>): Promise<Arrays> {
  const r: Arrays = {};
  for (const [k, t] of Object.entries(outs)) r[k] = await lib.read(t);
  return r;
}

/** Run once, read the outputs back, release everything. */
export async function runRead(lib: KernelLibrary, run: OpRun): Promise<Arrays> {
  try {
    runOnce(lib, run.dispatches);
    return await readAll(lib, Object.fromEntries(run.outputs.map((k) => [k, run.tensors[k]])));
  } finally {
    run.release();
  }
}

/** Upload named inputs with given shapes, run, read named outputs, release everything (the single-version ops). */
export async function withTensors(
  lib: KernelLibrary,
  x: Arrays,
  shapes: Record<string, number[]>,
  outShapes: Record<string, number[]>,
  body: (t: Record<string, Tensor>) => Dispatch[],
): Promise<Arrays> {
  return runRead(lib, opRun(lib, (tensors) => ({ dispatches: body(tensors(shapes, outShapes)), outputs: Object.keys(outShapes) }), x));
}

/**
 * The plan a case runs: the named version (and split count) if given, else what this device's
 * planner picks for the shape.
 */
export function planFor<K extends OpKind>(lib: KernelLibrary, kind: K, shape: OpShapes[K], version?: OpVersions[K], splits = 1): OpPlan<K> {
  return version ? makePlan(kind, shape, { version, splits }) : lib.planner.plan(kind, shape);
}
