/**
 * Kernel cases shared by the test suite (run in headless Chromium) and the page's kernel explorer:
 * each case uploads its inputs, runs one kernel through the same host wrappers the engine uses
 * (a named version, or what this device's planner picks) and reads the outputs back.
 */
import { adamBf16Params, adamStep, adamStepBf16, type AdamHyper } from './optim/adam.js';
import { conv2dBackwardBias, conv2dBackwardInput, conv2dBackwardWeight, conv2dForward } from './conv/conv2d.js';
import { convWeights, formBytes, packConvWeights, packedWeights, releasePackedWeights, winogradFilters } from './conv/weights.js';
import { winogradConv } from './conv/versions.js';
import { makePlan } from './plan.js';
import { axpby, fill, reluBackward, reluBackwardInPlace, reluForward } from './elementwise/elementwise.js';
import { clampImage, originalColors, postprocess, preprocess, type InputConvention } from './image/image.js';
import { runOnce } from './run_once.js';
import { REDUCE_PARTIALS, reduceSum, squaredError, temporalLoss, tvLoss, tvTermCount } from './loss/loss.js';
import { matmul } from './matmul/matmul.js';
import { maxPoolWindowBackward, maxPoolWindowForward, poolBackward, poolForward, pooledShape, windowPooledShape, type PoolKind } from './pool/pool.js';
import { opRun, planFor, readAll, runRead, withTensors, type Arrays, type Case, type CaseParams } from './harness.js';
import { convRun } from './conv/cases.js';
import { GUIDE_CASES } from './guide/cases.js';
import { FLOW_CASES } from './flow/cases.js';
import { colourAffine, colourMoments, momentPartialsShape } from './image/colour.js';
import { resizeBilinearMap } from './image/resize.js';
import { stridedConvRun } from './strided_conv/cases.js';
import { reduceRun } from './reduce/cases.js';
import { gramCase } from './gram/cases.js';
export type { Arrays, CaseParams };
import { maskRect, windowOp } from './tile/tile.js';

export const CASES: Record<string, Case> = {
  async conv2d_forward(lib, x, { C, H, W, O, K, relu, weightC, splits, variant, chunk }) {
    return runRead(lib, convRun(lib, planFor(lib, 'conv_forward', { R: C, N: O, K, H, W }, variant, splits), x, { relu: !!relu, weightC, chunk }));
  },
  async conv2d_backward_input(lib, x, { C, H, W, O, K, splits, variant, chunk }) {
    return runRead(lib, convRun(lib, planFor(lib, 'conv_backward_input', { R: O, N: C, K, H, W }, variant, splits), x, { chunk }));
  },
  /**
   * Each Winograd stage's output (forward conv with bias and ReLU), plus the backward filters; tile
   * m = 2 (default) or 4; subgroups = 1: the subgroup matrix products of versions 7 and 8.
   */
  async winograd_stages(lib, x, { C, H, W, O, relu, m = 2, subgroups = 0 }) {
    const tile = m === 4 ? 4 : 2;
    const weight = lib.upload([O, C, 3, 3], x.weight), bias = lib.upload([O], x.bias);
    const w = packConvWeights(lib, weight, bias, true);
    const plan = makePlan('conv_forward', { R: C, N: O, K: 3, H, W }, { version: tile === 2 ? 'v5_winograd' : 'v6_winograd4', splits: 1 });
    const t = { input: lib.upload([C, H, W], x.input), output: lib.tensor([O, H, W]), V: lib.tensor([plan.scratch.winogradData!]), M: lib.tensor([plan.scratch.winogradProducts!]) };
    try {
      const U = winogradFilters(lib, w, 'forward', tile);
      const Ub = winogradFilters(lib, w, 'backward', tile);
      runOnce(lib, winogradConv(lib, t.input, U, bias, t.output, C, O, H, W, !!relu, { winogradData: t.V, winogradProducts: t.M }, tile, subgroups ? 'subgroups' : 'plain'));
      return await readAll(lib, { U, U_backward: Ub, V: t.V, M: t.M, output: t.output });
    } finally {
      lib.release(weight, bias, ...Object.values(t));
      releasePackedWeights(lib, w);
    }
  },
  /**
   * Which forms of CPU-held weights exist after each of `versions` ran forward (f) or backward (b)
   * in turn, as flags [forward, backward, winograd_forward, winograd_backward] per run, their
   * bytes, and the buffers in use before and after (everything freed at the end).
   */
  async conv_weight_forms(lib, x, { C, H, W, O, runs }) {
    const before = lib.memory.stats().inUseBuffers;
    const bias = lib.upload([O], new Float32Array(O), 'bias');
    const w = convWeights(O, C, 3, Float32Array.from(x.weight), bias, true);
    const flags: number[] = [], bytes: number[] = [];
    try {
      for (const [version, dir] of runs as [string, 'f' | 'b'][]) {
        const kind = dir === 'f' ? 'conv_forward' : 'conv_backward_input';
        const shape = dir === 'f' ? { R: C, N: O, K: 3, H, W } : { R: O, N: C, K: 3, H, W };
        const plan = makePlan(kind, shape, { version: version as never, splits: 1 });
        const io = [lib.tensor([shape.R, H, W]), lib.tensor([shape.N, H, W])];
        const scratch = Object.fromEntries(Object.entries(plan.scratch).map(([k, n]) => [k, lib.tensor([n])]));
        try {
          const ds = dir === 'f' ? conv2dForward(lib, io[0], w, io[1], true, plan as never, scratch) : conv2dBackwardInput(lib, io[0], w, io[1], plan as never, scratch);
          runOnce(lib, ds);
        } finally {
          lib.release(...io, ...Object.values(scratch));
        }
        flags.push(...(['forward', 'backward', 'winograd_forward', 'winograd_backward'] as const).map((f) => (w.forms[f] ? 1 : 0)));
        bytes.push(formBytes(w));
      }
    } finally {
      releasePackedWeights(lib, w);
      lib.release(bias);
    }
    return { flags: Float32Array.from(flags), bytes: Float32Array.from(bytes), inUse: Float32Array.from([before, lib.memory.stats().inUseBuffers]) };
  },
  async conv2d_backward_weight(lib, x, { C, H, W, O, K }) {
    return withTensors(lib, x, { input: [C, H, W], grad_output: [O, H, W] }, { grad_weight: [O, C, K, K], grad_bias: [O] }, (t) => [
      conv2dBackwardWeight(lib, t.input, t.grad_output, t.grad_weight),
      conv2dBackwardBias(lib, t.grad_output, t.grad_bias),
    ]);
  },
  async conv2d_repack_weights(lib, x, { C, O, K }) {
    const weight = lib.upload([O, C, K, K], x.weight), bias = lib.tensor([O]);
    const w = packConvWeights(lib, weight, bias, true);
    try {
      return await readAll(lib, { forward: packedWeights(lib, w, 'forward'), backward: packedWeights(lib, w, 'backward') });
    } finally {
      lib.release(weight, bias);
      releasePackedWeights(lib, w);
    }
  },
  async relu(lib, x, { n }) {
    return withTensors(lib, x, { input: [n], grad_output: [n] }, { output: [n], grad_input: [n] }, (t) => [
      reluForward(lib, t.input, t.output),
      reluBackward(lib, t.input, t.grad_output, t.grad_input),
    ]);
  },
  async relu_inplace(lib, x, { n }) {
    const input = lib.upload([n], x.input), output = lib.tensor([n]), grad = lib.upload([n], x.grad_output);
    try {
      // masked by the ReLU's output, as the tape does
      runOnce(lib, [reluForward(lib, input, output), reluBackwardInPlace(lib, output, grad)]);
      return { grad: await lib.read(grad) };
    } finally {
      lib.release(input, output, grad);
    }
  },
  async pool(lib, x, { kind, C, H, W }) {
    const po = pooledShape([C, H, W]);
    return withTensors(lib, x, { input: [C, H, W], grad_output: po }, { output: po, grad_input: [C, H, W] }, (t) => [
      poolForward(lib, kind as PoolKind, t.input, t.output),
      poolBackward(lib, kind as PoolKind, t.input, t.grad_output, t.grad_input),
    ]);
  },
  /** Strided conv (any K, stride, padding): forward (+ReLU if relu) and the gradient to the input, by version id (default: the planner's). */
  async strided_conv(lib, x, { C, H, W, O, K, stride, pad, relu, version }) {
    const shape = { C, O, K, stride, pad, H, W };
    return {
      ...(await runRead(lib, stridedConvRun(lib, planFor(lib, 'strided_conv_forward', shape, version), x, !!relu))),
      ...(await runRead(lib, stridedConvRun(lib, planFor(lib, 'strided_conv_backward_input', shape, version), x))),
    };
  },
  /** K×K/stride max pooling in floor or ceil mode: forward and backward. */
  async pool_window(lib, x, { C, H, W, K, stride, ceil }) {
    const win = { K, stride, ceil: !!ceil };
    const po = windowPooledShape([C, H, W], win);
    const argmax = lib.tensor(po, 'argmax');
    try {
      return await withTensors(lib, x, { input: [C, H, W], grad_output: po }, { output: po, grad_input: [C, H, W] }, (t) => [
        maxPoolWindowForward(lib, t.input, t.output, argmax, win),
        maxPoolWindowBackward(lib, argmax, t.grad_output, t.grad_input, win),
      ]);
    } finally {
      lib.release(argmax);
    }
  },
  gram: gramCase,
  async squared_error(lib, x, { n, scale }) {
    return withTensors(lib, x, { input: [n], target: [n] }, { terms: [n], grad: [n], loss: [2], partials: [REDUCE_PARTIALS] }, (t) => [
      squaredError(lib, t.input, t.target, t.terms, t.grad, scale),
      ...reduceSum(lib, { a: t.terms, out: t.loss, outIndex: 1, scale, partials: t.partials }, planFor(lib, 'reduce', { n })),
    ]);
  },
  /** Ruder's temporal loss; `factors` one per channel; `grad` comes in (added to with accumulate) and is read back. */
  async temporal_loss(lib, x, { C, H, W, scale, factors, accumulate }) {
    const s = [C, H, W], n = C * H * W;
    return runRead(lib, opRun(lib, (tensors) => {
      const t = tensors({ input: s, warped: s, weights: [1, H, W], grad: s }, { terms: s, loss: [1], partials: [REDUCE_PARTIALS] });
      const dispatches = [
        temporalLoss(lib, t.input, t.warped, t.weights, t.terms, t.grad, factors, scale, !!accumulate),
        ...reduceSum(lib, { a: t.terms, out: t.loss, outIndex: 0, scale, partials: t.partials }, planFor(lib, 'reduce', { n })),
      ];
      return { dispatches, outputs: ['loss', 'grad'] };
    }, x));
  },
  async tv_loss(lib, x, { C, H, W, scale }) {
    const s = [C, H, W];
    const S = tvTermCount(s);
    return withTensors(lib, x, { image: s }, { terms: [S], grad: s, loss: [1], partials: [REDUCE_PARTIALS] }, (t) => [
      tvLoss(lib, t.image, t.terms, t.grad, scale),
      ...reduceSum(lib, { a: t.terms, out: t.loss, outIndex: 0, scale, partials: t.partials }, planFor(lib, 'reduce', { n: S })),
    ]);
  },
  async reduce(lib, x, { n, dot, scale, variant }) {
    return runRead(lib, reduceRun(lib, planFor(lib, 'reduce', { n }, variant), x, !!dot, scale));
  },
  async axpby(lib, x, { n, a, b }) {
    const tx = lib.upload([n], x.x), ty = lib.upload([n], x.y);
    try {
      runOnce(lib, [axpby(lib, a, tx, b, ty)]);
      return { y: await lib.read(ty) };
    } finally {
      lib.release(tx, ty);
    }
  },
  async matmul(lib, x, { M, N, K }) {
    return withTensors(lib, x, { at: [K, M], b: [K, N] }, { c: [M, N] }, (t) => [matmul(lib, t.at, t.b, t.c)]);
  },
  async fill(lib, _x, { n, value }) {
    return withTensors(lib, {}, {}, { y: [n] }, (t) => [fill(lib, t.y, value)]);
  },
  async image(lib, x, { H, W, convention: c }) {
    const convention = c as InputConvention;
    // x.rgba holds bytes as floats; pack them into u32 pixels.
    const bytes = Uint8Array.from(x.rgba);
    const pixels = lib.memory.acquire(H * W * 4, 'pixels');
    const outPixels = lib.memory.acquire(H * W * 4, 'outPixels');
    lib.ctx.device.queue.writeBuffer(pixels, 0, bytes);
    const net = lib.tensor([3, H, W]);
    const clamped = lib.upload([3, H, W], x.wild);
    try {
      runOnce(lib, [preprocess(lib, pixels, H, W, net, convention), clampImage(lib, clamped, convention)]);
      const netRead = await lib.read(net);
      runOnce(lib, [postprocess(lib, net, outPixels, convention)]);
      const back = new Uint8Array(await lib.readBytes(outPixels, H * W * 4));
      return { net: netRead, rgba: Float32Array.from(back), clamped: await lib.read(clamped) };
    } finally {
      lib.release(net, clamped);
      lib.memory.release(pixels);
      lib.memory.release(outPixels);
    }
  },
  async original_colors(lib, x, { HW }) {
    const bufs = ['stylized', 'content', 'output'].map((name) => lib.memory.acquire(HW * 4, name));
    try {
      lib.ctx.device.queue.writeBuffer(bufs[0], 0, Uint8Array.from(x.stylized));
      lib.ctx.device.queue.writeBuffer(bufs[1], 0, Uint8Array.from(x.content));
      runOnce(lib, [originalColors(lib, bufs[0], bufs[1], bufs[2], HW)]);
      return { rgba: Float32Array.from(new Uint8Array(await lib.readBytes(bufs[2], HW * 4))) };
    } finally {
      for (const b of bufs) lib.memory.release(b);
    }
  },
  /** Copy a window out of a map and add another window into it (tile/window, both modes). */
  async window(lib, x, { C, H, W, h, w, y0, x0 }) {
    const t = { full: lib.upload([C, H, W], x.full), add: lib.upload([C, h, w], x.add), window: lib.tensor([C, h, w]) };
    try {
      runOnce(lib, [windowOp(lib, t.full, t.window, y0, x0, 'copy')]);
      const window = await lib.read(t.window);
      runOnce(lib, [windowOp(lib, t.full, t.add, y0, x0, 'add')]);
      return { window, full: await lib.read(t.full) };
    } finally {
      lib.release(...Object.values(t));
    }
  },
  async mask(lib, x, { C, H, W, rect }) {
    return withTensors(lib, x, { input: [C, H, W] }, { output: [C, H, W] }, (t) => [maskRect(lib, t.input, t.output, rect)]);
  },
  /** Partial moment sums of a 3×H×W image (G×9). */
  async colour_moments(lib, x, { H, W }) {
    return withTensors(lib, x, { image: [3, H, W] }, { partials: momentPartialsShape(H * W) }, (t) => [colourMoments(lib, t.image, t.partials)]);
  },
  /** out = A·x + b per pixel of a 3×H×W image. */
  async colour_affine(lib, x, { H, W, A, b }) {
    return withTensors(lib, x, { x: [3, H, W] }, { out: [3, H, W] }, (t) => [colourAffine(lib, t.x, t.out, A, b)]);
  },
  /** A C×h×w map resized bilinearly to C×H×W (coarse to fine's carry between scales). */
  async resize_bilinear(lib, x, { C, h, w, H, W }) {
    return withTensors(lib, x, { input: [C, h, w] }, { out: [C, H, W] }, (t) => [resizeBilinearMap(lib, t.input, t.out)]);
  },
  ...GUIDE_CASES,
  ...FLOW_CASES,
  async adam(lib, x, { n, hyper, t }) {
    const ts = { param: lib.upload([n], x.param), grad: lib.upload([n], x.grad), m: lib.upload([n], x.m), v: lib.upload([n], x.v) };
    try {
      runOnce(lib, [adamStep(lib, ts.param, ts.grad, ts.m, ts.v, hyper as AdamHyper, t)]);
      return readAll(lib, { param: ts.param, m: ts.m, v: ts.v });
    } finally {
      lib.release(...Object.values(ts));
    }
  },
  /**
   * Adam with bfloat16 moments, `steps` steps from step t on (the gradient the same each step);
   * `state` travels as float32 whose bits are the packed u32 words.
   */
  async adam_bf16(lib, x, { n, hyper, t, steps }) {
    const ts = { param: lib.upload([n], x.param), grad: lib.upload([n], x.grad), state: lib.upload([n], x.state) };
    const d = adamStepBf16(lib, ts.param, ts.grad, ts.state, hyper as AdamHyper, t);
    try {
      for (let k = 0; k < ((steps as number | undefined) ?? 1); k++) {
        d.setParams(adamBf16Params(hyper as AdamHyper, t + k, n));
        lib.run([d]);
      }
      return readAll(lib, { param: ts.param, state: ts.state });
    } finally {
      d.destroy();
      lib.release(...Object.values(ts));
    }
  },
};
