/**
 * Host side of the convolution kernels (shaders/conv/*.wgsl): shape checks and dispatch shapes.
 * Convolutions are stride 1 with "same" zero padding K/2, K odd (VGG uses K = 3).
 */
import type { Dispatch } from './kernel.js';
import { grid1d } from './kernel.js';
import { runOnce, type KernelLibrary } from './library.js';
import { expectPositiveInts, expectShape, numel, type Tensor } from './tensor.js';

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

export const ceil8 = (n: number) => Math.ceil(n / 8) * 8;
export const ceil16 = (n: number) => Math.ceil(n / 16) * 16;

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
    repack.bind({ weight: weight.buffer, packed: packedForward.buffer }, { O, C, K, transpose: 0, P: ceil8(O) }, grid1d(K * K * C * ceil8(O), 64)),
  ];
  let packedBackward: Tensor | null = null;
  if (withBackward) {
    packedBackward = lib.tensor([K, K, O, ceil8(C)], 'conv.packedBackward');
    dispatches.push(
      repack.bind({ weight: weight.buffer, packed: packedBackward.buffer }, { O, C, K, transpose: 1, P: ceil8(C) }, grid1d(K * K * O * ceil8(C), 64)),
    );
  }
  runOnce(lib, dispatches);
  return { O, C, K, weight, bias, packedForward, packedBackward };
}

/**
 * Invocations a GPU conv should have before splitting stops (measured on an H100 with 32k).
 * Untested idea: each invocation holds ~100 registers, so 64k invocations keep only ~16 warps per
 * SM of an H100 busy; a larger target might speed up blocks 3–4 at the cost of sum passes.
 */
export const CONV_TARGET_INVOCATIONS = 32768;

/**
 * How many split-K slices a conv should use: one on software adapters (two CPU cores are busy
 * anyway); on GPUs, enough slices of the reduction to reach CONV_TARGET_INVOCATIONS when the
 * layer has few pixels or channels, each slice keeping at least 32 channels.
 */
export function convSplits(lib: KernelLibrary, HW: number, outChannels: number, reduceChannels: number, target = CONV_TARGET_INVOCATIONS): number {
  if (lib.ctx.info.isSoftware) return 1;
  const invocations = Math.ceil(HW / 8) * (ceil8(outChannels) / 8);
  if (invocations >= target) return 1;
  return Math.max(1, Math.min(32, Math.ceil(target / invocations), Math.floor(reduceChannels / 32)));
}

/**
 * Which kernel version runs a conv: "rows" (conv/v3_rows, version 2: 8 pixels of one row per
 * invocation, inputs reused across the three column taps) or "reference" (conv/v1_forward /
 * conv/v1_backward_input, version 1: 8 flattened pixels, any odd K), or "rows_vec4" (version 3:
 * version 2 with the row read as aligned vec4s, for W % 4 = 0), or "winograd" (version 4:
 * Winograd F(2×2, 3×3) as input transform, 16 matrix products and output transform, 2.25× fewer
 * multiplies; 3×3 only). "auto" picks per adapter:
 * on GPUs for 3×3 kernels on maps at least 8 wide, version 3 where W % 4 = 0, else version 2
 * (H100: v1 8–12, v2 17–20, v3 19–23 TFLOP/s; Winograd not measured there yet). On software
 * adapters Winograd for 3×3 kernels where the map has at least WINOGRAD_MIN_TILES 2×2 tiles, else
 * "flat16" (conv/v2_flat16: version 1 with 16 output channels per invocation, any K) where the
 * channels pad to a multiple of 16, else version 1 (SwiftShader, 2 cores: v1 3.8–4.1, flat16
 * 4.2–4.9, v2 3.5–3.7 GFLOP/s; Winograd: see bench/results/HISTORY.md).
 */
export type ConvVariant = 'auto' | 'reference' | 'flat16' | 'rows' | 'rows_vec4' | 'winograd';

/**
 * Fewest 2×2 output tiles for which "auto" picks Winograd on software adapters: its GEMM works on
 * 8 tiles at a time, so below 4 more than half of that work is padding (SwiftShader, 512→512
 * convs: at 4×4 maps, 4 tiles, Winograd 19 ms vs flat16 33 ms).
 */
export const WINOGRAD_MIN_TILES = 4;

export function convVariant(requested: ConvVariant, K: number, W: number, software = false, outChannels = 8, H = W): Exclude<ConvVariant, 'auto'> {
  if (requested === 'reference') return 'reference';
  if (requested === 'winograd') {
    if (K !== 3) throw new Error(`conv variant "winograd" needs a 3×3 kernel, got K=${K}`);
    return 'winograd';
  }
  const wide = ceil8(outChannels) % 16 === 0;
  if (requested === 'flat16') {
    if (!wide) throw new Error(`conv variant "flat16" needs output channels that pad to a multiple of 16, got ${outChannels}`);
    return 'flat16';
  }
  const fits = K === 3 && W >= 8;
  if (requested !== 'auto' && !fits) throw new Error(`conv variant "${requested}" needs a 3×3 kernel and a map at least 8 wide (got K=${K}, W=${W})`);
  if (requested === 'rows_vec4' && W % 4 !== 0) throw new Error(`conv variant "rows_vec4" needs a width that is a multiple of 4, got ${W}`);
  if (requested !== 'auto') return requested;
  if (software) {
    if (K === 3 && WINOGRAD_ON_SOFTWARE && winogradTiles(H, W).P >= WINOGRAD_MIN_TILES) return 'winograd';
    return wide && FLAT16_ON_SOFTWARE ? 'flat16' : 'reference';
  }
  if (!fits) return 'reference';
  return W % 4 === 0 ? 'rows_vec4' : 'rows';
}

/** Whether software adapters use Winograd convs where the map is large enough. */
const WINOGRAD_ON_SOFTWARE = true;

/** Winograd F(2×2, 3×3) tiling of an H×W map: TW tiles per row, P tiles, P8 = P padded to 8. */
export function winogradTiles(H: number, W: number): { TW: number; P: number; P8: number } {
  const TW = Math.ceil(W / 2);
  const P = Math.ceil(H / 2) * TW;
  return { TW, P, P8: ceil8(P) };
}

/**
 * Scratch buffers a conv may need, each shared freely between convs that run one after another:
 * split-K partial sums, or Winograd's transformed input (16×R×P8) and products (16×N×P8).
 */
export interface ConvScratch {
  slices?: Tensor;
  winogradData?: Tensor;
  winogradProducts?: Tensor;
}

/** How one conv direction will run: its kernel version, split count and scratch sizes in floats. */
export interface ConvPlan {
  variant: Exclude<ConvVariant, 'auto'>;
  splits: number;
  slices: number;
  winogradData: number;
  winogradProducts: number;
}

/**
 * Floats a Winograd scratch buffer may hold by default: larger maps are transformed and multiplied
 * in chunks of tiles (at 512², conv1_2's transformed input would be 268 MB in one piece).
 */
export const WINOGRAD_CHUNK_FLOATS = 4 * 2 ** 20;

/** Tiles (whole blocks of 8) whose Winograd buffer, 16 values per tile and channel, fits in `floats`. */
const tilesFitting = (floats: number, channels: number) => Math.floor(floats / (16 * channels) / 8) * 8;

/**
 * Plan a conv that reduces R channels into N over an H×W map (forward: R = C, N = O; backward to
 * input: R = O, N = C). Winograd convs never split; their scratch holds one chunk of tiles.
 */
export function planConv(lib: KernelLibrary, R: number, N: number, K: number, H: number, W: number, variant: ConvVariant = 'auto'): ConvPlan {
  const v = convVariant(variant, K, W, lib.ctx.info.isSoftware, N, H);
  if (v === 'winograd') {
    const tiles = Math.max(8, Math.min(winogradTiles(H, W).P8, tilesFitting(WINOGRAD_CHUNK_FLOATS, Math.max(R, N))));
    return { variant: v, splits: 1, slices: 0, winogradData: 16 * R * tiles, winogradProducts: 16 * N * tiles };
  }
  const splits = convSplits(lib, H * W, N, R);
  return { variant: v, splits, slices: convScratchSize(splits, N, H * W), winogradData: 0, winogradProducts: 0 };
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
      { packed: packed.buffer, U: U.buffer },
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
 * the scratch buffers hold (planConv sizes them; smaller buffers give more chunks).
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
      lib.kernel('conv/v5_winograd_input').bind({ input: input.buffer, V: data.buffer }, { C: R, H, W, TW, P, P8: T8, p_begin: begin }, grid1d(R * T8, 64)),
      lib.kernel('conv/v5_winograd_gemm').bind({ U: U.buffer, V: data.buffer, M: products.buffer }, { R, N, N16: ceil16(N), P8: T8 }, [Math.ceil(((T8 / 8) * ceil16(N)) / 16 / 64), 1, 16]),
      lib.kernel('conv/v5_winograd_output').bind(
        { M: products.buffer, bias: (bias ?? products).buffer, output: output.buffer },
        { N, H, W, TW, P8: T8, p_begin: begin, tiles, relu: relu ? 1 : 0, has_bias: bias ? 1 : 0 },
        grid1d(N * tiles, 64),
      ),
    );
  }
  return ds;
}

/** A conv dispatch in the kernels' terms: C channels reduced, O produced (swapped for backward-input). */
interface ConvDims { C: number; H: number; W: number; O: number; K: number; relu: boolean; chunk: number; partial: boolean; flip: boolean }

/** Whether software adapters use conv/v2_flat16 (16 × 8 blocks) where the channels allow. */
const FLAT16_ON_SOFTWARE = true;

function flat16Conv(
  lib: KernelLibrary,
  input: Tensor,
  packed: Tensor,
  bias: Tensor | null,
  output: Tensor,
  d: ConvDims,
): Dispatch {
  const groups: [number, number, number] = [Math.ceil(Math.ceil((d.H * d.W) / 8) / 64), ceil8(d.O) / 16, Math.ceil(d.C / d.chunk)];
  return lib.kernel('conv/v2_flat16').bind(
    { input: input.buffer, weight: packed.buffer, bias: (bias ?? packed).buffer, output: output.buffer },
    { C: d.C, H: d.H, W: d.W, O: d.O, K: d.K, O8: ceil8(d.O), relu: d.relu ? 1 : 0, c_chunk: d.chunk, partial: d.partial ? 1 : 0, flip: d.flip ? 1 : 0, has_bias: bias ? 1 : 0 },
    groups,
  );
}

const ROWS_KERNEL = { rows: 'conv/v3_rows', rows_vec4: 'conv/v4_rows_vec4' } as const;

function rowsConv(
  lib: KernelLibrary,
  input: Tensor,
  packed: Tensor,
  bias: Tensor | null,
  output: Tensor,
  d: ConvDims,
  kernel: (typeof ROWS_KERNEL)[keyof typeof ROWS_KERNEL],
): Dispatch {
  const groups: [number, number, number] = [Math.ceil((d.H * Math.ceil(d.W / 8)) / 64), ceil8(d.O) / 8, Math.ceil(d.C / d.chunk)];
  return lib.kernel(kernel).bind(
    { input: input.buffer, weight: packed.buffer, bias: (bias ?? packed).buffer, output: output.buffer },
    { C: d.C, H: d.H, W: d.W, O: d.O, O8: ceil8(d.O), relu: d.relu ? 1 : 0, c_chunk: d.chunk, partial: d.partial ? 1 : 0, flip: d.flip ? 1 : 0, has_bias: bias ? 1 : 0 },
    groups,
  );
}

/**
 * A conv through flat16 / rows / rows_vec4 (both directions; `d` in the kernel's terms: C reduced,
 * O produced), plus the slice sum when split.
 */
function versionedConv(
  lib: KernelLibrary,
  v: 'flat16' | 'rows' | 'rows_vec4',
  input: Tensor,
  packed: Tensor,
  bias: Tensor | null,
  output: Tensor,
  slices: Tensor | undefined,
  d: ConvDims,
): Dispatch[] {
  const out = d.partial ? slices! : output;
  const conv = v === 'flat16' ? flat16Conv(lib, input, packed, bias, out, d) : rowsConv(lib, input, packed, bias, out, d, ROWS_KERNEL[v]);
  return d.partial ? [conv, sumSlices(lib, slices!, Math.ceil(d.C / d.chunk), d.O, d.H * d.W, output, bias, d.relu)] : [conv];
}

/** Scratch floats a split conv needs (0 if it does not split). */
export function convScratchSize(splits: number, channels: number, HW: number): number {
  return splits > 1 ? splits * channels * HW : 0;
}

function splitCheck(what: string, splits: number, scratch: Tensor | undefined, need: number): void {
  if (!Number.isInteger(splits) || splits < 1) throw new Error(`${what}: invalid split count ${splits}`);
  if (splits > 1 && (!scratch || numel(scratch.shape) < need)) throw new Error(`${what}: ${splits} slices need a scratch tensor of ${need} floats`);
}

/**
 * output = conv(input, weight) + bias, then ReLU if `relu`. input C×H×W → output O×H×W.
 * With splits > 1 (see convSplits) the reduction over C is split across workgroups into
 * `scratch.slices` and summed by a second dispatch. Winograd convs (see convVariant) use
 * `scratch.winogradData` and `scratch.winogradProducts` instead and never split; planConv gives
 * the sizes.
 */
export function conv2dForward(lib: KernelLibrary, input: Tensor, w: ConvWeights, output: Tensor, relu: boolean, scratch?: ConvScratch, splits = 1, variant: ConvVariant = 'auto'): Dispatch[] {
  const { C, H, W } = convDims('conv2dForward: input', input);
  if (C !== w.C) throw new Error(`conv2dForward: input has ${C} channels but the weights expect ${w.C}`);
  expectShape('conv2dForward: output', output, [w.O, H, W]);
  const v = convVariant(variant, w.K, W, lib.ctx.info.isSoftware, w.O, H);
  if (v === 'winograd') {
    if (splits !== 1) throw new Error(`conv2dForward: Winograd convs${variant === 'auto' ? ' (what "auto" picks on this adapter)' : ''} do not split: use splits = 1 or a direct version`);
    return winogradConv(lib, input, winogradFilters(lib, w, 'forward'), w.bias, output, C, w.O, H, W, relu, scratch);
  }
  const S = Math.min(splits, C);
  splitCheck('conv2dForward', S, scratch?.slices, convScratchSize(S, w.O, H * W));
  const chunk = Math.ceil(C / S);
  const groups: [number, number, number] = [Math.ceil(Math.ceil((H * W) / 8) / 64), ceil8(w.O) / 8, Math.ceil(C / chunk)];
  if (v !== 'reference') {
    return versionedConv(lib, v, input, w.packedForward, w.bias, output, scratch?.slices, { C, H, W, O: w.O, K: w.K, relu, chunk, partial: S > 1, flip: false });
  }
  const conv = lib.kernel('conv/v1_forward').bind(
    { input: input.buffer, weight: w.packedForward.buffer, bias: w.bias.buffer, output: (S > 1 ? scratch!.slices! : output).buffer },
    { C, H, W, O: w.O, K: w.K, O8: ceil8(w.O), relu: relu ? 1 : 0, c_chunk: chunk, partial: S > 1 ? 1 : 0 },
    groups,
  );
  if (S === 1) return [conv];
  return [conv, sumSlices(lib, scratch!.slices!, groups[2], w.O, H * W, output, w.bias, relu)];
}

function sumSlices(lib: KernelLibrary, partial: Tensor, slices: number, O: number, HW: number, output: Tensor, bias: Tensor | null, relu: boolean): Dispatch {
  return lib.kernel('conv/sum_slices').bind(
    { partial: partial.buffer, bias: (bias ?? partial).buffer, output: output.buffer },
    { O, HW, slices, relu: relu ? 1 : 0, has_bias: bias ? 1 : 0 },
    grid1d(O * HW, 256),
  );
}

/** grad_input (C×H×W) from grad_output (O×H×W): the flipped, transposed convolution (split over O like the forward over C). */
export function conv2dBackwardInput(lib: KernelLibrary, gradOutput: Tensor, w: ConvWeights, gradInput: Tensor, scratch?: ConvScratch, splits = 1, variant: ConvVariant = 'auto'): Dispatch[] {
  const { C: O, H, W } = convDims('conv2dBackwardInput: grad_output', gradOutput);
  if (O !== w.O) throw new Error(`conv2dBackwardInput: grad_output has ${O} channels but the weights have ${w.O} outputs`);
  if (!w.packedBackward) throw new Error('conv2dBackwardInput: weights were packed without backward support');
  expectShape('conv2dBackwardInput: grad_input', gradInput, [w.C, H, W]);
  const v = convVariant(variant, w.K, W, lib.ctx.info.isSoftware, w.C, H);
  if (v === 'winograd') {
    if (splits !== 1) throw new Error(`conv2dBackwardInput: Winograd convs${variant === 'auto' ? ' (what "auto" picks on this adapter)' : ''} do not split: use splits = 1 or a direct version`);
    return winogradConv(lib, gradOutput, winogradFilters(lib, w, 'backward'), null, gradInput, O, w.C, H, W, false, scratch);
  }
  const S = Math.min(splits, O);
  splitCheck('conv2dBackwardInput', S, scratch?.slices, convScratchSize(S, w.C, H * W));
  const chunk = Math.ceil(O / S);
  const groups: [number, number, number] = [Math.ceil(Math.ceil((H * W) / 8) / 64), ceil8(w.C) / 8, Math.ceil(O / chunk)];
  if (v !== 'reference') {
    return versionedConv(lib, v, gradOutput, w.packedBackward, null, gradInput, scratch?.slices, { C: O, H, W, O: w.C, K: w.K, relu: false, chunk, partial: S > 1, flip: true });
  }
  const conv = lib.kernel('conv/v1_backward_input').bind(
    { grad_output: gradOutput.buffer, weight: w.packedBackward.buffer, grad_input: (S > 1 ? scratch!.slices! : gradInput).buffer },
    { C: w.C, H, W, O: w.O, K: w.K, C8: ceil8(w.C), o_chunk: chunk },
    groups,
  );
  if (S === 1) return [conv];
  return [conv, sumSlices(lib, scratch!.slices!, groups[2], w.C, H * W, gradInput, null, false)];
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
    { input: input.buffer, grad_output: gradOutput.buffer, grad_weight: gradWeight.buffer },
    { C, H, W, O, K },
    grid1d(O * C * K * K, 64),
  );
}

/** grad_bias (O) = per-channel sum of grad_output (O×H×W). */
export function conv2dBackwardBias(lib: KernelLibrary, gradOutput: Tensor, gradBias: Tensor): Dispatch {
  const { C: O, H, W } = convDims('conv2dBackwardBias: grad_output', gradOutput);
  expectShape('conv2dBackwardBias: grad_bias', gradBias, [O]);
  return lib.kernel('conv/backward_bias').bind({ grad_output: gradOutput.buffer, grad_bias: gradBias.buffer }, { O, HW: H * W }, [Math.ceil(O / 64), 1, 1]);
}
