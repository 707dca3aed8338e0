/**
 * CPU reference for K×K/S max pooling in floor or ceil mode (SqueezeNet 1.1's pooling; its strided
 * conv's reference is src/kernels/strided_conv/cpu.ts). Double precision, plain loops, written for
 * clarity; the backward pass in scatter form (each window pushes its gradient to its arg-max),
 * independent of the GPU kernel's form.
 */
type Arr = ArrayLike<number>;

/**
 * Pooling output size as PyTorch's pooling_output_shape (padding 0, dilation 1):
 * div_rtn(n − K + (ceil ? stride − 1 : 0), stride) + 1, and in ceil mode one less if the last
 * window would start at or past the end of the input.
 */
export function poolOutSizeRef(n: number, K: number, stride: number, ceil: boolean): number {
  let out = Math.floor((n - K + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= n) out--;
  return out;
}

/** Flat indices (within channel c's map, row-major) of window (yo, xo), clipped to the map. */
function windowIndices(H: number, W: number, K: number, stride: number, yo: number, xo: number): number[] {
  const idx: number[] = [];
  for (let y = yo * stride; y < Math.min(yo * stride + K, H); y++) for (let x = xo * stride; x < Math.min(xo * stride + K, W); x++) idx.push(y * W + x);
  return idx;
}

/** K×K/stride max pooling, no padding, floor or ceil mode; windows past the edge are clipped. */
export function maxPoolWindowForwardRef(x: Arr, C: number, H: number, W: number, K: number, stride: number, ceil: boolean): Float64Array {
  const Ho = poolOutSizeRef(H, K, stride, ceil), Wo = poolOutSizeRef(W, K, stride, ceil);
  const out = new Float64Array(C * Ho * Wo);
  for (let c = 0; c < C; c++)
    for (let yo = 0; yo < Ho; yo++)
      for (let xo = 0; xo < Wo; xo++) {
        let m = -Infinity;
        for (const i of windowIndices(H, W, K, stride, yo, xo)) m = Math.max(m, x[c * H * W + i]);
        out[(c * Ho + yo) * Wo + xo] = m;
      }
  return out;
}

/** Gradient of maxPoolWindowForwardRef: each window's gradient goes to its first maximum (row-major). */
export function maxPoolWindowBackwardRef(x: Arr, C: number, H: number, W: number, K: number, stride: number, ceil: boolean, g: Arr): Float64Array {
  const Ho = poolOutSizeRef(H, K, stride, ceil), Wo = poolOutSizeRef(W, K, stride, ceil);
  const gin = new Float64Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let yo = 0; yo < Ho; yo++)
      for (let xo = 0; xo < Wo; xo++) {
        const idx = windowIndices(H, W, K, stride, yo, xo).map((i) => c * H * W + i);
        let arg = idx[0];
        for (const i of idx) if (x[i] > x[arg]) arg = i; // strict: the first maximum wins ties
        gin[arg] += g[(c * Ho + yo) * Wo + xo];
      }
  return gin;
}
