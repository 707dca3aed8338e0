/** Host side of the Gram matrix kernels: G = scale·F·Fᵀ for F = a C×H×W map seen as C×(H·W). */
import type { Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';
import { expectShape, type Tensor } from './tensor.js';

function featureDims(what: string, f: Tensor): { C: number; M: number } {
  if (f.shape.length < 2) throw new Error(`${what}: expected C×H×W or C×M features, got [${f.shape.join('×')}]`);
  const C = f.shape[0];
  return { C, M: f.shape.slice(1).reduce((a, b) => a * b, 1) };
}

export function gramForward(lib: KernelLibrary, features: Tensor, gram: Tensor, scale = 1): Dispatch {
  const { C, M } = featureDims('gramForward: features', features);
  expectShape('gramForward: gram', gram, [C, C]);
  const blocks = Math.ceil(Math.ceil(C / 4) / 8);
  return lib.kernel('gram_forward').bind({ features: features.buffer, gram: gram.buffer }, { C, M, scale }, [blocks, blocks, 1]);
}

export function gramBackward(lib: KernelLibrary, features: Tensor, gradGram: Tensor, gradFeatures: Tensor, scale = 1): Dispatch {
  const { C, M } = featureDims('gramBackward: features', features);
  expectShape('gramBackward: grad_gram', gradGram, [C, C]);
  expectShape('gramBackward: grad_features', gradFeatures, features.shape);
  return lib.kernel('gram_backward').bind(
    { features: features.buffer, grad_gram: gradGram.buffer, grad_features: gradFeatures.buffer },
    { C, M, scale },
    [Math.ceil(Math.ceil(M / 4) / 64), Math.ceil(C / 4), 1],
  );
}
