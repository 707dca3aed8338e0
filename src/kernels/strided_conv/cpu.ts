/**
 * CPU reference of the strided convolution (any K, stride and zero padding; SqueezeNet 1.1's
 * conv1). Double precision, plain loops, written for clarity; the backward pass in scatter form
 * (each output pushes its gradient to the inputs it read), independent of the GPU kernels' gather.
 */
type Arr = ArrayLike<number>;

/** Conv output size, PyTorch's floor((n + 2·pad − K)/stride) + 1 (0 or less: no output). */
export function convOutSizeRef(n: number, K: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - K) / stride) + 1;
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
