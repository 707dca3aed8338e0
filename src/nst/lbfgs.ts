/**
 * L-BFGS (Nocedal's two-loop recursion) with a fixed step and no line search, as neural-style
 * uses it. The history (s_i, y_i), the previous point and gradient, and the search direction are
 * GPU buffers; dot products are reduced on the GPU and only those scalars are read back. Every
 * dispatch is prepared on first use and replayed (its coefficients rewritten), so steps allocate
 * nothing.
 */
import { axpby } from '../kernels/elementwise/elementwise.js';
import type { Dispatch } from '../kernels/kernel.js';
import type { KernelLibrary } from '../kernels/library.js';
import type { Planner } from '../kernels/plan.js';
import { REDUCE_PARTIALS, reduceSum } from '../kernels/loss/loss.js';
import { numel, type Tensor } from '../kernels/tensor.js';

export class LbfgsOptimizer {
  private s: Tensor[] = [];
  private y: Tensor[] = [];
  private rho: number[] = [];
  /** Indices into s/y of the stored pairs, oldest first. */
  private order: number[] = [];
  private xPrev: Tensor;
  private gPrev: Tensor;
  private q: Tensor;
  private r: Tensor;
  private dots: Tensor;
  private partials: Tensor;
  private cache = new Map<string, Dispatch[]>();
  private ids = new Map<Tensor, number>();
  private iteration = 0;
  /** The planner of the handle this optimiser is made with (its dot products are planned lazily). */
  private readonly planner: Planner;

  constructor(
    readonly lib: KernelLibrary,
    readonly x: Tensor,
    readonly g: Tensor,
    readonly lr: number,
    readonly history = 10,
  ) {
    this.planner = lib.planner;
    const shape = x.shape;
    for (let i = 0; i < history; i++) {
      this.s.push(lib.tensor(shape, `lbfgs.s${i}`));
      this.y.push(lib.tensor(shape, `lbfgs.y${i}`));
      this.rho.push(0);
    }
    this.xPrev = lib.tensor(shape, 'lbfgs.xPrev');
    this.gPrev = lib.tensor(shape, 'lbfgs.gPrev');
    this.q = lib.tensor(shape, 'lbfgs.q');
    this.r = lib.tensor(shape, 'lbfgs.r');
    this.dots = lib.tensor([4], 'lbfgs.dots');
    this.partials = lib.tensor([REDUCE_PARTIALS], 'lbfgs.partials');
  }

  private id(t: Tensor): number {
    if (!this.ids.has(t)) this.ids.set(t, this.ids.size);
    return this.ids.get(t)!;
  }

  /** a·b on the GPU, read back as one float. */
  private async dot(a: Tensor, b: Tensor): Promise<number> {
    const key = `dot:${this.id(a)}:${this.id(b)}`;
    let ds = this.cache.get(key);
    if (!ds) this.cache.set(key, (ds = reduceSum(this.lib, { a, b, out: this.dots, outIndex: 0, partials: this.partials }, this.planner.plan('reduce', { n: numel(a.shape) }))));
    this.lib.run(ds);
    return (await this.lib.read(this.dots, 1))[0];
  }

  /** y = a·x + b·y with a reused, re-parameterised dispatch (not submitted until flush). */
  private axpby(a: number, x: Tensor, b: number, y: Tensor): Dispatch {
    const key = `axpby:${this.id(x)}:${this.id(y)}`;
    let ds = this.cache.get(key);
    if (!ds) this.cache.set(key, (ds = [axpby(this.lib, a, x, b, y)]));
    ds[0].setParams({ n: numel(x.shape), a, b });
    return ds[0];
  }

  /**
   * One iteration: `evaluate` must compute the loss and write the gradient into g at the current
   * x; `loss` reads the total back (and throws on NaN).
   */
  async step(evaluate: () => void | Promise<void>, loss: () => Promise<number>): Promise<void> {
    await evaluate();
    await loss();
    const { x, g, q, r } = this;
    if (this.iteration > 0) {
      // new pair: s = x − x_prev, y = g − g_prev (into the oldest slot)
      const slot = this.order.length < this.history ? this.order.length : this.order[0];
      const s = this.s[slot], y = this.y[slot];
      this.lib.run([this.axpby(1, x, 0, s), this.axpby(-1, this.xPrev, 1, s)]);
      this.lib.run([this.axpby(1, g, 0, y), this.axpby(-1, this.gPrev, 1, y)]);
      const ys = await this.dot(y, s);
      if (ys > 1e-10) {
        this.order = this.order.filter((i) => i !== slot);
        this.order.push(slot);
        this.rho[slot] = 1 / ys;
      }
    }
    // two-loop recursion: r = −H·g
    this.lib.run([this.axpby(-1, g, 0, q)]);
    const alpha = new Map<number, number>();
    for (let k = this.order.length - 1; k >= 0; k--) {
      const i = this.order[k];
      const a = this.rho[i] * (await this.dot(this.s[i], q));
      alpha.set(i, a);
      this.lib.run([this.axpby(-a, this.y[i], 1, q)]);
    }
    let h0 = 1;
    if (this.order.length > 0) {
      const newest = this.order[this.order.length - 1];
      const yy = await this.dot(this.y[newest], this.y[newest]);
      h0 = 1 / (this.rho[newest] * yy);
    }
    this.lib.run([this.axpby(h0, q, 0, r)]);
    for (const i of this.order) {
      const b = this.rho[i] * (await this.dot(this.y[i], r));
      this.lib.run([this.axpby(alpha.get(i)! - b, this.s[i], 1, r)]);
    }
    // step: the first one is scaled down by the gradient norm (there is no curvature yet)
    let t = this.lr;
    if (this.iteration === 0) t *= Math.min(1, 1 / Math.sqrt(await this.dot(g, g)));
    this.lib.run([this.axpby(1, x, 0, this.xPrev), this.axpby(1, g, 0, this.gPrev), this.axpby(t, r, 1, x)]);
    this.iteration++;
  }

  dispose(): void {
    for (const ds of this.cache.values()) for (const d of ds) d.destroy();
    this.cache.clear();
    this.lib.release(...this.s, ...this.y, this.xPrev, this.gPrev, this.q, this.r, this.dots, this.partials);
  }
}
