/** The strided conv's output size (PyTorch's rule) and the checks of its geometry. */

export function checkGeometry(K: number, stride: number, pad: number): void {
  if (!Number.isInteger(K) || K < 1) throw new Error(`strided conv: kernel size K must be an integer ≥ 1, got ${K}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`strided conv: stride must be an integer ≥ 1, got ${stride}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`strided conv: padding must be an integer ≥ 0, got ${pad}`);
}

/** Output length of a K-tap conv at `stride` with `pad` zeros each side over n positions (≤ 0: none). */
export function convLength(n: number, K: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - K) / stride) + 1;
}

/** PyTorch's floor((H + 2·pad − K)/stride) + 1; throws a clear error if < 1. */
export function stridedConvShape(H: number, W: number, K: number, stride: number, pad: number): [number, number] {
  checkGeometry(K, stride, pad);
  if (!Number.isInteger(H) || !Number.isInteger(W) || H < 1 || W < 1) throw new Error(`strided conv: invalid input size ${H}×${W}`);
  if (H + 2 * pad < K || W + 2 * pad < K) {
    throw new Error(`strided conv: a ${H}×${W} map${pad ? ` padded by ${pad}` : ''} is smaller than the ${K}×${K} kernel (no output)`);
  }
  return [convLength(H, K, stride, pad), convLength(W, K, stride, pad)];
}
