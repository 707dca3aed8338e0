/**
 * A compiled WGSL compute shader whose host-side interface is read from the shader itself with
 * wgsl_reflect: binding names and numbers, read-only vs read-write storage, the uniform `params`
 * struct's member offsets, the workgroup size. Host code binds buffers *by the WGSL variable name*
 * and params *by struct member name*; a missing or unknown name is an error, so host and shader
 * cannot silently disagree.
 */
import { WgslReflect, ResourceType } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { GpuContext } from './context.js';

export interface BindingInfo {
  name: string;
  binding: number;
  kind: 'uniform' | 'read-only-storage' | 'storage';
}

export interface ParamInfo {
  name: string;
  offset: number;
  type: 'u32' | 'i32' | 'f32';
}

export interface KernelInterface {
  name: string;
  entryPoint: string;
  workgroupSize: [number, number, number];
  bindings: BindingInfo[];
  /** Members of the uniform struct (the binding named `params`), or empty if the shader has none. */
  params: ParamInfo[];
  paramsSize: number;
}

/** Reflect a WGSL compute shader (pure: usable without a GPU, e.g. in the kernel explorer). */
export function reflectKernel(name: string, source: string): KernelInterface {
  const reflect = new WgslReflect(source);
  const entries = reflect.entry.compute;
  if (entries.length !== 1) throw new Error(`${name}: expected exactly one @compute entry point, found ${entries.length}`);
  const entry = entries[0];
  const ws = entry.workgroupSize ?? [1, 1, 1];
  const bindings: BindingInfo[] = [];
  let params: ParamInfo[] = [];
  let paramsSize = 0;
  for (const v of entry.resources) {
    if (v.group !== 0) throw new Error(`${name}: binding "${v.name}" uses group ${v.group}; kernels use group 0 only`);
    if (v.resourceType === ResourceType.Uniform) {
      bindings.push({ name: v.name, binding: v.binding, kind: 'uniform' });
      if (v.name !== 'params') throw new Error(`${name}: the uniform binding must be named "params", found "${v.name}"`);
      paramsSize = v.size;
      params = (v.members ?? []).map((m) => {
        const t = m.type.name;
        if (t !== 'u32' && t !== 'i32' && t !== 'f32') throw new Error(`${name}: params.${m.name} has type ${t}; only u32/i32/f32 scalars are supported`);
        return { name: m.name, offset: m.offset, type: t };
      });
    } else if (v.resourceType === ResourceType.Storage) {
      bindings.push({ name: v.name, binding: v.binding, kind: v.access === 'read' ? 'read-only-storage' : 'storage' });
    } else {
      throw new Error(`${name}: unsupported resource "${v.name}"`);
    }
  }
  bindings.sort((a, b) => a.binding - b.binding);
  return { name, entryPoint: entry.name, workgroupSize: [ws[0], ws[1] ?? 1, ws[2] ?? 1], bindings, params, paramsSize };
}

export type Params = Record<string, number>;

export class ComputeKernel {
  readonly iface: KernelInterface;
  private readonly pipeline: GPUComputePipeline;
  private readonly layout: GPUBindGroupLayout;

  constructor(
    readonly ctx: GpuContext,
    readonly name: string,
    readonly source: string,
    /** Counts the small params buffers each dispatch makes (so leak tests see them too). */
    readonly uniformCounter: { uniformBuffers: number } = { uniformBuffers: 0 },
  ) {
    this.iface = reflectKernel(name, source);
    const device = ctx.device;
    this.layout = device.createBindGroupLayout({
      label: name,
      entries: this.iface.bindings.map((b) => ({
        binding: b.binding,
        visibility: 4 /* GPUShaderStage.COMPUTE */,
        buffer: { type: b.kind },
      })),
    });
    const module = device.createShaderModule({ label: name, code: source });
    this.pipeline = device.createComputePipeline({
      label: name,
      layout: device.createPipelineLayout({ bindGroupLayouts: [this.layout] }),
      compute: { module, entryPoint: this.iface.entryPoint },
    });
  }

  get workgroupSize(): [number, number, number] {
    return this.iface.workgroupSize;
  }

  /**
   * Prepare a dispatch: bind buffers by WGSL name, write the params uniform. The result can be
   * encoded any number of times (record once, replay every optimisation step).
   */
  bind(buffers: Record<string, GPUBuffer | GPUBufferBinding>, params: Params, workgroups: readonly [number, number, number]): Dispatch {
    const device = this.ctx.device;
    const names = new Set(Object.keys(buffers));
    let uniform: GPUBuffer | null = null;
    const entries: GPUBindGroupEntry[] = [];
    for (const b of this.iface.bindings) {
      if (b.kind === 'uniform') {
        uniform = device.createBuffer({ label: `${this.name}.params`, size: Math.max(16, this.iface.paramsSize), usage: 0x40 | 0x8 /* UNIFORM | COPY_DST */ });
        this.uniformCounter.uniformBuffers++;
        entries.push({ binding: b.binding, resource: { buffer: uniform } });
        continue;
      }
      const buf = buffers[b.name];
      if (!buf) throw new Error(`${this.name}: no buffer given for binding "${b.name}" (shader expects: ${this.bufferNames().join(', ')})`);
      names.delete(b.name);
      entries.push({ binding: b.binding, resource: 'buffer' in buf ? buf : { buffer: buf } });
    }
    if (names.size > 0) throw new Error(`${this.name}: unknown binding(s) ${[...names].join(', ')} (shader expects: ${this.bufferNames().join(', ')})`);
    const maxGroups = this.ctx.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups.some((n) => !Number.isInteger(n) || n < 0 || n > maxGroups)) {
      throw new Error(`${this.name}: workgroup count [${workgroups.join(', ')}] is invalid (max ${maxGroups} per dimension)`);
    }
    const bindGroup = device.createBindGroup({ label: this.name, layout: this.layout, entries });
    const d = new Dispatch(this, bindGroup, uniform, workgroups);
    d.setParams(params);
    return d;
  }

  packParams(params: Params): ArrayBuffer {
    const data = new ArrayBuffer(Math.max(16, this.iface.paramsSize));
    const view = new DataView(data);
    const given = new Set(Object.keys(params));
    for (const p of this.iface.params) {
      if (p.name.startsWith('_')) continue; // explicit padding members stay zero
      const v = params[p.name];
      if (v === undefined) throw new Error(`${this.name}: missing param "${p.name}" (shader params: ${this.iface.params.map((q) => q.name).join(', ')})`);
      given.delete(p.name);
      if (p.type === 'f32') view.setFloat32(p.offset, v, true);
      else if (p.type === 'u32') {
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${this.name}: param ${p.name}=${v} is not a u32`);
        view.setUint32(p.offset, v, true);
      } else {
        if (!Number.isInteger(v)) throw new Error(`${this.name}: param ${p.name}=${v} is not an i32`);
        view.setInt32(p.offset, v, true);
      }
    }
    if (given.size > 0) throw new Error(`${this.name}: unknown param(s) ${[...given].join(', ')}`);
    return data;
  }

  private bufferNames(): string[] {
    return this.iface.bindings.filter((b) => b.kind !== 'uniform').map((b) => b.name);
  }

  encode(pass: GPUComputePassEncoder, bindGroup: GPUBindGroup, workgroups: readonly [number, number, number]): void {
    if (workgroups[0] * workgroups[1] * workgroups[2] === 0) return;
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
  }
}

/** A bound, ready-to-encode kernel invocation. Owns its small uniform buffer. */
export class Dispatch {
  constructor(
    readonly kernel: ComputeKernel,
    readonly bindGroup: GPUBindGroup,
    readonly uniform: GPUBuffer | null,
    readonly workgroups: readonly [number, number, number],
  ) {}

  setParams(params: Params): void {
    if (!this.uniform) {
      if (Object.keys(params).length > 0) throw new Error(`${this.kernel.name}: shader has no params but got ${Object.keys(params).join(', ')}`);
      return;
    }
    this.kernel.ctx.device.queue.writeBuffer(this.uniform, 0, this.kernel.packParams(params));
  }

  encode(pass: GPUComputePassEncoder): void {
    this.kernel.encode(pass, this.bindGroup, this.workgroups);
  }

  private destroyed = false;

  /** Free the params buffer (idempotent). */
  destroy(): void {
    if (this.destroyed || !this.uniform) return;
    this.destroyed = true;
    this.uniform.destroy();
    this.kernel.uniformCounter.uniformBuffers--;
  }
}

/** Workgroup grid for `n` independent items, `perGroup` items per workgroup; spills into y past the per-dimension limit. */
export function grid1d(n: number, perGroup: number, maxPerDim = 65535): [number, number, number] {
  const groups = Math.ceil(n / perGroup);
  if (groups <= maxPerDim) return [groups, 1, 1];
  return [maxPerDim, Math.ceil(groups / maxPerDim), 1];
}
