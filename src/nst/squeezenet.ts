/**
 * SqueezeNet 1.1 on the tape (torchvision's squeezenet1_1 features; layers in networks.ts):
 *
 *   conv1 = relu(conv 3×3 stride 2, no padding)                    64 maps at ~½ size
 *   pool 3×3/2 ceil → fire2, fire3 → pool → fire4, fire5 → pool → fire6, fire7, fire8, fire9
 *   fireN = cat(relu(expand1x1(s)), relu(expand3x3(s)))  with  s = relu(squeeze1x1(input))
 *
 * The 1×1 and 3×3 stride-1 convs run on the same kernels as VGG19's (planned per shape); conv1
 * and the pools have kernels of their own (strided_conv/*, pool/max_window_*); the two expand
 * convs write their channels of one buffer (Tape.concatConvs), so the concatenation is free.
 */
import { convWeights, formBytes, releasePackedWeights, type ConvWeights } from '../kernels/conv/weights.js';
import type { KernelLibrary } from '../kernels/library.js';
import type { PoolKind } from '../kernels/pool/pool.js';
import type { StridedConvWeights } from '../kernels/strided_conv/strided_conv.js';
import type { Tensor } from '../kernels/tensor.js';
import type { Node, Tape } from '../graph/tape.js';
import { layerIndex, paramConvsUpTo, SQUEEZENET, SQUEEZENET_FIRES, SQUEEZENET_POOL } from '../model/networks.js';
import { requireLayers, type NetworkWeights } from '../model/weights.js';

/** SqueezeNet's conv weights resident on the GPU (the 1×1/3×3 convs repacked for the conv kernels). Owns its buffers. */
export class SqueezeNetOnGpu {
  private conv1: StridedConvWeights | null = null;
  private readonly convs = new Map<string, ConvWeights>();
  private readonly raw: Tensor[] = [];

  constructor(readonly lib: KernelLibrary, readonly weights: NetworkWeights, upTo: string) {
    const specs = paramConvsUpTo(SQUEEZENET, upTo);
    requireLayers(weights, specs.map((s) => s.name));
    for (const s of specs) {
      const p = weights.layers.get(s.name)!;
      const b = lib.upload([s.O], p.bias, `${s.name}.bias`);
      if (s.stride !== 1) {
        // conv1 reads its OIHW weights as they are
        const w = lib.upload([s.O, s.C, s.K, s.K], p.weight, `${s.name}.weight`);
        this.conv1 = { O: s.O, C: s.C, K: s.K, stride: s.stride, pad: s.pad, weight: w, bias: b };
        this.raw.push(w, b);
      } else {
        // the forms the kernels read are made on first use from the CPU's floats (weights.ts)
        this.convs.set(s.name, convWeights(s.O, s.C, s.K, p.weight, b, true));
        this.raw.push(b);
      }
    }
  }

  private conv(name: string): ConvWeights {
    const w = this.convs.get(name);
    if (!w) throw new Error(`SqueezeNetOnGpu: ${name} was not uploaded`);
    return w;
  }

  /** The feature graph of `image` (3×H×W) up to `upTo`: conv1 and each Fire module's output by name. */
  features(tape: Tape, image: Node, upTo: string, pooling: PoolKind): Map<string, Node> {
    if (pooling !== 'max') throw new Error('SqueezeNet pools with 3×3 max windows only');
    const last = layerIndex(SQUEEZENET, upTo);
    const out = new Map<string, Node>();
    if (!this.conv1) throw new Error('SqueezeNetOnGpu: conv1 was not uploaded');
    let x = tape.stridedConv(image, this.conv1, true, 'conv1');
    out.set('conv1', x);
    for (const f of SQUEEZENET_FIRES.slice(0, last)) {
      if (f.poolBefore) x = tape.windowPool(x, SQUEEZENET_POOL, `pool_before_${f.name}`);
      const s = tape.conv(x, this.conv(`${f.name}/squeeze`), true, `${f.name}/squeeze`);
      const parts = ['expand1x1', 'expand3x3'].map((e) => ({ w: this.conv(`${f.name}/${e}`), name: `${f.name}/${e}` }));
      x = tape.concatConvs(s, parts, true, f.name);
      out.set(f.name, x);
    }
    return out;
  }

  /** Its graphs make their forms as they are built (its weights are small: nothing to gain by making them first). */
  makeForms(): void {}

  /** Free the forms made so far (the next graph makes those it reads again). */
  releaseForms(): void {
    for (const w of this.convs.values()) releasePackedWeights(this.lib, w);
  }

  /** Bytes of the weights resident now: conv1's OIHW tensor and the other convs' forms (biases aside). */
  formBytes(): number {
    return [...this.convs.values()].reduce((s, w) => s + formBytes(w), this.conv1 ? this.conv1.O * this.conv1.C * this.conv1.K * this.conv1.K * 4 : 0);
  }

  dispose(): void {
    for (const w of this.convs.values()) releasePackedWeights(this.lib, w);
    this.lib.release(...this.raw);
    this.raw.length = 0;
    this.convs.clear();
    this.conv1 = null;
  }
}

