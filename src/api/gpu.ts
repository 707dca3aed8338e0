/**
 * Where a library call's GPU comes from: a device the caller made (`device`), a GPU object
 * (`gpu`: navigator.gpu, or the `webgpu` package's `create([])` in Node), the browser's
 * navigator.gpu, or — in Node with nothing given — the optional peer package `webgpu` (Dawn),
 * whose globals (GPUBufferUsage, …) are installed where missing. Errors name the option.
 */
import { createGpuContext, wrapDevice, WebGpuUnavailableError, type GpuContext } from '../kernels/context.js';
import { OptionError } from './errors.js';
import { importAtRuntime, isNode } from './runtime.js';

export interface GpuOptions {
  /** A WebGPU entry point: navigator.gpu, or in Node the `webgpu` package's `create([])`. */
  gpu?: GPU;
  /** A device you made (its adapter too, if you have it: the kernel choices read its name and limits). */
  device?: GPUDevice;
  adapter?: GPUAdapter;
}

/** A context and whether the library made its device (then it destroys it when done). */
export interface OpenedGpu {
  ctx: GpuContext;
  ownsDevice: boolean;
  /** Dawn's GPU object, held while the device is used: Dawn stops delivering events once it is collected. */
  keepAlive?: unknown;
}

type WebGpuPackage = { create(flags: string[]): GPU; globals: Record<string, unknown> };

/** The `webgpu` package, imported by a name bundlers do not follow (it is Node-only and optional). */
async function dawnPackage(): Promise<WebGpuPackage> {
  let m: WebGpuPackage & { default?: WebGpuPackage };
  try {
    m = await importAtRuntime('webgpu');
  } catch (e) {
    throw new WebGpuUnavailableError(`no WebGPU: in Node install the optional peer dependency "webgpu" (npm install webgpu), or pass the option gpu or device (${(e as Error).message.split('\n')[0]})`);
  }
  const pkg = typeof m.create === 'function' ? m : m.default;
  if (!pkg?.create) throw new WebGpuUnavailableError('no WebGPU: the "webgpu" package has no create(); install webgpu 0.3 or later, or pass the option gpu or device');
  for (const [k, v] of Object.entries(pkg.globals ?? {})) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  return pkg;
}

function isDevice(d: unknown): d is GPUDevice {
  return !!d && typeof d === 'object' && typeof (d as GPUDevice).createBuffer === 'function' && typeof (d as GPUDevice).createComputePipeline === 'function';
}

/** The GPU for a call (see the module comment); throws WebGpuUnavailableError naming what is missing. */
export async function openGpu(o: GpuOptions): Promise<OpenedGpu> {
  if (o.device !== undefined) {
    if (!isDevice(o.device)) throw new OptionError('device', 'is not a GPUDevice (expected the result of adapter.requestDevice())');
    return { ctx: wrapDevice(o.device, o.adapter ?? null), ownsDevice: false };
  }
  if (o.gpu !== undefined) {
    if (!o.gpu || typeof (o.gpu as GPU).requestAdapter !== 'function') throw new OptionError('gpu', "is not a WebGPU entry point (expected navigator.gpu, or the webgpu package's create([]))");
    return { ctx: await createGpuContext({ gpu: o.gpu }), ownsDevice: true, keepAlive: o.gpu };
  }
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (nav) return { ctx: await createGpuContext({ gpu: nav }), ownsDevice: true };
  if (!isNode()) return { ctx: await createGpuContext({}), ownsDevice: true }; // throws the browser's message
  const pkg = await dawnPackage();
  const gpu = pkg.create([]);
  try {
    return { ctx: await createGpuContext({ gpu }), ownsDevice: true, keepAlive: gpu };
  } catch (e) {
    if (!(e instanceof WebGpuUnavailableError && e.noAdapter)) throw e;
    // the browser's advice (chrome://gpu) does not apply: say what Dawn needs in Node
    throw new WebGpuUnavailableError(
      'no WebGPU adapter: Dawn (the "webgpu" package) found no GPU through the system\'s Vulkan drivers; install the GPU\'s Vulkan driver, or Mesa\'s lavapipe (25 or later) for the CPU and point VK_ICD_FILENAMES at its lvp_icd.json',
      true,
    );
  }
}
