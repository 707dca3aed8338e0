/**
 * GPU context: the one place that talks to `navigator.gpu` (or a GPU object handed in, such as
 * the `webgpu` package's in Node). Everything else receives the `GpuContext`.
 */
import { adapterClass } from './adapter_class.js';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for SwiftShader / software adapters: prefer register-blocked kernels without barriers. */
  isSoftware: boolean;
  /**
   * The device has the "subgroups" feature with subgroups of at least 4 lanes: what the subgroup
   * versions need (conv 7 and 8, Gram forward 5 and backward 3 share loads across 4 lanes).
   * Absent: unknown, taken as no.
   */
  subgroups?: boolean;
  /**
   * The adapter's own limits that tell lavapipe from SwiftShader where the name is hidden (Firefox
   * reports empty adapter info; see adapter_class.ts). The device's limits (GpuContext.limits) are
   * not these: a device gets WebGPU's defaults for limits it does not ask for. Absent: unknown.
   */
  adapterLimits?: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxComputeInvocationsPerWorkgroup'>;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: GPUAdapter | null;
  info: AdapterSummary;
  limits: GPUSupportedLimits;
  /** Resolves with the loss reason if the device is lost. */
  lost: Promise<GPUDeviceLostInfo>;
  /** Set once the device has been lost; operations should check it and fail fast. */
  lostReason: string | null;
  /**
   * The first GPU error nobody caught (an invalid pipeline or dispatch, out of memory) since the
   * last check: assertAlive throws it once, so a run never finishes on silently skipped work.
   */
  uncaughtError: string | null;
}

export class WebGpuUnavailableError extends Error {
  /** `noAdapter`: WebGPU is there but gave no adapter (a blocked or missing driver), not missing altogether. */
  constructor(message: string, readonly noAdapter = false) {
    super(message);
    this.name = 'WebGpuUnavailableError';
  }
}

export interface CreateContextOptions {
  /** A GPU object (navigator.gpu or Dawn's `create([])` result); defaults to globalThis.navigator.gpu. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Ask for the adapter's maximum buffer sizes (needed for VGG at large sizes). Default true. */
  requestMaxLimits?: boolean;
}

function summarize(adapter: GPUAdapter): AdapterSummary {
  const i = adapter.info ?? ({} as GPUAdapterInfo);
  const text = `${i.vendor ?? ''} ${i.architecture ?? ''} ${i.device ?? ''} ${i.description ?? ''}`.toLowerCase();
  return {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    isSoftware: /swiftshader|llvmpipe|software|lavapipe/.test(text) || (i as { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
    adapterLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup },
  };
}

export async function createGpuContext(options: CreateContextOptions = {}): Promise<GpuContext> {
  const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'WebGPU is not available: navigator.gpu is missing. Use a WebGPU browser (Chrome 113+), ' +
        'or start Chromium with --enable-unsafe-webgpu; in Node pass a GPU object (e.g. from the "webgpu" package).',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'WebGPU is present but no GPU adapter was found (requestAdapter returned null). ' +
        'The GPU may be blocklisted or WebGPU disabled; try chrome://gpu, or a software adapter (SwiftShader).',
      true,
    );
  }
  const wanted = options.requestMaxLimits ?? true;
  const requiredLimits: Record<string, number> = {};
  if (wanted) {
    for (const name of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension'] as const) {
      requiredLimits[name] = adapter.limits[name];
    }
  }
  // GPU timestamps make autotuning's timings exact where the adapter offers them; subgroups let
  // the subgroup versions share loads across lanes
  const requiredFeatures = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  return wrapDevice(device, adapter);
}

/** Wrap a device someone else created (tests, Node runners). */
export function wrapDevice(device: GPUDevice, adapter: GPUAdapter | null = null): GpuContext {
  const ctx: GpuContext = {
    device,
    adapter,
    info: adapter
      ? summarize(adapter)
      : { vendor: '', architecture: '', device: '', description: 'unknown', isSoftware: false },
    limits: device.limits,
    lost: device.lost,
    lostReason: null,
    uncaughtError: null,
  };
  const lanes = (adapter?.info as { subgroupMinSize?: number } | undefined)?.subgroupMinSize ?? 0;
  ctx.info.subgroups = device.features.has('subgroups') && lanes >= 4;
  device.lost.then((info) => {
    ctx.lostReason = `${info.reason}: ${info.message}`;
  });
  // Errors outside an error scope would otherwise only reach the console while the work they
  // belong to is skipped (every loss then reads 0).
  device.addEventListener?.('uncapturederror', (e) => {
    ctx.uncaughtError ??= (e as GPUUncapturedErrorEvent).error.message;
  });
  return ctx;
}

export function describeContext(ctx: GpuContext): string {
  const i = ctx.info;
  // Firefox hides the adapter's name: say which software adapter its limits show (adapter_class.ts)
  const name = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' / ') ||
    (i.isSoftware ? `unnamed software adapter, ${adapterClass(i) === 'lavapipe' ? 'lavapipe' : 'SwiftShader-like'} by its limits` : 'unnamed adapter');
  return `${name}${i.isSoftware ? ' (software)' : ''}; maxStorageBufferBindingSize=${ctx.limits.maxStorageBufferBindingSize}, maxBufferSize=${ctx.limits.maxBufferSize}`;
}

export class DeviceLostError extends Error {
  constructor(reason: string) {
    super(`The GPU device was lost (${reason}). Create a new context and start again.`);
    this.name = 'DeviceLostError';
  }
}

export class GpuError extends Error {
  constructor(message: string) {
    super(`The GPU reported an error, so the results of this run cannot be trusted: ${message}`);
    this.name = 'GpuError';
  }
}

/** Throws if the device was lost, or (once) if the GPU reported an error nobody caught. */
export function assertAlive(ctx: GpuContext): void {
  if (ctx.lostReason !== null) throw new DeviceLostError(ctx.lostReason);
  const e = ctx.uncaughtError;
  if (e !== null) {
    ctx.uncaughtError = null;
    throw new GpuError(e);
  }
}
