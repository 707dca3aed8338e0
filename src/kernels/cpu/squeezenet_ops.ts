/**
 * CPU references for the two ops SqueezeNet 1.1 adds: the general strided convolution (K, stride,
 * zero padding) and K×K/S max pooling in floor or ceil mode. Double precision, plain loops,
 * written for clarity; the backward passes are written in scatter form (each output pushes its
 * gradient to the inputs it read), independent of the GPU kernels' gather form.
 */
type Arr = ArrayLike<number>;

/** Conv output size, PyTorch's floor((n + 2·pad − K)/stride) + 1 (0 or less: no output). */
export function convOutSizeRef(n: number, K: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - K) / stride) + 1;
}

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

/** output[o, yo, xo] = bias[o] + Σ weight[o, c, ky, kx] · input[c, yo·S + ky − P, xo·S + kx − P], then ReLU if relu. */
export function stridedConvForwardRef(
  input: Arr, C: number, H: number, W: number, weight: Arr, bias: Arr, O: number, K: number, stride: number, pad: number, relu = false,
): Float64Array {
  const Ho = convOutSizeRef(H, K, stride, pad), Wo = convOutSizeRef(W, K, stride, pad);
  const out = new Float64Array(O * Ho * Wo);
  for (let o = 0; o < O; o++)
    for (let yo = 0; yo < Ho; yo++)
      for (let xo = 0; xo < Wo; xo++) {
        let s = bias[o];
        for (let c = 0; c < C; c++)
          for (let ky = 0; ky < K; ky++) {
            const y = yo * stride + ky - pad;
            if (y < 0 || y >= H) continue;
            for (let kx = 0; kx < K; kx++) {
              const x = xo * stride + kx - pad;
              if (x < 0 || x >= W) continue;
              s += weight[((o * C + c) * K + ky) * K + kx] * input[(c * H + y) * W + x];
            }
          }
        out[(o * Ho + yo) * Wo + xo] = relu ? Math.max(0, s) : s;
      }
  return out;
}

/** dL/dinput (C×H×W) from dL/doutput (O×Ho×Wo) for stridedConvForwardRef without ReLU (scatter form). */
export function stridedConvBackwardInputRef(gradOut: Arr, C: number, H: number, W: number, weight: Arr, O: number, K: number, stride: number, pad: number): Float64Array {
  const Ho = convOutSizeRef(H, K, stride, pad), Wo = convOutSizeRef(W, K, stride, pad);
  const gin = new Float64Array(C * H * W);
  for (let o = 0; o < O; o++)
    for (let yo = 0; yo < Ho; yo++)
      for (let xo = 0; xo < Wo; xo++) {
        const g = gradOut[(o * Ho + yo) * Wo + xo];
        for (let c = 0; c < C; c++)
          for (let ky = 0; ky < K; ky++) {
            const y = yo * stride + ky - pad;
            if (y < 0 || y >= H) continue;
            for (let kx = 0; kx < K; kx++) {
              const x = xo * stride + kx - pad;
              if (x < 0 || x >= W) continue;
              gin[(c * H + y) * W + x] += g * weight[((o * C + c) * K + ky) * K + kx];
            }
          }
      }
  return gin;
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
