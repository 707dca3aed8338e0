/** One op case made runnable for timing: its tensors (filled), its dispatches, and how to free them. */
import { conv2dBackwardInput, conv2dForward } from './conv/conv2d.js';
import { packConvWeights, releasePackedWeights } from './conv/weights.js';
import { fill } from './elementwise.js';
import { gramBackward, gramForward } from './gram/gram.js';
import type { Dispatch } from './kernel.js';
import { runOnce, type KernelLibrary } from './library.js';
import { REDUCE_PARTIALS, reduceSum } from './loss.js';
import { makePlan, type Choice, type ConvShape, type GramShape, type OpKind, type OpShapes, type StridedConvShape } from './plan.js';
import { stridedConvBackwardInput, stridedConvForward, stridedConvShape } from './strided_conv/strided_conv.js';
import type { Tensor } from './tensor.js';

export type { AutotuneMode } from './autotune_modes.js';

/** Tensors and dispatches to time one candidate of an op, and how to free them. */
interface Bench {
  dispatches: Dispatch[];
  release: () => void;
}

function convBench(lib: KernelLibrary, kind: 'conv_forward' | 'conv_backward_input', s: ConvShape, choice: Choice): Bench {
  const plan = makePlan(kind, s, choice as Choice<typeof kind>);
  // weights for this direction: forward C = R, O = N; backward to input O = R, C = N
  const [O, C] = kind === 'conv_forward' ? [s.N, s.R] : [s.R, s.N];
  const weight = lib.tensor([O, C, s.K, s.K], 'tune.weight'), bias = lib.tensor([O], 'tune.bias');
  runOnce(lib, [fill(lib, weight, 0.01), fill(lib, bias, 0)]);
  const w = packConvWeights(lib, weight, bias, kind === 'conv_backward_input');
  const input = lib.tensor([s.R, s.H, s.W], 'tune.in'), output = lib.tensor([s.N, s.H, s.W], 'tune.out');
  runOnce(lib, [fill(lib, input, 0.5)]);
  const scratch = Object.fromEntries(Object.entries(plan.scratch).map(([k, floats]) => [k, lib.tensor([floats], `tune.${k}`)])) as Record<string, Tensor>;
  const dispatches = kind === 'conv_forward' ? conv2dForward(lib, input, w, output, true, plan as never, scratch) : conv2dBackwardInput(lib, input, w, output, plan as never, scratch);
  return {
    dispatches,
    release: () => {
      for (const d of dispatches) d.destroy();
      lib.release(weight, bias, input, output, ...Object.values(scratch));
      releasePackedWeights(lib, w);
    },
  };
}

function gramBench(lib: KernelLibrary, kind: 'gram_forward' | 'gram_backward', s: GramShape, choice: Choice): Bench {
  const features = lib.tensor([s.C, s.M], 'tune.features'), gram = lib.tensor([s.C, s.C], 'tune.gram');
  runOnce(lib, [fill(lib, features, 0.5), fill(lib, gram, 0.01)]);
  const extra: Tensor[] = [];
  let dispatches: Dispatch[];
  if (kind === 'gram_forward') {
    const plan = makePlan(kind, s, choice as Choice<'gram_forward'>);
    const scratch = plan.scratch.slices ? lib.tensor([plan.scratch.slices], 'tune.slices') : undefined;
    if (scratch) extra.push(scratch);
    dispatches = gramForward(lib, features, gram, 1, plan, scratch);
  } else {
    const grad = lib.tensor([s.C, s.M], 'tune.grad');
    extra.push(grad);
    dispatches = [gramBackward(lib, features, gram, grad, 1, makePlan(kind, s, choice as Choice<'gram_backward'>))];
  }
  return {
    dispatches,
    release: () => {
      for (const d of dispatches) d.destroy();
      lib.release(features, gram, ...extra);
    },
  };
}

function reduceBench(lib: KernelLibrary, n: number, choice: Choice): Bench {
  const a = lib.tensor([n], 'tune.a'), out = lib.tensor([1], 'tune.out'), partials = lib.tensor([REDUCE_PARTIALS], 'tune.partials');
  runOnce(lib, [fill(lib, a, 1)]);
  const dispatches = reduceSum(lib, { a, out, outIndex: 0, partials }, makePlan('reduce', { n }, choice as Choice<'reduce'>));
  return {
    dispatches,
    release: () => {
      for (const d of dispatches) d.destroy();
      lib.release(a, out, partials);
    },
  };
}

function stridedConvBench(lib: KernelLibrary, kind: 'strided_conv_forward' | 'strided_conv_backward_input', s: StridedConvShape, choice: Choice): Bench {
  const [Ho, Wo] = stridedConvShape(s.H, s.W, s.K, s.stride, s.pad);
  const w = { ...s, weight: lib.tensor([s.O, s.C, s.K, s.K], 'tune.weight'), bias: lib.tensor([s.O], 'tune.bias') };
  const input = lib.tensor([s.C, s.H, s.W], 'tune.in'), output = lib.tensor([s.O, Ho, Wo], 'tune.out');
  runOnce(lib, [fill(lib, w.weight, 0.01), fill(lib, w.bias, 0), fill(lib, input, 0.5), fill(lib, output, 0.5)]);
  const d = kind === 'strided_conv_forward'
    ? stridedConvForward(lib, input, w, output, true, makePlan(kind, s, choice as Choice<typeof kind>))
    : stridedConvBackwardInput(lib, output, w, input, makePlan(kind, s, choice as Choice<typeof kind>));
  return {
    dispatches: [d],
    release: () => {
      d.destroy();
      lib.release(w.weight, w.bias, input, output);
    },
  };
}

/** Tensors and dispatches that run one candidate of an op at its shape (inputs filled with constants). */
export function opBench<K extends OpKind>(lib: KernelLibrary, kind: K, shape: OpShapes[K], choice: Choice<K>): Bench {
  if (kind === 'conv_forward' || kind === 'conv_backward_input') return convBench(lib, kind, shape as ConvShape, choice);
  if (kind === 'gram_forward' || kind === 'gram_backward') return gramBench(lib, kind, shape as GramShape, choice);
  if (kind === 'strided_conv_forward' || kind === 'strided_conv_backward_input') return stridedConvBench(lib, kind, shape as StridedConvShape, choice);
  return reduceBench(lib, (shape as OpShapes['reduce']).n, choice);
}
