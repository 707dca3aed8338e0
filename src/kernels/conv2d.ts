/**
 * Host side of the convolution kernels (shaders/conv/*.wgsl): shape checks and dispatch shapes.
 * Convolutions are stride 1 with "same" zero padding K/2, K odd (VGG uses K = 3).
 */
import type { Dispatch } from './kernel.js';
import { grid1d } from './kernel.js';
import type { KernelLibrary } from './library.js';
import { runOnce } from './library.js';
import { ceil16, ceil8, opKey, tilesFitting, winogradTiles, type ConvShape, type OpKind, type OpPlan } from './plan.js';
import { binding, expectPositiveInts, expectShape, numel, type Tensor } from './tensor.js';

/** Conv weights in PyTorch layout plus the repacked copies the implicit-GEMM kernels read. */
export interface ConvWeights {
  O: number;
  C: number;
  K: number;
  /** O×C×K×K */
  weight: Tensor;
  /** O */
  bias: Tensor;
  /** K×K×C×ceil8(O), for conv/v1_forward */
  packedForward: Tensor;
  /** K×K×O×ceil8(C), for conv/v1_backward_input; null if made without backward support */
  packedBackward: Tensor | null;
  /**
   * Winograd-transformed filters (16×C×ceil16(O) forward, 16×O×ceil16(C) backward), made from the
   * packed copies on first use by a Winograd conv (see winogradFilters) and owned like them.
   */
  winograd?: { forward?: Tensor; backward?: Tensor };
}

/** Release the GPU copies packConvWeights (and Winograd convs) made; weight and bias stay the caller's. */
export function releasePackedWeights(lib: KernelLibrary, w: ConvWeights): void {
  lib.release(w.packedForward);
  if (w.packedBackward) lib.release(w.packedBackward);
  if (w.winograd?.forward) lib.release(w.winograd.forward);
  if (w.winograd?.backward) lib.release(w.winograd.backward);
  w.winograd = undefined;
}


function convDims(what: string, input: Tensor): { C: number; H: number; W: number } {
  if (input.shape.length !== 3) throw new Error(`${what}: expected a C×H×W tensor, got shape [${input.shape.join('×')}]`);
  const [C, H, W] = input.shape;
  return { C, H, W };
}

/** Repack OIHW weights for the conv kernels (runs now, once). The returned tensors belong to the caller. */
export function packConvWeights(lib: KernelLibrary, weight: Tensor, bias: Tensor, withBackward = true): ConvWeights {
  if (weight.shape.length !== 4) throw new Error(`packConvWeights: weight must be O×C×K×K, got [${weight.shape.join('×')}]`);
  const [O, C, K, K2] = weight.shape;
  if (K !== K2 || K % 2 !== 1) throw new Error(`packConvWeights: kernel must be square with odd size, got ${K}×${K2}`);
  expectShape('packConvWeights: bias', bias, [O]);
  const repack = lib.kernel('conv/repack_weights');
  const packedForward = lib.tensor([K, K, C, ceil8(O)], 'conv.packedForward');
  const dispatches = [
    repack.bind({ weight: binding(weight), packed: binding(packedForward) }, { O, C, K, transpose: 0, P: ceil8(O) }, grid1d(K * K * C * ceil8(O), 64)),
  ];
  let packedBackward: Tensor | null = null;
  if (withBackward) {
    packedBackward = lib.tensor([K, K, O, ceil8(C)], 'conv.packedBackward');
    dispatches.push(
      repack.bind({ weight: binding(weight), packed: binding(packedBackward) }, { O, C, K, transpose: 1, P: ceil8(C) }, grid1d(K * K * O * ceil8(C), 64)),
    );
  }
  runOnce(lib, dispatches);
  return { O, C, K, weight, bias, packedForward, packedBackward };
}

/**
 * Scratch buffers a conv may need, each shared freely between convs that run one after another:
 * split-K partial sums, or Winograd's transformed input (16×R×P8) and products (16×N×P8). Sizes
 * come from the conv's plan (plan.ts, makePlan).
 */
export interface ConvScratch {
  slices?: Tensor;
  winogradData?: Tensor;
  winogradProducts?: Tensor;
}

/**
 * The Winograd-transformed filters of one direction, made on first use from the packed copy
 * (conv/v5_winograd_filter) and kept in `w.winograd` (released by releasePackedWeights).
 */
export function winogradFilters(lib: KernelLibrary, w: ConvWeights, direction: 'forward' | 'backward'): Tensor {
  if (w.K !== 3) throw new Error(`winogradFilters: Winograd F(2×2, 3×3) needs a 3×3 kernel, got ${w.K}×${w.K}`);
  const cached = w.winograd?.[direction];
  if (cached) return cached;
  const packed = direction === 'forward' ? w.packedForward : w.packedBackward;
  if (!packed) throw new Error('winogradFilters: weights were packed without backward support');
  const [R, N] = direction === 'forward' ? [w.C, w.O] : [w.O, w.C];
  const U = lib.tensor([16, R, ceil16(N)], `conv.winograd.${direction}`);
  runOnce(lib, [
    lib.kernel('conv/v5_winograd_filter').bind(
      { packed: binding(packed), U: binding(U) },
      { R, N, NP: ceil8(N), N16: ceil16(N), flip: direction === 'backward' ? 1 : 0 },
      grid1d(R * ceil16(N), 64),
    ),
  ]);
  w.winograd = { ...w.winograd, [direction]: U };
  return U;
}

function scratchCheck(what: string, t: Tensor | undefined, need: number): Tensor {
  if (!t || numel(t.shape) < need) throw new Error(`${what}: needs a scratch tensor of ${need} floats`);
  return t;
}

/**
 * A conv as Winograd F(2×2, 3×3): input transform (R channels in), 16 matrix products with the
 * transformed filters U, output transform (N channels out, + bias, ReLU) — three dispatches per
 * chunk of tiles, in that order (exported for the per-stage tests). The chunk is as many tiles as
 * the scratch buffers hold (makePlan in plan.ts sizes them; smaller buffers give more chunks).
 */
export function winogradConv(lib: KernelLibrary, input: Tensor, U: Tensor, bias: Tensor | null, output: Tensor, R: number, N: number, H: number, W: number, relu: boolean, scratch: ConvScratch | undefined): Dispatch[] {
  const { TW, P, P8 } = winogradTiles(H, W);
  const data = scratchCheck('winograd conv: transformed input', scratch?.winogradData, 16 * R * 8);
  const products = scratchCheck('winograd conv: products', scratch?.winogradProducts, 16 * N * 8);
  const chunk = Math.min(P8, tilesFitting(numel(data.shape), R), tilesFitting(numel(products.shape), N));
  const ds: Dispatch[] = [];
  for (let begin = 0; begin < P; begin += chunk) {
    const tiles = Math.min(chunk, P - begin);
    const T8 = ceil8(tiles);
    ds.push(
      lib.kernel('conv/v5_winograd_input').bind({ input: binding(input), V: binding(data) }, { C: R, H, W, TW, P, P8: T8, p_begin: begin }, grid1d(R * T8, 64)),
      lib.kernel('conv/v5_winograd_gemm').bind({ U: binding(U), V: binding(data), M: binding(products) }, { R, N, N16: ceil16(N), P8: T8 }, [Math.ceil(((T8 / 8) * ceil16(N)) / 16 / 64), 1, 16]),
      lib.kernel('conv/v5_winograd_output').bind(
        { M: binding(products), bias: binding(bias ?? products), output: binding(output) },
        { N, H, W, TW, P8: T8, p_begin: begin, tiles, relu: relu ? 1 : 0, has_bias: bias ? 1 : 0 },
        grid1d(N * tiles, 64),
      ),
    );
  }
  return ds;
}

/**
 * One conv direction in the kernels' terms: R channels reduced into N over an H×W map, reading
 * `packed` (forward: packedForward; backward to input: packedBackward, taps mirrored by flip).
 */
interface ConvCall {
  input: Tensor;
  packed: Tensor;
  bias: Tensor | null;
  output: Tensor;
  relu: boolean;
  flip: boolean;
}

/** Version 0: one invocation per output value, any odd K (the readable one). */
function naiveConv(lib: KernelLibrary, s: ConvShape, c: ConvCall): Dispatch {
  return lib.kernel('conv/v0_naive').bind(
    { input: binding(c.input), weight: binding(c.packed), bias: binding(c.bias ?? c.packed), output: binding(c.output) },
    { R: s.R, H: s.H, W: s.W, N: s.N, K: s.K, NP: ceil8(s.N), relu: c.relu ? 1 : 0, flip: c.flip ? 1 : 0, has_bias: c.bias ? 1 : 0 },
    grid1d(s.N * s.H * s.W, 64),
  );
}

const DIRECT_KERNEL = { direct: 'conv/v1_forward', flat16: 'conv/v2_flat16', rows: 'conv/v3_rows', rows_vec4: 'conv/v4_rows_vec4' } as const;

/**
 * Versions 1–4 (both directions), plus the slice sum when split: each of S workgroup layers
 * reduces a chunk of R channels into its slice of `scratch.slices`, conv/sum_slices adds them.
 */
function directConv(lib: KernelLibrary, plan: OpPlan<'conv_forward' | 'conv_backward_input'>, c: ConvCall, scratch: ConvScratch | undefined): Dispatch[] {
  const s = plan.shape;
  const S = plan.splits;
  const chunk = Math.ceil(s.R / S);
  const slices = S > 1 ? scratchCheck(`${plan.kind} split ${S}`, scratch?.slices, plan.scratch.slices!) : null;
  const out = slices ?? c.output;
  const v = plan.version as keyof typeof DIRECT_KERNEL;
  const kernel = lib.kernel(DIRECT_KERNEL[v]);
  let conv: Dispatch;
  if (v === 'direct' && !c.flip) {
    conv = kernel.bind(
      { input: binding(c.input), weight: binding(c.packed), bias: c.bias!.buffer, output: binding(out) },
      { C: s.R, H: s.H, W: s.W, O: s.N, K: s.K, O8: ceil8(s.N), relu: c.relu ? 1 : 0, c_chunk: chunk, partial: S > 1 ? 1 : 0 },
      [Math.ceil(Math.ceil((s.H * s.W) / 8) / 64), ceil8(s.N) / 8, Math.ceil(s.R / chunk)],
    );
  } else if (v === 'direct') {
    conv = lib.kernel('conv/v1_backward_input').bind(
      { grad_output: binding(c.input), weight: binding(c.packed), grad_input: binding(out) },
      { C: s.N, H: s.H, W: s.W, O: s.R, K: s.K, C8: ceil8(s.N), o_chunk: chunk },
      [Math.ceil(Math.ceil((s.H * s.W) / 8) / 64), ceil8(s.N) / 8, Math.ceil(s.R / chunk)],
    );
  } else {
    const pixelGroups = v === 'flat16' ? Math.ceil(Math.ceil((s.H * s.W) / 8) / 64) : Math.ceil((s.H * Math.ceil(s.W / 8)) / 64);
    const params: Record<string, number> = { C: s.R, H: s.H, W: s.W, O: s.N, O8: ceil8(s.N), relu: c.relu ? 1 : 0, c_chunk: chunk, partial: S > 1 ? 1 : 0, flip: c.flip ? 1 : 0, has_bias: c.bias ? 1 : 0 };
    if (v === 'flat16') params.K = s.K;
    conv = kernel.bind(
      { input: binding(c.input), weight: binding(c.packed), bias: binding(c.bias ?? c.packed), output: binding(out) },
      params,
      [pixelGroups, ceil8(s.N) / (v === 'flat16' ? 16 : 8), Math.ceil(s.R / chunk)],
    );
  }
  return slices ? [conv, sumSlices(lib, slices, Math.ceil(s.R / chunk), s.N, s.H * s.W, c.output, c.bias, c.relu)] : [conv];
}

/** A conv direction as its plan says (the plan's shape must match the tensors; see Planner.plan). */
function planned(lib: KernelLibrary, plan: OpPlan<'conv_forward' | 'conv_backward_input'>, c: ConvCall, w: ConvWeights, scratch: ConvScratch | undefined): Dispatch[] {
  const s = plan.shape;
  if (plan.version === 'naive') return [naiveConv(lib, s, c)];
  if (plan.version === 'winograd') {
    return winogradConv(lib, c.input, winogradFilters(lib, w, c.flip ? 'backward' : 'forward'), c.bias, c.output, s.R, s.N, s.H, s.W, c.relu, scratch);
  }
  return directConv(lib, plan, c, scratch);
}

function checkPlan(what: string, plan: OpPlan, kind: OpKind, shape: ConvShape): void {
  const p = plan.shape as ConvShape;
  if (plan.kind !== kind || p.R !== shape.R || p.N !== shape.N || p.K !== shape.K || p.H !== shape.H || p.W !== shape.W) {
    throw new Error(`${what}: the plan is for ${opKey(plan.kind, plan.shape)}, the tensors are ${opKey(kind, shape)}`);
  }
}

/**
 * output = conv(input, weight) + bias, then ReLU if `relu`. input C×H×W → output O×H×W, run as
 * `plan` says (lib.planner.plan('conv_forward', { R: C, N: O, K, H, W })); `scratch` holds at
 * least the plan's scratch sizes.
 */
export function conv2dForward(lib: KernelLibrary, input: Tensor, w: ConvWeights, output: Tensor, relu: boolean, plan: OpPlan<'conv_forward'>, scratch?: ConvScratch): Dispatch[] {
  const { C, H, W } = convDims('conv2dForward: input', input);
  if (C !== w.C) throw new Error(`conv2dForward: input has ${C} channels but the weights expect ${w.C}`);
  expectShape('conv2dForward: output', output, [w.O, H, W]);
  checkPlan('conv2dForward', plan, 'conv_forward', { R: C, N: w.O, K: w.K, H, W });
  return planned(lib, plan, { input, packed: w.packedForward, bias: w.bias, output, relu, flip: false }, w, scratch);
}

function sumSlices(lib: KernelLibrary, partial: Tensor, slices: number, O: number, HW: number, output: Tensor, bias: Tensor | null, relu: boolean): Dispatch {
  return lib.kernel('conv/sum_slices').bind(
    { partial: binding(partial), bias: binding(bias ?? partial), output: binding(output) },
    { O, HW, slices, relu: relu ? 1 : 0, has_bias: bias ? 1 : 0 },
    grid1d(O * HW, 256),
  );
}

/**
 * grad_input (C×H×W) from grad_output (O×H×W): the flipped, transposed convolution, run as `plan`
 * says (lib.planner.plan('conv_backward_input', { R: O, N: C, K, H, W })).
 */
export function conv2dBackwardInput(lib: KernelLibrary, gradOutput: Tensor, w: ConvWeights, gradInput: Tensor, plan: OpPlan<'conv_backward_input'>, scratch?: ConvScratch): Dispatch[] {
  const { C: O, H, W } = convDims('conv2dBackwardInput: grad_output', gradOutput);
  if (O !== w.O) throw new Error(`conv2dBackwardInput: grad_output has ${O} channels but the weights have ${w.O} outputs`);
  if (!w.packedBackward) throw new Error('conv2dBackwardInput: weights were packed without backward support');
  expectShape('conv2dBackwardInput: grad_input', gradInput, [w.C, H, W]);
  checkPlan('conv2dBackwardInput', plan, 'conv_backward_input', { R: O, N: w.C, K: w.K, H, W });
  return planned(lib, plan, { input: gradOutput, packed: w.packedBackward, bias: null, output: gradInput, relu: false, flip: true }, w, scratch);
}

/** grad_weight (O×C×K×K) from the layer input (C×H×W) and grad_output (O×H×W). */
export function conv2dBackwardWeight(lib: KernelLibrary, input: Tensor, gradOutput: Tensor, gradWeight: Tensor): Dispatch {
  const { C, H, W } = convDims('conv2dBackwardWeight: input', input);
  if (gradWeight.shape.length !== 4) throw new Error(`conv2dBackwardWeight: grad_weight must be O×C×K×K, got [${gradWeight.shape.join('×')}]`);
  const [O, , K] = gradWeight.shape;
  expectPositiveInts('conv2dBackwardWeight', { O, K });
  expectShape('conv2dBackwardWeight: grad_weight', gradWeight, [O, C, K, K]);
  expectShape('conv2dBackwardWeight: grad_output', gradOutput, [O, H, W]);
  return lib.kernel('conv/backward_weight').bind(
    { input: binding(input), grad_output: binding(gradOutput), grad_weight: gradWeight.buffer },
    { C, H, W, O, K },
    grid1d(O * C * K * K, 64),
  );
}

/** grad_bias (O) = per-channel sum of grad_output (O×H×W). */
export function conv2dBackwardBias(lib: KernelLibrary, gradOutput: Tensor, gradBias: Tensor): Dispatch {
  const { C: O, H, W } = convDims('conv2dBackwardBias: grad_output', gradOutput);
  expectShape('conv2dBackwardBias: grad_bias', gradBias, [O]);
  return lib.kernel('conv/backward_bias').bind({ grad_output: binding(gradOutput), grad_bias: gradBias.buffer }, { O, HW: H * W }, [Math.ceil(O / 64), 1, 1]);
}
