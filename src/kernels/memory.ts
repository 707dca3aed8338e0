/**
 * GPU memory bookkeeping. Every storage buffer the engine makes goes through a `GpuMemory`, which
 * counts live buffers and bytes (tests check that long runs stay flat) and keeps a free list so
 * released buffers of the same size are reused instead of reallocated.
 *
 * Ownership rule: whoever calls `acquire` owns the buffer until it calls `release` (back to the
 * pool) — `destroyAll` frees everything, pooled or not.
 */

/** STORAGE | COPY_SRC | COPY_DST (numeric values fixed by the WebGPU spec, so no global is needed). */
export const STORAGE_USAGE = 0x0080 | 0x0004 | 0x0008;

export interface MemoryStats {
  /** Buffers created and not destroyed (in use or pooled). */
  liveBuffers: number;
  liveBytes: number;
  /** Buffers currently handed out (not in the free list). */
  inUseBuffers: number;
  peakBytes: number;
  /** Params (uniform) buffers of dispatches not yet destroyed. */
  uniformBuffers: number;
}

export class GpuMemory {
  private free = new Map<number, GPUBuffer[]>();
  private live = new Set<GPUBuffer>();
  private inUse = new Set<GPUBuffer>();
  private bytes = 0;
  private peak = 0;
  /** Incremented/decremented by kernels' dispatches (see ComputeKernel.bind / Dispatch.destroy). */
  uniformBuffers = 0;

  constructor(readonly device: GPUDevice) {}

  /** A storage buffer of at least `byteLength` bytes (rounded up to 16), reused from the pool if possible. */
  acquire(byteLength: number, label = 'tensor'): GPUBuffer {
    if (!Number.isFinite(byteLength) || byteLength < 0) throw new Error(`acquire: invalid byte length ${byteLength}`);
    const size = Math.max(16, Math.ceil(byteLength / 16) * 16);
    const maxSize = this.device.limits.maxStorageBufferBindingSize;
    if (size > maxSize) {
      throw new Error(
        `acquire(${label}): ${size} bytes exceeds this device's maxStorageBufferBindingSize (${maxSize}); use a smaller image size.`,
      );
    }
    const list = this.free.get(size);
    const pooled = list?.pop();
    if (pooled) {
      this.inUse.add(pooled);
      return pooled;
    }
    const buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
    this.live.add(buffer);
    this.inUse.add(buffer);
    this.bytes += size;
    this.peak = Math.max(this.peak, this.bytes);
    return buffer;
  }

  /** Give a buffer back to the pool (it stays allocated for reuse). */
  release(buffer: GPUBuffer): void {
    if (!this.inUse.delete(buffer)) throw new Error(`release: buffer "${buffer.label}" is not in use (double release?)`);
    const list = this.free.get(buffer.size) ?? [];
    list.push(buffer);
    this.free.set(buffer.size, list);
  }

  /** Destroy a buffer in use now instead of pooling it (one-off buffers of odd sizes, e.g. an upload made once). */
  discard(buffer: GPUBuffer): void {
    if (!this.inUse.has(buffer)) throw new Error(`discard: buffer "${buffer.label}" is not in use (double release?)`);
    this.destroyOne(buffer);
  }

  /** Destroy pooled (free) buffers, keeping those in use. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) this.destroyOne(b);
    }
    this.free.clear();
  }

  destroyAll(): void {
    for (const b of [...this.live]) this.destroyOne(b);
    this.free.clear();
    this.inUse.clear();
  }

  /** Start measuring the peak again from the bytes allocated now. */
  resetPeak(): void {
    this.peak = this.bytes;
  }

  stats(): MemoryStats {
    return { liveBuffers: this.live.size, liveBytes: this.bytes, inUseBuffers: this.inUse.size, peakBytes: this.peak, uniformBuffers: this.uniformBuffers };
  }

  private destroyOne(b: GPUBuffer): void {
    if (this.live.delete(b)) this.bytes -= b.size;
    this.inUse.delete(b);
    b.destroy();
  }
}
