/** VGG19 on the tape: upload weights once, then build the feature graph up to a given layer. */
import { convWeights, formBytes, packedWeights, releasePackedWeights, winogradFilters, type ConvWeights } from '../kernels/conv/weights.js';
import { winogradTileOf } from '../kernels/conv/geometry.js';
import type { KernelLibrary } from '../kernels/library.js';
import type { PoolKind } from '../kernels/pool/pool.js';
import type { Node, Tape } from '../graph/tape.js';
import { convsUpTo, layerScale } from '../model/vgg19_spec.js';
import { requireLayers, type NetworkWeights } from '../model/weights.js';

/**
 * VGG19's conv weights for the GPU: biases resident, the forms the kernels read made on first use
 * from the CPU's OIHW floats (weights.ts), so only forms a planned kernel reads are ever made.
 * Owns its buffers.
 */
export class VggOnGpu {
  readonly convs = new Map<string, ConvWeights>();

  constructor(readonly lib: KernelLibrary, readonly weights: NetworkWeights, upTo: string) {
    const specs = convsUpTo(upTo);
    requireLayers(weights, specs.map((s) => s.name));
    for (const s of specs) {
      const p = weights.layers.get(s.name)!;
      const b = lib.upload([s.outChannels], p.bias, `${s.name}.bias`);
      this.convs.set(s.name, convWeights(s.outChannels, s.inChannels, 3, p.weight, b, true));
    }
  }

  /**
   * Build the feature graph of `image` (a 3×H×W node) up to `upTo`; returns each conv layer's
   * rectified output by name (conv4_2 = relu4_2, as in Gatys et al.).
   */
  features(tape: Tape, image: Node, upTo: string, pooling: PoolKind): Map<string, Node> {
    const out = new Map<string, Node>();
    let x = image;
    for (const s of convsUpTo(upTo)) {
      const w = this.convs.get(s.name);
      if (!w) throw new Error(`VggOnGpu: layer ${s.name} was not uploaded`);
      x = tape.conv(x, w, true, s.name);
      out.set(s.name, x);
      if (s.poolAfter && s.name !== upTo) x = tape.pool(x, pooling, `pool_after_${s.name}`);
    }
    return out;
  }

  /**
   * Make now the forms an H×W graph's planned kernels read (both directions with `backward`), so
   * that the one-off uploads making them come before the graph's buffers, not on top of them.
   */
  makeForms(H: number, W: number, backward: boolean): void {
    const planner = this.lib.planner;
    for (const s of convsUpTo([...this.convs.keys()].pop()!)) {
      const w = this.convs.get(s.name)!, k = layerScale(s.name);
      const [h, wd] = [Math.floor(H / k), Math.floor(W / k)];
      if (h < 1 || wd < 1) return;
      const form = (kind: 'conv_forward' | 'conv_backward_input', d: 'forward' | 'backward', R: number, N: number) => {
        const m = winogradTileOf(planner.plan(kind, { R, N, K: 3, H: h, W: wd }).version);
        return m ? winogradFilters(this.lib, w, d, m) : packedWeights(this.lib, w, d);
      };
      form('conv_forward', 'forward', s.inChannels, s.outChannels);
      if (backward) form('conv_backward_input', 'backward', s.outChannels, s.inChannels);
    }
  }

  /** Free the forms made so far (the next graph makes those it reads again). */
  releaseForms(): void {
    for (const w of this.convs.values()) releasePackedWeights(this.lib, w);
  }

  /** Bytes of the weights' forms resident now. */
  formBytes(): number {
    return [...this.convs.values()].reduce((s, w) => s + formBytes(w), 0);
  }

  dispose(): void {
    for (const w of this.convs.values()) {
      this.lib.release(w.bias);
      releasePackedWeights(this.lib, w);
    }
    this.convs.clear();
  }
}
