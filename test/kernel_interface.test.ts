/** Shader interfaces read with wgsl_reflect (no GPU needed) and the errors they enable. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registrySource } from '../tools/gen_shader_registry.js';
import { CHECKS } from '../demo/checks.js';
import { reflectKernel } from '../src/kernels/kernel.js';
import { KERNEL_NAMES, SHADERS } from '../src/kernels/shaders.js';

describe('every shader', () => {
  it('has a check in the demo\'s kernel explorer', () => {
    expect(KERNEL_NAMES.filter((n) => !CHECKS[n])).toEqual([]);
  });
  it('is in the registry (src/kernels/shaders.ts matches shaders/; regenerate with npm run shaders)', () => {
    expect(readFileSync(new URL('../src/kernels/shaders.ts', import.meta.url), 'utf8')).toBe(registrySource());
  });

  it.each(KERNEL_NAMES)('%s has a header comment, one compute entry, group-0 bindings and a params struct', (name) => {
    const src = SHADERS[name];
    expect(src.startsWith(`// ${name} `) || src.startsWith(`// ${name} —`), `${name}.wgsl must start with "// ${name} — what it computes"`).toBe(true);
    expect(src).toMatch(/Dispatch:/);
    expect(src).toMatch(/Layout:|layout/);
    const k = reflectKernel(name, src);
    expect(k.workgroupSize[0]).toBeGreaterThan(0);
    expect(k.bindings.filter((b) => b.kind === 'uniform').map((b) => b.name)).toEqual(['params']);
    expect(k.bindings.some((b) => b.kind === 'storage')).toBe(true); // every kernel writes something
    expect(k.params.length).toBeGreaterThan(0);
  });
});

describe('reflection', () => {
  it('reads binding names, access modes, param offsets and the workgroup size', () => {
    const k = reflectKernel('conv2d_forward', SHADERS['conv/v1_direct_forward']);
    expect(k.bindings.map((b) => [b.name, b.kind])).toEqual([
      ['params', 'uniform'],
      ['input', 'read-only-storage'],
      ['weight', 'read-only-storage'],
      ['bias', 'read-only-storage'],
      ['output', 'storage'],
    ]);
    expect(k.params.find((p) => p.name === 'relu')).toEqual({ name: 'relu', offset: 24, type: 'u32' });
    expect(k.workgroupSize).toEqual([64, 1, 1]);
  });
  it('rejects shaders outside the conventions', () => {
    expect(() => reflectKernel('bad', '@group(1) @binding(0) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1) fn main() { y[0] = 1.0; }')).toThrow(/group 1/);
    expect(() => reflectKernel('bad', 'struct P { v: vec2<f32> }\n@group(0) @binding(0) var<uniform> params: P;\n@group(0) @binding(1) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1) fn main() { y[0] = params.v.x; }')).toThrow(/only u32\/i32\/f32/);
  });
});
