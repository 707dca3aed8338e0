/** A feature network on the GPU, whichever it is: what StyleTransfer and the tiled evaluation build graphs with. */
import type { KernelLibrary } from '../kernels/library.js';
import type { PoolKind } from '../kernels/pool/pool.js';
import type { Node, Tape } from '../graph/tape.js';
import { SqueezeNetOnGpu } from './squeezenet.js';
import { VggOnGpu } from './vgg19.js';
import type { NetworkWeights } from '../model/weights.js';

export interface FeaturesOnGpu {
  readonly weights: NetworkWeights;
  /** Record the features of `image` (3×H×W) up to `upTo` on the tape; each layer's rectified output by name. */
  features(tape: Tape, image: Node, upTo: string, pooling: PoolKind): Map<string, Node>;
  /** Make the forms an H×W graph's kernels read before its buffers are allocated (the uploads then do not add to its peak). */
  makeForms(H: number, W: number, backward: boolean): void;
  /** Free the weights' forms made so far (a later graph makes what it reads again): after the target passes. */
  releaseForms(): void;
  /** Bytes of the weights resident on the GPU now (biases aside). */
  formBytes(): number;
  /** Release the weights' GPU buffers. */
  dispose(): void;
}

/** Upload `weights` (the layers up to `upTo`) for their network. */
export function featuresOnGpu(lib: KernelLibrary, weights: NetworkWeights, upTo: string): FeaturesOnGpu {
  return weights.network === 'squeezenet' ? new SqueezeNetOnGpu(lib, weights, upTo) : new VggOnGpu(lib, weights, upTo);
}
