/**
 * The registry of kernel versions: for each op kind (its shape and what one run is given) every
 * version, simplest first. Everything that runs, tests, times or lists a kernel version reads
 * REGISTRY; the planner (plan.ts) picks among them.
 *
 * Op kinds and their shapes:
 *   conv_forward         R input channels reduced into N outputs, K×K kernel, H×W map
 *   conv_backward_input  the same with R = O (gradient channels) and N = C (input channels)
 *   gram_forward         C channels × M positions → C×C
 *   gram_backward        the same shape, gradient back to the C×M features
 *   reduce               n floats (or a dot product of two) → one float
 *   strided_conv_forward         C → O channels, K×K kernel at a stride with zero padding, H×W input
 *   strided_conv_backward_input  the same layer, gradient back to its C×H×W input
 */
import type { AdapterSummary } from './context.js';
import type { Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';
import type { KernelName } from './shaders.js';
import { GRAM_BACKWARD_VERSIONS, GRAM_FORWARD_VERSIONS, type GramBackwardCall, type GramForwardCall } from './gram/versions.js';
import { REDUCE_VERSIONS, type ReduceCall } from './reduce/versions.js';
import { CONV_VERSIONS, convVersions, type ConvCall } from './conv/versions.js';
import { STRIDED_CONV_BACKWARD_VERSIONS, STRIDED_CONV_FORWARD_VERSIONS, type StridedConvBackwardCall, type StridedConvForwardCall } from './strided_conv/versions.js';

export interface ConvShape {
  /** channels reduced (forward: input channels C; backward to input: output channels O) */
  R: number;
  /** channels produced (forward: O; backward to input: C) */
  N: number;
  K: number;
  H: number;
  W: number;
}

export interface GramShape {
  C: number;
  M: number;
}

export interface ReduceShape {
  n: number;
}

/** A strided conv layer on an H×W input: C input channels, O outputs (the same in both directions). */
export interface StridedConvShape {
  C: number;
  O: number;
  K: number;
  stride: number;
  pad: number;
  H: number;
  W: number;
}

export interface OpShapes {
  conv_forward: ConvShape;
  conv_backward_input: ConvShape;
  gram_forward: GramShape;
  gram_backward: GramShape;
  reduce: ReduceShape;
  strided_conv_forward: StridedConvShape;
  strided_conv_backward_input: StridedConvShape;
}

export type OpKind = keyof OpShapes;

export const OP_KINDS: OpKind[] = ['conv_forward', 'conv_backward_input', 'gram_forward', 'gram_backward', 'reduce', 'strided_conv_forward', 'strided_conv_backward_input'];

/** A conv version's id (both directions have the same ids). */
export type ConvVersion = (typeof CONV_VERSIONS)[number]['id'];

export interface OpVersions {
  conv_forward: ConvVersion;
  conv_backward_input: ConvVersion;
  gram_forward: (typeof GRAM_FORWARD_VERSIONS)[number]['id'];
  gram_backward: (typeof GRAM_BACKWARD_VERSIONS)[number]['id'];
  reduce: (typeof REDUCE_VERSIONS)[number]['id'];
  strided_conv_forward: (typeof STRIDED_CONV_FORWARD_VERSIONS)[number]['id'];
  strided_conv_backward_input: (typeof STRIDED_CONV_BACKWARD_VERSIONS)[number]['id'];
}

/** What one run of an op is given (its tensors and scalars; the shape is the plan's). */
export interface OpCalls {
  conv_forward: ConvCall;
  conv_backward_input: ConvCall;
  gram_forward: GramForwardCall;
  gram_backward: GramBackwardCall;
  reduce: ReduceCall;
  strided_conv_forward: StridedConvForwardCall;
  strided_conv_backward_input: StridedConvBackwardCall;
}

export interface VersionInfo<K extends OpKind = OpKind, Id extends string = OpVersions[K]> {
  /** The shader file stem (OpVersions[K], the union of an op's ids, is read off its list). */
  id: Id;
  /** Numbered simplest first, as the shader files are (shaders/conv/v3_rows.wgsl is version 3). */
  number: number;
  /** The kernels one run of this version dispatches (split-K sums and weight transforms included). */
  kernels: readonly KernelName[];
  summary: string;
  /** Why this version cannot run a shape, or null if it can. */
  unfit: (s: OpShapes[K]) => string | null;
  /** A device feature the version's shaders need (AdapterSummary.subgroups); devices without it never run the version. */
  needs?: 'subgroups';
  /** Whether the reduction can be split across workgroups (split-K, summed by a second kernel). */
  splits: boolean;
  /** Whether autotuning times it (version 0 is for reading, never the fastest). */
  tuned: boolean;
  /** The split count this version uses for a shape, when it decides it itself (the Gram's). */
  slices?: (s: OpShapes[K]) => number;
  /** The dispatches of one run as `plan` says: bindings, params and grid. */
  launch: (lib: KernelLibrary, call: OpCalls[K], plan: OpPlan<K>) => Dispatch[];
}

/** Every version of every op, simplest first. Tests, the benchmark and the explorer iterate this. */
export const REGISTRY: { [K in OpKind]: readonly VersionInfo<K>[] } = {
  conv_forward: convVersions('forward'),
  conv_backward_input: convVersions('backward_input'),
  gram_forward: GRAM_FORWARD_VERSIONS,
  gram_backward: GRAM_BACKWARD_VERSIONS,
  reduce: REDUCE_VERSIONS,
  strided_conv_forward: STRIDED_CONV_FORWARD_VERSIONS,
  strided_conv_backward_input: STRIDED_CONV_BACKWARD_VERSIONS,
};

export function versionInfo<K extends OpKind>(kind: K, version: OpVersions[K]): VersionInfo<K> {
  const v = (REGISTRY[kind] as readonly VersionInfo<K>[]).find((x) => x.id === version);
  if (!v) throw new Error(`unknown ${kind} version "${version}" (known: ${REGISTRY[kind].map((x) => x.id).join(', ')})`);
  return v;
}

/** Whether a device can run a version at all (its `needs`); unknown devices (no summary) can. */
export function deviceRuns(v: Pick<VersionInfo, 'needs'>, device?: Pick<AdapterSummary, 'subgroups'>): boolean {
  return !v.needs || !device || device.subgroups === true;
}

/**
 * The versions that can run a shape (all of them, or only those autotuning times); with a
 * device summary, only those its features allow.
 */
export function eligibleVersions<K extends OpKind>(kind: K, shape: OpShapes[K], tunedOnly = false, device?: Pick<AdapterSummary, 'subgroups'>): VersionInfo<K>[] {
  return (REGISTRY[kind] as readonly VersionInfo<K>[]).filter((v) => v.unfit(shape) === null && (!tunedOnly || v.tuned) && deviceRuns(v, device));
}

/** A readable, stable name for an op and shape (tuning tables are keyed by it). */
export function opKey<K extends OpKind>(kind: K, shape: OpShapes[K]): string {
  return `${kind} ${Object.entries(shape).map(([k, v]) => `${k}${v}`).join(' ')}`;
}

/** How one op will run. Scratch sizes are in floats; the caller provides buffers at least that large. */
export interface OpPlan<K extends OpKind = OpKind> {
  kind: K;
  shape: OpShapes[K];
  version: OpVersions[K];
  splits: number;
  scratch: { slices?: number; winogradData?: number; winogradProducts?: number };
}

/** A version and split count for an op, before scratch is sized. */
export interface Choice<K extends OpKind = OpKind> {
  version: OpVersions[K];
  splits: number;
}
