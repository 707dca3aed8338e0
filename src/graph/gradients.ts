/**
 * The tape's gradient buffers while backward is built (ops are visited last to first): each node's
 * gradient is allocated on its first contribution, later contributions are written to a scratch
 * buffer and added in, and a buffer whose last reader has been recorded goes to a free list by
 * shape for gradients recorded later (shallower layers), so only a few layers' gradients are ever
 * live. Gradients given from outside (Tape.externalGrad) are never recycled.
 */
import { axpby } from '../kernels/elementwise/elementwise.js';
import type { Dispatch } from '../kernels/kernel.js';
import type { KernelLibrary } from '../kernels/library.js';
import { shapeStr, type Tensor } from '../kernels/tensor.js';
import type { Node } from './tape.js';

export class GradientBuffers {
  /** How many gradient contributions each node has received while building backward. */
  private contributions = new Map<Node, number>();
  /** Gradient buffers whose last reader has been recorded, by shape. */
  private free = new Map<string, Tensor[]>();
  private fromOutside = new Set<Tensor>();

  constructor(
    private readonly lib: KernelLibrary,
    /** Allocates a buffer the tape owns. */
    private readonly alloc: (shape: readonly number[], label: string) => Tensor,
    /** Registers dispatches the tape owns. */
    private readonly track: (ds: Dispatch[]) => Dispatch[],
  ) {}

  /** n's gradient, which every op reading n's output has written by now. */
  of(n: Node): Tensor {
    if (!n.grad) throw new Error(`Tape: node "${n.name}" has no gradient (is it used by any loss?)`);
    return n.grad;
  }

  /**
   * Where an op should write a contribution to n's gradient: n.grad itself for the first
   * contribution, else a scratch buffer that `finish` adds into n.grad.
   */
  target(n: Node): { target: Tensor; finish: Dispatch[] } {
    const count = this.contributions.get(n) ?? 0;
    this.contributions.set(n, count + 1);
    if (!n.grad) n.grad = this.buffer(n.value.shape, `${n.name}.grad`);
    if (count === 0) return { target: n.grad, finish: [] };
    const scratch = this.buffer(n.value.shape, `${n.name}.grad_part`);
    const finish = this.track([axpby(this.lib, 1, scratch, 1, n.grad)]);
    this.recycle(scratch); // read only by `finish`, which runs right after the contribution
    return { target: scratch, finish };
  }

  /** For loss kernels that can add into a gradient themselves. */
  accumulating(n: Node): { target: Tensor; accumulate: boolean } {
    const count = this.contributions.get(n) ?? 0;
    this.contributions.set(n, count + 1);
    if (!n.grad) n.grad = this.alloc(n.value.shape, `${n.name}.grad`);
    return { target: n.grad, accumulate: count > 0 };
  }

  /** n's gradient is `grad`, given from outside and counted as its first contribution. */
  external(n: Node, grad: Tensor): void {
    this.fromOutside.add(grad);
    this.contributions.set(n, 1);
  }

  /** `t`'s last reader has been recorded: later-recorded backward ops may reuse it. */
  recycle(t: Tensor): void {
    if (this.fromOutside.has(t)) return;
    const key = shapeStr(t.shape);
    const list = this.free.get(key) ?? [];
    list.push(t);
    this.free.set(key, list);
  }

  /** A buffer for a gradient written during backward: a recycled one of the same shape if any. */
  private buffer(shape: readonly number[], label: string): Tensor {
    return this.free.get(shapeStr(shape))?.pop() ?? this.alloc(shape, label);
  }
}
