/**
 * A minimal autodiff tape over the GPU kernels, for static graphs: the graph is recorded once
 * (allocating every activation and gradient buffer and preparing every dispatch), then replayed
 * each optimisation step with `forward()` / `backward()` dispatch lists that are encoded into
 * one command buffer. Nothing is allocated per step, so memory stays flat over long runs.
 *
 * Each op keeps its forward and backward side by side (micrograd style). Gradients are only
 * made for nodes that need them: in style transfer only the image requires a gradient, so no
 * weight gradients are ever computed. Losses write scale·Σ(...) into slots of a `scalars`
 * tensor; the gradient seed dL/dL = 1 is folded into each loss's own gradient kernel.
 *
 * Gradient memory: an op's output gradient is read only by that op's backward, so once it is
 * recorded the buffer is free for gradients recorded later (shallower layers), which run later
 * in the same replay. Backward buffers are drawn from that free list, so only a few layers'
 * gradients are ever live; activations are kept (backward needs them).
 */
import { conv2dBackwardInput, conv2dForward } from '../kernels/conv/conv2d.js';
import { type ConvScratch } from '../kernels/conv/versions.js';
import { type ConvWeights } from '../kernels/conv/weights.js';
import { axpby, reluBackwardInPlace } from '../kernels/elementwise/elementwise.js';
import { gramBackward, gramForward } from '../kernels/gram/gram.js';
import { guidedGramBackward, guidedGramForward } from '../kernels/guide/guide.js';
import type { Dispatch } from '../kernels/kernel.js';
import { reduceSum, squaredError, temporalLoss, tvLoss, tvTermCount } from '../kernels/loss/loss.js';
import { maxPoolWindowBackward, maxPoolWindowForward, poolBackward, poolForward, pooledShape, windowPooledShape, type PoolKind, type PoolWindow } from '../kernels/pool/pool.js';
import { stridedConvBackwardInput, stridedConvForward, stridedConvShape, stridedShape, type StridedConvWeights } from '../kernels/strided_conv/strided_conv.js';
import { channelView, expectShape, numel, type Tensor } from '../kernels/tensor.js';
import { maskAt, maskRect, type Rect } from '../kernels/tile/tile.js';
import { TapeCore, type Node } from './tape_core.js';

export type { Node } from './tape_core.js';

export class Tape extends TapeCore {

  /** conv (+ bias, + ReLU if relu) with constant weights. */
  conv(x: Node, w: ConvWeights, relu: boolean, name = 'conv'): Node {
    const [, H, W] = x.value.shape;
    const out: Node = { value: this.alloc([w.O, H, W], name), requiresGrad: x.requiresGrad, grad: null, name };
    // kernel version, split-K and scratch per direction from the planner; scratch is shared by all ops
    const { fwd, bwd, scratch } = this.plannedConv(w, H, W, x.requiresGrad);
    this.record({
      name,
      forward: this.track(conv2dForward(this.lib, x.value, w, out.value, relu, fwd, scratch)),
      backward: () => {
        if (!bwd) return [];
        const ds: Dispatch[] = [];
        const g = this.grads.of(out);
        // out's gradient has no other reader: mask it in place
        if (relu) ds.push(reluBackwardInPlace(this.lib, out.value, g));
        const { target, finish } = this.grads.target(x);
        ds.push(...conv2dBackwardInput(this.lib, g, w, target, bwd, scratch), ...finish);
        this.grads.recycle(g);
        return ds;
      },
    });
    return out;
  }

  /**
   * Several convs of the same input whose outputs are concatenated along channels (a Fire
   * module's expand convs): each writes its channels of one output buffer through a view, so the
   * concatenation costs no copy; backward sends each part's slice of the gradient back through
   * its conv and sums the contributions into x's gradient.
   */
  concatConvs(x: Node, parts: { w: ConvWeights; name: string }[], relu: boolean, name = 'concat'): Node {
    const [, H, W] = x.value.shape;
    const total = parts.reduce((a, p) => a + p.w.O, 0);
    const out: Node = { value: this.alloc([total, H, W], name), requiresGrad: x.requiresGrad, grad: null, name };
    const align = this.lib.ctx.limits.minStorageBufferOffsetAlignment;
    const firsts = parts.map((_, i) => parts.slice(0, i).reduce((a, p) => a + p.w.O, 0));
    const convs = parts.map((p, i) => {
      const planned = this.plannedConv(p.w, H, W, x.requiresGrad);
      const value = channelView(out.value, firsts[i], p.w.O, align);
      return { ...p, ...planned, value, forward: conv2dForward(this.lib, x.value, p.w, value, relu, planned.fwd, planned.scratch) };
    });
    this.record({
      name,
      forward: this.track(convs.flatMap((c) => c.forward)),
      backward: () => {
        if (!x.requiresGrad) return [];
        const g = this.grads.of(out);
        const ds: Dispatch[] = [];
        convs.forEach((c, i) => {
          const gi = channelView(g, firsts[i], c.w.O, align);
          if (relu) ds.push(reluBackwardInPlace(this.lib, c.value, gi));
          const { target, finish } = this.grads.target(x);
          ds.push(...conv2dBackwardInput(this.lib, gi, c.w, target, c.bwd!, c.scratch), ...finish);
        });
        this.grads.recycle(g);
        return ds;
      },
    });
    return out;
  }

  /** The planner's choice for a stride-1 conv of this shape in both directions, with its (shared) scratch. */
  private plannedConv(w: ConvWeights, H: number, W: number, backward: boolean) {
    const planner = this.planner;
    const fwd = planner.plan('conv_forward', { R: w.C, N: w.O, K: w.K, H, W });
    const bwd = backward ? planner.plan('conv_backward_input', { R: w.O, N: w.C, K: w.K, H, W }) : null;
    const scratch: ConvScratch = {};
    for (const key of ['slices', 'winogradData', 'winogradProducts'] as const) {
      const floats = Math.max(fwd.scratch[key] ?? 0, bwd?.scratch[key] ?? 0);
      if (floats > 0) scratch[key] = this.sharedScratch(key, floats);
    }
    return { fwd, bwd, scratch };
  }

  /** A conv with stride and padding of its own (SqueezeNet's conv1: 3×3, stride 2, no padding) + bias (+ ReLU). */
  stridedConv(x: Node, w: StridedConvWeights, relu: boolean, name = 'strided_conv'): Node {
    const [, H, W] = x.value.shape;
    const [Ho, Wo] = stridedConvShape(H, W, w.K, w.stride, w.pad);
    const out: Node = { value: this.alloc([w.O, Ho, Wo], name), requiresGrad: x.requiresGrad, grad: null, name };
    const shape = stridedShape(w, H, W);
    this.record({
      name,
      forward: this.track([stridedConvForward(this.lib, x.value, w, out.value, relu, this.planner.plan('strided_conv_forward', shape))]),
      backward: () => {
        if (!x.requiresGrad) return [];
        const g = this.grads.of(out);
        const ds: Dispatch[] = relu ? [reluBackwardInPlace(this.lib, out.value, g)] : [];
        const { target, finish } = this.grads.target(x);
        ds.push(stridedConvBackwardInput(this.lib, g, w, target, this.planner.plan('strided_conv_backward_input', shape)), ...finish);
        this.grads.recycle(g);
        return ds;
      },
    });
    return out;
  }

  /** Max pooling over K×K windows with a stride (SqueezeNet's 3×3/2, ceil mode); forward records each window's arg-max for backward. */
  windowPool(x: Node, win: PoolWindow, name = 'pool'): Node {
    const shape = windowPooledShape(x.value.shape, win);
    const out: Node = { value: this.alloc(shape, name), requiresGrad: x.requiresGrad, grad: null, name };
    const argmax = this.alloc(shape, `${name}.argmax`); // u32 positions
    this.record({
      name,
      forward: this.track([maxPoolWindowForward(this.lib, x.value, out.value, argmax, win)]),
      backward: () => {
        if (!x.requiresGrad) return [];
        const { target, finish } = this.grads.target(x);
        const ds = [maxPoolWindowBackward(this.lib, argmax, this.grads.of(out), target, win), ...finish];
        this.grads.recycle(this.grads.of(out));
        return ds;
      },
    });
    return out;
  }

  pool(x: Node, kind: PoolKind, name = 'pool'): Node {
    const out: Node = { value: this.alloc(pooledShape(x.value.shape), name), requiresGrad: x.requiresGrad, grad: null, name };
    this.record({
      name,
      forward: this.track([poolForward(this.lib, kind, x.value, out.value)]),
      backward: () => {
        if (!x.requiresGrad) return [];
        const { target, finish } = this.grads.target(x);
        const ds = [poolBackward(this.lib, kind, x.value, this.grads.of(out), target), ...finish];
        this.grads.recycle(this.grads.of(out));
        return ds;
      },
    });
    return out;
  }

  /**
   * x inside the rectangle `r`, zero outside (tiled evaluation: a tile's losses see only what it
   * owns). The map is its own adjoint, so backward masks the gradient the same way. `move` sets
   * another rectangle for the next replay (both directions).
   */
  mask(x: Node, r: Rect, name = 'mask'): { node: Node; move: (r: Rect) => void } {
    const out: Node = { value: this.alloc(x.value.shape, name), requiresGrad: x.requiresGrad, grad: null, name };
    const forward = maskRect(this.lib, x.value, out.value, r);
    let backward: Dispatch | null = null;
    let current = r;
    this.record({
      name,
      forward: this.track([forward]),
      backward: () => {
        if (!x.requiresGrad) return [];
        const { target, finish } = this.grads.target(x);
        backward = maskRect(this.lib, this.grads.of(out), target, current);
        this.grads.recycle(this.grads.of(out));
        return [backward, ...finish];
      },
    });
    const move = (next: Rect) => {
      current = next;
      forward.setParams(maskAt(x.value, next));
      backward?.setParams(maskAt(x.value, next));
    };
    return { node: out, move };
  }

  /**
   * Give a node's gradient from outside the tape (e.g. a Gram's dL/dG computed over the whole
   * image in tiled evaluation); it must be set before finalize and is read, never written or reused.
   */
  externalGrad(n: Node, grad: Tensor): void {
    expectShape(`externalGrad(${n.name})`, grad, n.value.shape);
    if (n.grad) throw new Error(`Tape: node "${n.name}" already has a gradient`);
    n.grad = grad;
    this.grads.external(n, grad);
  }

  /** A copy of a node's current value, made every forward (e.g. to capture targets). */
  snapshot(x: Node, name = 'snapshot'): Tensor {
    const t = this.alloc(x.value.shape, name);
    this.record({ name, forward: this.track([axpby(this.lib, 1, x.value, 0, t)]), backward: () => [] });
    return t;
  }

  /** Gram matrix node G = scale·F·Fᵀ of a C×H×W node. */
  gram(x: Node, scale: number, name = 'gram'): Node {
    const C = x.value.shape[0];
    const out: Node = { value: this.alloc([C, C], name), requiresGrad: x.requiresGrad, grad: null, name };
    const shape = { C, M: numel(x.value.shape) / C };
    const fwd = this.planner.plan('gram_forward', shape);
    const bwd = x.requiresGrad ? this.planner.plan('gram_backward', shape) : null;
    const scratch = fwd.scratch.slices ? this.sharedScratch('slices', fwd.scratch.slices) : undefined;
    this.record({
      name,
      forward: this.track(gramForward(this.lib, x.value, out.value, scale, fwd, scratch)),
      backward: () => {
        if (!bwd) return [];
        const { target, finish } = this.grads.target(x);
        const ds = [gramBackward(this.lib, x.value, this.grads.of(out), target, scale, bwd), ...finish];
        this.grads.recycle(this.grads.of(out));
        return ds;
      },
    });
    return out;
  }

  /**
   * Guided Gram node G = scale·(F⊙m)(F⊙m)ᵀ of a C×H×W node and an H×W guidance map m (a region's
   * mask at this layer's size; Gatys et al. 2017): the Gram of the features weighted by m, made
   * in a shared scratch (guide/guide.ts); backward from the plain Gram's, dF = m² ⊙ (scale·(dG +
   * dGᵀ)·F), through the same scratch, so no weighted copy of F is kept.
   */
  guidedGram(x: Node, mask: Tensor, scale: number, name = 'guided_gram'): Node {
    const [C, H, W] = x.value.shape;
    const out: Node = { value: this.alloc([C, C], name), requiresGrad: x.requiresGrad, grad: null, name };
    const shape = { C, M: H * W };
    const fwd = this.planner.plan('gram_forward', shape);
    const bwd = x.requiresGrad ? this.planner.plan('gram_backward', shape) : null;
    const slices = fwd.scratch.slices ? this.sharedScratch('slices', fwd.scratch.slices) : undefined;
    // the weighted features (forward) and the plain Gram's backward (backward), used one op at a time
    const weighted: Tensor = { buffer: this.sharedScratch('guided', C * H * W).buffer, shape: [C, H, W] };
    this.record({
      name,
      forward: this.track(guidedGramForward(this.lib, x.value, mask, weighted, out.value, scale, fwd, slices)),
      backward: () => {
        if (!bwd) return [];
        const { target, finish } = this.grads.target(x);
        const ds = [...guidedGramBackward(this.lib, x.value, mask, this.grads.of(out), weighted, target, scale, bwd), ...finish];
        this.grads.recycle(this.grads.of(out));
        return ds;
      },
    });
    return out;
  }

  /**
   * Loss term scale·Σ(x − target)² into a new scalar slot; returns the slot index. Its gradient
   * is taken of weight·term (the term's share of the total) and written (or added) straight into
   * x's gradient by the loss kernel during forward, so it has no separate backward step.
   */
  squaredErrorLoss(x: Node, target: Tensor, scale: number, name: string, weight = 1): number {
    expectShape(`squaredErrorLoss(${name}): target`, target, x.value.shape);
    return this.fusedLoss(x, scale, name, x.value.shape, (terms, grad, accumulate) =>
      squaredError(this.lib, x.value, target, terms, grad, weight * scale, accumulate),
    );
  }

  /** Total-variation term of a C×H×W node, scale·Σ squared neighbour differences (gradient of weight·term, fused as above). */
  tvLoss(x: Node, scale: number, name = 'tv', weight = 1): number {
    return this.fusedLoss(x, scale, name, [tvTermCount(x.value.shape)], (terms, grad, accumulate) => tvLoss(this.lib, x.value, terms, grad, weight * scale, accumulate));
  }

  /**
   * Ruder et al.'s temporal term of a C×H×W node, scale·Σ c·f_k·(x − warped)² (c `weights` 1×H×W,
   * f_k `factors`: shaders/loss/temporal.wgsl); gradient of weight·term, fused as above.
   */
  temporalLoss(x: Node, warped: Tensor, weights: Tensor, factors: readonly number[], scale: number, name = 'temporal', weight = 1): number {
    return this.fusedLoss(x, scale, name, x.value.shape, (terms, grad, accumulate) => temporalLoss(this.lib, x.value, warped, weights, terms, grad, factors, weight * scale, accumulate));
  }

  /**
   * Record a loss whose kernel writes terms (`termsShape`: per element, or partial sums) and the
   * gradient in one pass, then reduce scale·Σterms into a new slot. The kernel writes x.grad
   * (adding if not first), or a throwaway buffer when x needs no gradient.
   */
  private fusedLoss(x: Node, scale: number, name: string, termsShape: readonly number[], kernel: (terms: Tensor, grad: Tensor, accumulate: boolean) => Dispatch): number {
    const slot = this.slot(name);
    const terms = this.alloc(termsShape, `${name}.terms`);
    let grad: Tensor, accumulate = false;
    if (x.requiresGrad) ({ target: grad, accumulate } = this.grads.accumulating(x));
    else grad = this.alloc(x.value.shape, `${name}.unused_grad`);
    this.record({
      name,
      forward: this.track([kernel(terms, grad, accumulate), ...reduceSum(this.lib, { a: terms, out: this.scalars, outIndex: slot, scale, partials: this.partials }, this.planner.plan('reduce', { n: numel(terms.shape) }))]),
      backward: () => [],
    });
    return slot;
  }

}
