/**
 * What the planner tells adapters apart by: each class has its own fixed table of kernel versions
 * (fixed_choice.ts). By the adapter's name where it has one; where the browser hides it (Firefox
 * reports empty adapter info), by limits the two software adapters report differently.
 */
import type { AdapterSummary } from './context.js';

/** What the planner tells apart: Mesa's lavapipe, other software adapters (SwiftShader), GPUs. */
export type AdapterClass = 'gpu' | 'swiftshader' | 'lavapipe';

export type PlannerAdapter = Pick<AdapterSummary, 'isSoftware'> &
  Partial<Pick<AdapterSummary, 'vendor' | 'architecture' | 'device' | 'description' | 'subgroups' | 'adapterLimits'>>;

/**
 * lavapipe's largest storage binding: Vulkan's maxStorageBufferRange in Mesa's lavapipe (2^27),
 * passed on unchanged by Dawn, by wgpu (Deno 2.9) and by Firefox 153. SwiftShader in Chromium
 * reports 1 GiB. (The same value is WebGPU's default, so it is never taken alone; see below.)
 */
export const LAVAPIPE_MAX_STORAGE_BINDING = 134217728;

/**
 * lavapipe's workgroups hold 1024 invocations (Dawn, wgpu and Firefox all report it); SwiftShader's
 * hold 256 (Vulkan's maxComputeWorkGroupInvocations there, and WebGPU's default).
 */
export const LAVAPIPE_MIN_INVOCATIONS = 1024;

export function adapterClass(a: PlannerAdapter): AdapterClass {
  if (!a.isSoftware) return 'gpu';
  const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ');
  if (name) return /llvmpipe|lavapipe/i.test(name) ? 'lavapipe' : 'swiftshader';
  return softwareClassFromLimits(a.adapterLimits);
}

/**
 * A software adapter without a name (Firefox hides it), from its limits. Measured (adapter limits,
 * before any device asks for more):
 *
 *   adapter                                   maxStorageBufferBindingSize  maxComputeInvocationsPerWorkgroup  maxBufferSize
 *   lavapipe, Dawn (Node `webgpu`)            134217728                    1024                               4294967295
 *   lavapipe, wgpu (Deno 2.9.6)               134217728                    1024                               2147483647
 *   lavapipe, Firefox ESR 153 (empty info)    134217728                    1024                               1073741824
 *   SwiftShader, Chromium 156                 1073741824                   256                                1073741824
 *
 * maxBufferSize differs per browser (Firefox caps it at 1 GiB, as Chromium does SwiftShader's), so
 * it tells nothing; the features neither (lavapipe has shader-f16 under Dawn and Firefox,
 * SwiftShader lacks it, but so may any adapter). lavapipe needs both its values: 128 MiB alone is
 * WebGPU's default and 1024 invocations alone is common. Anything else — no limits known, the
 * defaults only, or one value of each — is ambiguous and gets SwiftShader's table, the generic
 * software one (both tables run every shape correctly; they differ only in speed).
 */
export function softwareClassFromLimits(l: PlannerAdapter['adapterLimits']): 'lavapipe' | 'swiftshader' {
  if (!l) return 'swiftshader';
  return l.maxStorageBufferBindingSize <= LAVAPIPE_MAX_STORAGE_BINDING && l.maxComputeInvocationsPerWorkgroup >= LAVAPIPE_MIN_INVOCATIONS ? 'lavapipe' : 'swiftshader';
}
