/**
 * A tensor is a GPU buffer plus a shape. Layout is always dense row-major float32:
 * feature maps are CHW (batch 1), conv weights OIHW, vectors 1-D. The buffer may be larger than
 * the tensor (pooled buffers are rounded up); only the first `numel * 4` bytes are meaningful.
 */
export interface Tensor {
  buffer: GPUBuffer;
  shape: readonly number[];
  /**
   * A view into part of `buffer` starting at this byte offset (see channelView); kernels that
   * accept views bind it with `binding(t)`. Absent: the tensor starts at byte 0.
   */
  offset?: number;
}

/** What a kernel binds for `t`: the whole buffer, or the view's byte range. */
export function binding(t: Tensor): GPUBuffer | GPUBufferBinding {
  return t.offset === undefined ? t.buffer : { buffer: t.buffer, offset: t.offset, size: numel(t.shape) * 4 };
}

/**
 * Channels [c0, c0 + channels) of a C×H×W tensor as a tensor of its own, sharing the buffer: no
 * copy (SqueezeNet's Fire modules write their two expand convs side by side this way, which is
 * the channel concatenation). WebGPU binds storage at multiples of `alignment` bytes
 * (minStorageBufferOffsetAlignment, 256 on most devices), so c0·H·W·4 must be one.
 */
export function channelView(t: Tensor, c0: number, channels: number, alignment: number): Tensor {
  const [C, H, W] = t.shape;
  if (t.shape.length !== 3 || c0 < 0 || channels < 1 || c0 + channels > C) throw new Error(`channelView: channels [${c0}, ${c0 + channels}) of a ${shapeStr(t.shape)} tensor`);
  const offset = (t.offset ?? 0) + c0 * H * W * 4;
  if (offset % alignment !== 0) throw new Error(`channelView: channel ${c0} of ${shapeStr(t.shape)} starts at byte ${offset}, not a multiple of the device's ${alignment}-byte binding alignment`);
  return { buffer: t.buffer, shape: [channels, H, W], offset };
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
  const need = (t.offset ?? 0) + numel(t.shape) * 4;
  if (t.buffer.size < need) {
    throw new Error(`${what}: buffer of ${t.buffer.size} bytes is too small for shape ${shapeStr(t.shape)} (${need} bytes)`);
  }
}

export function expectPositiveInts(what: string, dims: Record<string, number>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${what}: ${k} must be a positive integer, got ${v}`);
  }
}
