/** Host side of the Gram matrix kernels: G = scale·F·Fᵀ for F = a C×H×W map seen as C×(H·W). */
import { grid1d, type Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';
import { expectShape, numel, shapeStr, type Tensor } from './tensor.js';

function featureDims(what: string, f: Tensor): { C: number; M: number } {
  if (f.shape.length < 2) throw new Error(`${what}: expected C×H×W or C×M features, got [${f.shape.join('×')}]`);
  const C = f.shape[0];
  return { C, M: f.shape.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * Gram kernel versions: "blocks" (gram/v1_forward, version 1: one 4×4 block per invocation, no
 * barriers — best on software adapters) and "lanes" (gram/v2_forward_lanes, version 2: 64 lanes
 * share a block and split m, coalesced reads, one barrier — best on GPUs). "auto" picks by adapter.
 */
export type GramVariant = 'auto' | 'blocks' | 'lanes';

export function gramVariant(lib: KernelLibrary, requested: GramVariant = 'auto'): 'blocks' | 'lanes' {
  if (requested !== 'auto') return requested;
  return lib.ctx.info.isSoftware ? 'blocks' : 'lanes';
}

/** Number of split-K slices for a C×M Gram: enough to give a wide map's few blocks parallel work. */
export function gramSlices(C: number, M: number, variant: 'blocks' | 'lanes' = 'blocks'): number {
  const blocks = (Math.ceil(C / 4) * (Math.ceil(C / 4) + 1)) / 2; // upper-triangle 4×4 blocks
  if (variant === 'lanes') {
    // each block is already a 64-lane workgroup: aim at ~1000 busy workgroups, ≥ 1024 m per slice
    return Math.max(1, Math.min(64, Math.ceil(1024 / blocks), Math.floor(M / 1024)));
  }
  if (M < 4096 || blocks >= 4096) return 1;
  return Math.min(64, Math.ceil(M / 2048), Math.ceil(8192 / blocks));
}

/**
 * G = scale·F·Fᵀ. With several slices (see gramSlices) the kernel writes partial Grams into
 * `scratch` (≥ slices·C·C floats, owned by the caller) and a second dispatch sums them.
 */
export function gramForward(lib: KernelLibrary, features: Tensor, gram: Tensor, scale = 1, scratch?: Tensor, variant: GramVariant = 'auto'): Dispatch[] {
  const { C, M } = featureDims('gramForward: features', features);
  expectShape('gramForward: gram', gram, [C, C]);
  const v = gramVariant(lib, variant);
  const kernel = lib.kernel(v === 'lanes' ? 'gram/v2_forward_lanes' : 'gram/v1_forward');
  // version 1: 8×8 invocations per workgroup, one 4×4 block each; version 2: a workgroup per block
  const blocks = v === 'lanes' ? Math.ceil(C / 4) : Math.ceil(Math.ceil(C / 4) / 8);
  const slices = scratch ? gramSlices(C, M, v) : 1;
  const chunk = Math.ceil(M / slices);
  if (slices === 1) return [kernel.bind({ features: features.buffer, gram: gram.buffer }, { C, M, scale, chunk: M }, [blocks, blocks, 1])];
  if (numel(scratch!.shape) < slices * C * C) throw new Error(`gramForward: scratch ${shapeStr(scratch!.shape)} holds fewer than ${slices}×${C}×${C} floats`);
  return [
    kernel.bind({ features: features.buffer, gram: scratch!.buffer }, { C, M, scale, chunk }, [blocks, blocks, slices]),
    lib.kernel('gram/sum_slices').bind({ partial: scratch!.buffer, gram: gram.buffer }, { n: C * C, slices }, grid1d(C * C, 256)),
  ];
}

/**
 * grad_features = scale·(dG + dGᵀ)·F. Versions: "narrow" (gram/v1_backward, 4×4 blocks) and "wide"
 * (gram/v2_backward_wide, 4×8 blocks, fewer loads per multiply-add); "auto" takes the wide one on
 * software adapters, where it was measured faster, and the narrow one elsewhere.
 */
export function gramBackward(lib: KernelLibrary, features: Tensor, gradGram: Tensor, gradFeatures: Tensor, scale = 1, variant: 'auto' | 'narrow' | 'wide' = 'auto'): Dispatch {
  const { C, M } = featureDims('gramBackward: features', features);
  expectShape('gramBackward: grad_gram', gradGram, [C, C]);
  expectShape('gramBackward: grad_features', gradFeatures, features.shape);
  const wide = variant === 'wide' || (variant === 'auto' && lib.ctx.info.isSoftware);
  return lib.kernel(wide ? 'gram/v2_backward_wide' : 'gram/v1_backward').bind(
    { features: features.buffer, grad_gram: gradGram.buffer, grad_features: gradFeatures.buffer },
    { C, M, scale },
    [Math.ceil(Math.ceil(M / (wide ? 8 : 4)) / 64), Math.ceil(C / 4), 1],
  );
}
