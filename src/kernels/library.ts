/**
 * The kernels of one device, compiled on first use and cached, plus the helpers every op needs:
 * upload, readback, and running a list of dispatches in one command encoder.
 */
import { assertAlive, DeviceLostError, type GpuContext } from './context.js';
import { ComputeKernel, type Dispatch } from './kernel.js';
import { GpuMemory } from './memory.js';
import { SHADERS, type KernelName } from './shaders.js';
import { numel, shapeStr, type Tensor } from './tensor.js';
import { Planner } from './plan.js';

export class KernelLibrary {
  private cache = new Map<KernelName, ComputeKernel>();
  readonly memory: GpuMemory;
  /**
   * The planner graphs built on this handle plan from: this device's fixed table (frozen: nothing
   * changes it), or the one given to `withPlanner`.
   */
  readonly planner: Planner;

  constructor(readonly ctx: GpuContext) {
    this.memory = new GpuMemory(ctx.device);
    this.planner = new Planner(ctx.info);
  }

  /** A handle on the same device, kernels and memory that plans from `planner` (tuned, forced or lean; see plan.ts). */
  withPlanner(planner: Planner): KernelLibrary {
    const view = Object.create(this) as KernelLibrary;
    Object.defineProperty(view, 'planner', { value: planner, enumerable: true });
    return view;
  }

  kernel(name: KernelName): ComputeKernel {
    let k = this.cache.get(name);
    if (!k) {
      const source = SHADERS[name];
      if (!source) throw new Error(`unknown kernel "${name}"`);
      // the subgroup versions (conv 7 and 8, Gram forward 5, backward 3) on a device without subgroups
      if (/^enable subgroups;/m.test(source) && !this.ctx.info.subgroups) {
        throw new Error(`kernel "${name}" needs the WebGPU "subgroups" feature with at least 4 lanes, which this device does not have (use a version without subgroups)`);
      }
      k = new ComputeKernel(this.ctx, name, source, this.memory);
      this.cache.set(name, k);
    }
    return k;
  }

  /** A pooled tensor of the given shape (contents undefined). Release with `release`. */
  tensor(shape: readonly number[], label = 'tensor'): Tensor {
    if (shape.some((d) => !Number.isInteger(d) || d <= 0)) throw new Error(`tensor(${label}): invalid shape ${shapeStr(shape)}`);
    return { buffer: this.memory.acquire(numel(shape) * 4, label), shape: [...shape] };
  }

  release(...tensors: Tensor[]): void {
    for (const t of tensors) this.memory.release(t.buffer);
  }

  /** Destroy tensors' buffers now rather than pool them (one-off buffers: see GpuMemory.discard). */
  discard(...tensors: Tensor[]): void {
    for (const t of tensors) this.memory.discard(t.buffer);
  }

  upload(shape: readonly number[], data: ArrayLike<number>, label = 'upload'): Tensor {
    if (data.length !== numel(shape)) throw new Error(`upload(${label}): ${data.length} values for shape ${shapeStr(shape)} (${numel(shape)})`);
    const t = this.tensor(shape, label);
    this.write(t, data);
    return t;
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    if (arr.length > numel(t.shape)) throw new Error(`write: ${arr.length} values into tensor of shape ${shapeStr(t.shape)}`);
    this.ctx.device.queue.writeBuffer(t.buffer, 0, arr.buffer, arr.byteOffset, arr.byteLength);
  }

  /** Encode all dispatches into one compute pass and submit. */
  run(dispatches: readonly Dispatch[]): void {
    assertAlive(this.ctx);
    const encoder = this.ctx.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of dispatches) d.encode(pass);
    pass.end();
    this.ctx.device.queue.submit([encoder.finish()]);
  }

  /** Copy `count` floats from a tensor (default all) back to the CPU. */
  async read(t: Tensor, count = numel(t.shape), offset = 0): Promise<Float32Array> {
    return new Float32Array(await this.readBytes(t.buffer, count * 4, offset * 4));
  }

  async readBytes(buffer: GPUBuffer, byteLength: number, byteOffset = 0): Promise<ArrayBuffer> {
    assertAlive(this.ctx);
    const size = Math.ceil(byteLength / 4) * 4;
    const staging = this.ctx.device.createBuffer({ size: Math.max(4, size), usage: 0x0001 | 0x0008 /* MAP_READ | COPY_DST */ });
    const encoder = this.ctx.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, byteOffset, staging, 0, size);
    this.ctx.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(1 /* GPUMapMode.READ */);
      // the work before this read is done: an error it raised has been reported by now
      assertAlive(this.ctx);
      return staging.getMappedRange().slice(0, byteLength);
    } catch (e) {
      // a lost device rejects pending maps; say so rather than surfacing "AbortError"
      const lost = await Promise.race([this.ctx.lost.then((i) => `${i.reason}: ${i.message}`), new Promise<null>((r) => setTimeout(() => r(null), 100))]);
      if (lost !== null) throw new DeviceLostError(lost);
      throw e;
    } finally {
      staging.destroy();
    }
  }

  destroy(): void {
    this.memory.destroyAll();
  }
}

/** Kept here for callers of the library's module (it lives in run_once.ts, outside the planner's import circle). */
export { runOnce } from './run_once.js';
