/**
 * The one-pixel jitter of an untiled Adam run: each step the image is shifted by (dx, dy) ∈ {0,1}²,
 * every block of four steps visiting each shift once in a seeded random order, so the result does
 * not settle into the network's stride-2 aliasing patterns. A shift is a roll of the flat 3×H×W
 * buffer: the picture moves right by dx and down by dy, the pixels pushed off one edge re-enter at
 * the other (a one-pixel seam at the left and top edges, matched by the content targets, which are
 * computed once per shift from the content image rolled the same way). Only buffer copies.
 */
import { axpby } from '../kernels/elementwise/elementwise.js';
import type { KernelLibrary } from '../kernels/library.js';
import { runOnce } from '../kernels/run_once.js';
import { numel, type Tensor } from '../kernels/tensor.js';

/** Content targets for an image: layer name → features (owned by the caller's run). */
export type TargetsOf = (image: Tensor, layers: string[]) => Promise<Map<string, Tensor>>;

export class Jitter {
  /** Flat offsets dy·W + dx of the shifts (0,0), (1,0), (0,1), (1,1). */
  private readonly offsets: number[];
  /** Index of the image's current shift (0: unshifted). */
  private current = 0;
  private readonly order: number[] = [];
  private state: number;

  private constructor(
    private readonly lib: KernelLibrary,
    private readonly n: number,
    width: number,
    private readonly tmp: GPUBuffer,
    /** [the tape's content target, that target at each shift] per content layer. */
    private readonly targets: [Tensor, Tensor[]][],
    seed: number,
  ) {
    this.offsets = [0, 1, width, width + 1];
    this.state = (seed * 2654435761 + 1) >>> 0 || 1;
  }

  /** The content targets at each shift of `content` (3×H×W); `active` are the tape's target tensors. */
  static async create(lib: KernelLibrary, content: Tensor, width: number, height: number, active: Map<string, Tensor>, targetsOf: TargetsOf, seed: number): Promise<Jitter> {
    const n = 3 * width * height;
    const tmp = lib.memory.acquire(n * 4, 'jitter.tmp');
    const names = [...active.keys()];
    const copies = new Map(names.map((name) => [name, [] as Tensor[]]));
    for (const k of [0, 1, width, width + 1]) {
      const rolled = lib.tensor(content.shape, 'jitter.content');
      runOnce(lib, [axpby(lib, 1, content, 0, rolled)]);
      const enc = lib.ctx.device.createCommandEncoder();
      encodeRoll(enc, rolled, tmp, n, k);
      lib.ctx.device.queue.submit([enc.finish()]);
      for (const [name, t] of await targetsOf(rolled, names)) copies.get(name)!.push(t);
      lib.release(rolled);
      lib.memory.trim();
    }
    return new Jitter(lib, n, width, tmp, names.map((name) => [active.get(name)!, copies.get(name)!]), seed);
  }

  /** xorshift32: a seeded, reproducible sequence in [0, 1). */
  private random(): number {
    let s = this.state;
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    this.state = s;
    return s / 2 ** 32;
  }

  /** The next step's shift: each block of four steps visits every shift once, in a random order. */
  next(): number {
    if (this.order.length === 0) {
      this.order.push(0, 1, 2, 3);
      for (let i = 3; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
      }
    }
    return this.order.pop()!;
  }

  /**
   * Shift `tensors` (the image and Adam's moments: the update is elementwise, so it commutes with
   * the shift) to shift `i`, and load the content targets of that shift.
   */
  shiftTo(i: number, tensors: Tensor[]): void {
    if (i === this.current) return;
    const enc = this.lib.ctx.device.createCommandEncoder();
    for (const t of tensors) encodeRoll(enc, t, this.tmp, this.n, this.offsets[i] - this.offsets[this.current]);
    for (const [active, copies] of this.targets) enc.copyBufferToBuffer(copies[i].buffer, copies[i].offset ?? 0, active.buffer, active.offset ?? 0, numel(active.shape) * 4);
    this.lib.ctx.device.queue.submit([enc.finish()]);
    this.current = i;
  }

  /** Release the roll's scratch buffer (the shifted targets belong to the run that made them). */
  dispose(): void {
    this.lib.memory.release(this.tmp);
  }
}

/** Roll the first n floats of a tensor by k (element i moves to (i + k) mod n), through `tmp`. */
function encodeRoll(enc: GPUCommandEncoder, t: Tensor, tmp: GPUBuffer, n: number, k: number): void {
  k = ((k % n) + n) % n;
  if (k === 0) return;
  const o = t.offset ?? 0;
  enc.copyBufferToBuffer(t.buffer, o, tmp, k * 4, (n - k) * 4);
  enc.copyBufferToBuffer(t.buffer, o + (n - k) * 4, tmp, 0, k * 4);
  enc.copyBufferToBuffer(tmp, 0, t.buffer, o, n * 4);
}
