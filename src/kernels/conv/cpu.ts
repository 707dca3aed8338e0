/**
 * CPU references for the convolution kernels, written for clarity. All arrays are dense row-major,
 * computed in double precision (Float64Array) so they can also drive finite-difference checks.
 * Stride 1, zero padding K/2 ("same"), K odd.
 */
type Arr = ArrayLike<number>;

export function conv2dForwardRef(input: Arr, C: number, H: number, W: number, weight: Arr, bias: Arr, O: number, K: number, relu = false): Float64Array {
  const pad = (K - 1) / 2;
  const out = new Float64Array(O * H * W);
  for (let o = 0; o < O; o++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = bias[o];
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < K; ky++) {
            const iy = y + ky - pad;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < K; kx++) {
              const ix = x + kx - pad;
              if (ix < 0 || ix >= W) continue;
              s += weight[((o * C + c) * K + ky) * K + kx] * input[(c * H + iy) * W + ix];
            }
          }
        }
        out[(o * H + y) * W + x] = relu ? Math.max(0, s) : s;
      }
    }
  }
  return out;
}

/** dL/dinput given dL/doutput (O×H×W) for conv2dForwardRef without ReLU. */
export function conv2dBackwardInputRef(gradOut: Arr, C: number, H: number, W: number, weight: Arr, O: number, K: number): Float64Array {
  const pad = (K - 1) / 2;
  const gin = new Float64Array(C * H * W);
  // Scatter form: every output pixel pushes its gradient back to the inputs it read.
  for (let o = 0; o < O; o++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const g = gradOut[(o * H + y) * W + x];
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < K; ky++) {
            const iy = y + ky - pad;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < K; kx++) {
              const ix = x + kx - pad;
              if (ix < 0 || ix >= W) continue;
              gin[(c * H + iy) * W + ix] += g * weight[((o * C + c) * K + ky) * K + kx];
            }
          }
        }
      }
    }
  }
  return gin;
}

export function conv2dBackwardWeightRef(input: Arr, C: number, H: number, W: number, gradOut: Arr, O: number, K: number): Float64Array {
  const pad = (K - 1) / 2;
  const gw = new Float64Array(O * C * K * K);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < K; ky++) {
        for (let kx = 0; kx < K; kx++) {
          let s = 0;
          for (let y = 0; y < H; y++) {
            const iy = y + ky - pad;
            if (iy < 0 || iy >= H) continue;
            for (let x = 0; x < W; x++) {
              const ix = x + kx - pad;
              if (ix < 0 || ix >= W) continue;
              s += gradOut[(o * H + y) * W + x] * input[(c * H + iy) * W + ix];
            }
          }
          gw[((o * C + c) * K + ky) * K + kx] = s;
        }
      }
    }
  }
  return gw;
}

export function conv2dBackwardBiasRef(gradOut: Arr, O: number, HW: number): Float64Array {
  const gb = new Float64Array(O);
  for (let o = 0; o < O; o++) for (let p = 0; p < HW; p++) gb[o] += gradOut[o * HW + p];
  return gb;
}

/** The OIHW → HWIO (transpose=false) / HWOI (transpose=true) repack, padded to multiples of 8. */
export function repackWeightsRef(weight: Arr, O: number, C: number, K: number, transpose: boolean): Float64Array {
  const rows = transpose ? O : C;
  const P = Math.ceil((transpose ? C : O) / 8) * 8;
  const out = new Float64Array(K * K * rows * P);
  for (let o = 0; o < O; o++)
    for (let c = 0; c < C; c++)
      for (let t = 0; t < K * K; t++) {
        const dst = transpose ? (t * O + o) * P + c : (t * C + c) * P + o;
        out[dst] = weight[(o * C + c) * K * K + t];
      }
  return out;
}
