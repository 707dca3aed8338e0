/**
 * The planner's adapter classes (src/kernels/adapter_class.ts) from what real adapters report
 * (test/harness/adapter_facts.ts): by name where there is one, by limits where the browser hides it
 * (Firefox), so Firefox on lavapipe gets lavapipe's table. Each adapter goes through the same
 * summary the engine makes of it (wrapDevice), with a device that has only WebGPU's default limits,
 * as a device that asked for none has.
 */
import { describe, expect, it } from 'vitest';
import { adapterClass } from '../src/kernels/adapter_class.js';
import { describeContext, wrapDevice } from '../src/kernels/context.js';
import { fixedChoice } from '../src/kernels/fixed_choice.js';
import { CHROMIUM_SWIFTSHADER, DAWN_LAVAPIPE, FIREFOX_LAVAPIPE, WGPU_LAVAPIPE, type AdapterFacts } from './harness/adapter_facts.js';

/** WebGPU's default limits (what a device gets for a limit it does not ask for). */
const DEFAULTS = { maxStorageBufferBindingSize: 134217728, maxComputeInvocationsPerWorkgroup: 256, maxBufferSize: 268435456 };

/** The engine's summary of an adapter reporting these facts. */
function summary(f: AdapterFacts) {
  const device = { features: new Set<string>(), limits: DEFAULTS, lost: new Promise(() => {}) } as unknown as GPUDevice;
  const adapter = { info: f.info, features: new Set(f.features), limits: f.limits } as unknown as GPUAdapter;
  return wrapDevice(device, adapter).info;
}

/** The engine's one-line description of an adapter reporting these facts (what the CLI and the page print). */
function described(f: AdapterFacts) {
  const device = { features: new Set<string>(), limits: DEFAULTS, lost: new Promise(() => {}) } as unknown as GPUDevice;
  return describeContext(wrapDevice(device, { info: f.info, features: new Set(f.features), limits: f.limits } as unknown as GPUAdapter));
}

/** The same adapter with its name hidden, as Firefox hides every adapter's. */
const nameless = (f: AdapterFacts): AdapterFacts => ({ ...f, info: { ...f.info, vendor: '', architecture: '', device: '', description: '' } });

describe('adapter classes', () => {
  it('describes a nameless adapter by what its limits show, a named one by its name', () => {
    expect(described(FIREFOX_LAVAPIPE)).toMatch(/^unnamed software adapter, lavapipe by its limits \(software\); /);
    expect(described(nameless(CHROMIUM_SWIFTSHADER))).toMatch(/^unnamed software adapter, SwiftShader-like by its limits \(software\); /);
    expect(described(CHROMIUM_SWIFTSHADER)).toMatch(/^google \/ .*swiftshader.* \(software\); /i);
  });

  it.each([
    ['lavapipe through Dawn', DAWN_LAVAPIPE, 'lavapipe'],
    ['lavapipe through wgpu (Deno), named', WGPU_LAVAPIPE, 'lavapipe'],
    ['SwiftShader in Chromium', CHROMIUM_SWIFTSHADER, 'swiftshader'],
  ] as const)('by name: %s', (_what, facts, cls) => {
    expect(summary(facts).isSoftware).toBe(true);
    expect(adapterClass(summary(facts))).toBe(cls);
  });

  it.each([
    ['lavapipe in Firefox (its info as reported: empty)', FIREFOX_LAVAPIPE, 'lavapipe'],
    ['lavapipe through wgpu (Deno), name hidden', nameless(WGPU_LAVAPIPE), 'lavapipe'],
    ['lavapipe through Dawn, name hidden', nameless(DAWN_LAVAPIPE), 'lavapipe'],
    ['SwiftShader in Chromium, name hidden', nameless(CHROMIUM_SWIFTSHADER), 'swiftshader'],
  ] as const)('without a name, by limits: %s', (_what, facts, cls) => {
    const s = summary(facts);
    expect([s.vendor, s.architecture, s.device, s.description].join('')).toBe('');
    expect(s.isSoftware).toBe(true); // isFallbackAdapter
    expect(adapterClass(s)).toBe(cls);
  });

  it('Firefox on lavapipe gets lavapipe\'s fixed table, not SwiftShader\'s', () => {
    const firefox = summary(FIREFOX_LAVAPIPE);
    expect(fixedChoice('gram_backward', { C: 64, M: 4096 }, firefox).version).toBe('v2_flat');
    expect(fixedChoice('gram_backward', { C: 64, M: 4096 }, summary(CHROMIUM_SWIFTSHADER)).version).toBe('v1_wide');
    // the backward conv at an 8×8 map: F(4×4) from 4 tiles on lavapipe, F(2×2) on SwiftShader
    expect(fixedChoice('conv_backward_input', { R: 512, N: 512, K: 3, H: 8, W: 8 }, firefox).version).toBe('v6_winograd4');
    expect(fixedChoice('conv_backward_input', { R: 512, N: 512, K: 3, H: 8, W: 8 }, summary(CHROMIUM_SWIFTSHADER)).version).toBe('v5_winograd');
  });

  it('ambiguous nameless software adapters get SwiftShader\'s table (the generic software one)', () => {
    const soft = { isSoftware: true };
    expect(adapterClass(soft)).toBe('swiftshader'); // no limits known
    expect(adapterClass({ ...soft, adapterLimits: DEFAULTS })).toBe('swiftshader'); // WebGPU's defaults only
    // one of lavapipe's two values without the other
    expect(adapterClass({ ...soft, adapterLimits: { maxStorageBufferBindingSize: 134217728, maxComputeInvocationsPerWorkgroup: 256 } })).toBe('swiftshader');
    expect(adapterClass({ ...soft, adapterLimits: { maxStorageBufferBindingSize: 1073741824, maxComputeInvocationsPerWorkgroup: 1024 } })).toBe('swiftshader');
  });

  it('a nameless adapter that is not software is a GPU, whatever its limits', () => {
    const gpu = { ...nameless(FIREFOX_LAVAPIPE), info: { ...FIREFOX_LAVAPIPE.info, isFallbackAdapter: false } };
    expect(summary(gpu).isSoftware).toBe(false);
    expect(adapterClass(summary(gpu))).toBe('gpu');
  });
});
