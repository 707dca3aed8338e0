/**
 * The reduction's versions, simplest first (shaders/reduce/ID.wgsl): a sum Σa (or a dot product
 * a·b) of n floats into one slot of `out`, in two passes through REDUCE_PARTIALS partial sums so
 * that the result never leaves the GPU. Each entry's launch gives the bindings, params and grid.
 */
import type { Dispatch } from '../kernel.js';
import type { KernelLibrary } from '../library.js';
import type { OpPlan, VersionInfo } from '../registry.js';
import type { Tensor } from '../tensor.js';

/** Partial sums of the first pass: the partials scratch holds this many floats. */
export const REDUCE_PARTIALS = 256;

/** One reduction: out[outIndex] = scale·Σ a (or scale·Σ a·b when b is given). */
export interface ReduceCall {
  a: Tensor;
  b?: Tensor;
  out: Tensor;
  outIndex: number;
  scale: number;
  /** Scratch of at least REDUCE_PARTIALS floats. */
  partials: Tensor;
}

export const REDUCE_VERSIONS = [
  {
    id: 'v0_tree', number: 0, kernels: ['reduce/v0_tree'], summary: '256-wide workgroups summing as a tree in workgroup memory', unfit: () => null, splits: false, tuned: true,
    launch(lib: KernelLibrary, c: ReduceCall, plan: OpPlan<'reduce'>): Dispatch[] {
      const { n } = plan.shape;
      const k = lib.kernel('reduce/v0_tree');
      const mode = c.b ? 1 : 0, bBuf = (c.b ?? c.a).buffer;
      const groups = Math.min(REDUCE_PARTIALS, Math.ceil(n / 256));
      if (groups <= 1) return [k.bind({ a: c.a.buffer, b: bBuf, output: c.out.buffer }, { n, block: 256 * Math.ceil(n / 256), mode, out_offset: c.outIndex, scale: c.scale }, [1, 1, 1])];
      // blocks of whole workgroups, at most REDUCE_PARTIALS of them; then one workgroup over the partials
      const block = 256 * Math.ceil(n / groups / 256);
      const used = Math.ceil(n / block);
      return [
        k.bind({ a: c.a.buffer, b: bBuf, output: c.partials.buffer }, { n, block, mode, out_offset: 0, scale: 1 }, [used, 1, 1]),
        k.bind({ a: c.partials.buffer, b: c.partials.buffer, output: c.out.buffer }, { n: used, block: 256, mode: 0, out_offset: c.outIndex, scale: c.scale }, [1, 1, 1]),
      ];
    },
  },
  {
    id: 'v1_chunks', number: 1, kernels: ['reduce/v1_chunks'], summary: 'each invocation sums a contiguous chunk serially, no barriers', unfit: () => null, splits: false, tuned: true,
    launch(lib: KernelLibrary, c: ReduceCall, plan: OpPlan<'reduce'>): Dispatch[] {
      const { n } = plan.shape;
      const k = lib.kernel('reduce/v1_chunks');
      const mode = c.b ? 1 : 0, bBuf = (c.b ?? c.a).buffer;
      // at most REDUCE_PARTIALS chunks of at least 256, then one invocation over the partials
      const chunk = Math.max(256, Math.ceil(n / REDUCE_PARTIALS));
      const count = Math.ceil(n / chunk);
      if (count <= 1) return [k.bind({ a: c.a.buffer, b: bBuf, output: c.out.buffer }, { n, chunk: Math.max(1, n), mode, out_offset: c.outIndex, scale: c.scale }, [1, 1, 1])];
      return [
        k.bind({ a: c.a.buffer, b: bBuf, output: c.partials.buffer }, { n, chunk, mode, out_offset: 0, scale: 1 }, [Math.ceil(count / 64), 1, 1]),
        k.bind({ a: c.partials.buffer, b: c.partials.buffer, output: c.out.buffer }, { n: count, chunk: count, mode: 0, out_offset: c.outIndex, scale: c.scale }, [1, 1, 1]),
      ];
    },
  },
] as const satisfies readonly VersionInfo<'reduce', string>[];
