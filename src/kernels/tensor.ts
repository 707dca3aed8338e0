/**
 * A tensor is a GPU buffer plus a shape. Layout is always dense row-major float32:
 * feature maps are CHW (batch 1), conv weights OIHW, vectors 1-D. The buffer may be larger than
 * the tensor (pooled buffers are rounded up); only the first `numel * 4` bytes are meaningful.
 */
export interface Tensor {
  buffer: GPUBuffer;
  shape: readonly number[];
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join('×')}]`;
}

/** Throws unless `t` has exactly `expected` shape; `what` names the argument in the message. */
export function expectShape(what: string, t: Tensor, expected: readonly number[]): void {
  const ok = t.shape.length === expected.length && t.shape.every((d, i) => d === expected[i]);
  if (!ok) throw new Error(`${what}: expected shape ${shapeStr(expected)}, got ${shapeStr(t.shape)}`);
  expectFits(what, t);
}

/** Throws if the buffer cannot hold the tensor's elements. */
export function expectFits(what: string, t: Tensor): void {
  const need = numel(t.shape) * 4;
  if (t.buffer.size < need) {
    throw new Error(`${what}: buffer of ${t.buffer.size} bytes is too small for shape ${shapeStr(t.shape)} (${need} bytes)`);
  }
}

export function expectPositiveInts(what: string, dims: Record<string, number>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${what}: ${k} must be a positive integer, got ${v}`);
  }
}
