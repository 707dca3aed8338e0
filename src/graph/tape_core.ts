/**
 * The tape's mechanics (tape.ts has its ops): the recorded ops, the buffers and dispatches it
 * owns, the shared scratch buffers, the loss slots, and building the replayable forward and
 * backward lists. An op records its forward dispatches and a function that builds its backward.
 */
import type { Dispatch } from '../kernels/kernel.js';
import type { KernelLibrary } from '../kernels/library.js';
import type { Planner } from '../kernels/plan.js';
import { REDUCE_PARTIALS } from '../kernels/loss/loss.js';
import { numel, shapeStr, type Tensor } from '../kernels/tensor.js';
import { GradientBuffers } from './gradients.js';

export interface Node {
  value: Tensor;
  requiresGrad: boolean;
  /**
   * Allocated when backward is built, if requiresGrad. Only leaves' gradients stay valid after
   * a replay: intermediate nodes' gradient buffers are recycled for shallower layers.
   */
  grad: Tensor | null;
  name: string;
}

export interface Op {
  name: string;
  forward: Dispatch[];
  /** Builds this op's backward dispatches (called in reverse order, once). */
  backward: () => Dispatch[];
}

export class TapeCore {
  protected ops: Op[] = [];
  protected owned: Tensor[] = [];
  protected dispatches: Dispatch[] = [];
  protected forwardList: Dispatch[] | null = null;
  protected backwardList: Dispatch[] | null = null;
  /** Per op, its backward dispatches (filled by finalize; for profiling). */
  protected backwardByOp: Dispatch[][] = [];
  /** Scratch buffers by use (split-K slices, Winograd buffers), shared by every op (see sharedScratch). */
  protected readonly scratch = new Map<string, Tensor>();
  /** Where each node's gradient is written while backward is built (recycled buffers; see gradients.ts). */
  protected readonly grads: GradientBuffers;
  readonly scalars: Tensor;
  protected partials: Tensor;
  protected nextSlot = 0;
  readonly slotNames: string[] = [];

  /** What every op recorded here plans from: the planner of the library handle the tape is made with (lib.withPlanner). */
  readonly planner: Planner;

  constructor(readonly lib: KernelLibrary, maxSlots = 64) {
    this.planner = lib.planner;
    this.scalars = this.alloc([maxSlots], 'scalars');
    this.partials = this.alloc([REDUCE_PARTIALS], 'partials');
    this.grads = new GradientBuffers(lib, (shape, label) => this.alloc(shape, label), (ds) => this.track(ds));
  }

  protected alloc(shape: readonly number[], label: string): Tensor {
    const t = this.lib.tensor(shape, label);
    this.owned.push(t);
    return t;
  }

  protected track(ds: Dispatch[]): Dispatch[] {
    this.dispatches.push(...ds);
    return ds;
  }

  protected record(op: Op): void {
    if (this.forwardList) throw new Error('Tape: cannot record after the graph was finalised');
    this.ops.push(op);
  }

  /** A leaf: an input the tape does not own (e.g. the image being optimised). */
  leaf(value: Tensor, requiresGrad: boolean, name = 'leaf'): Node {
    return { value, requiresGrad, grad: null, name };
  }

  protected slot(name: string): number {
    if (this.nextSlot >= numel(this.scalars.shape)) throw new Error(`Tape: more than ${numel(this.scalars.shape)} loss terms`);
    this.slotNames.push(name);
    return this.nextSlot++;
  }

  /**
   * A scratch buffer of at least `floats` for one use (split-K slices, Winograd's transformed
   * input or products). Ops run one after another and each finishes with its scratch before the
   * next starts, so one buffer per use serves them all; a larger request gets a new one (ops
   * already bound to the old one keep it).
   */
  protected sharedScratch(use: string, floats: number): Tensor {
    const t = this.scratch.get(use);
    if (t && numel(t.shape) >= floats) return t;
    const bigger = this.alloc([floats], `scratch.${use}`);
    this.scratch.set(use, bigger);
    return bigger;
  }

  /** Finalise: builds the backward pass. After this, forward()/backward() return replayable lists. */
  finalize(): void {
    if (this.forwardList) return;
    this.forwardList = this.ops.flatMap((o) => o.forward);
    const bw: Dispatch[] = [];
    this.backwardByOp = this.ops.map(() => []);
    for (let i = this.ops.length - 1; i >= 0; i--) {
      const ds = this.track(this.ops[i].backward());
      this.backwardByOp[i] = ds;
      bw.push(...ds);
    }
    this.backwardList = bw;
  }

  forward(): Dispatch[] {
    this.finalize();
    return this.forwardList!;
  }

  backward(): Dispatch[] {
    this.finalize();
    return this.backwardList!;
  }

  /** Each op's name with its forward and backward dispatches (for per-layer timing). */
  profile(): { name: string; dispatches: Dispatch[] }[] {
    this.finalize();
    return this.ops.map((o, i) => ({ name: o.name, dispatches: [...o.forward, ...this.backwardByOp[i]] }));
  }

  get slots(): number {
    return this.nextSlot;
  }

  /** Free every buffer and uniform this tape made (leaves are not owned). */
  dispose(): void {
    for (const d of this.dispatches) d.destroy();
    this.lib.release(...this.owned);
    this.owned = [];
    this.dispatches = [];
  }

  describe(): string {
    return `${this.ops.length} ops, ${this.owned.length} buffers (${this.owned.map((t) => shapeStr(t.shape)).join(', ')})`;
  }
}
