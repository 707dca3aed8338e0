/**
 * The benchmark's --conv (bench/suite.ts) runs the whole steps from a planner of its own with the
 * convs forced, and leaves the library's planner as it was. In Node through Dawn on lavapipe
 * (skipped where there is none).
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../bench/suite.js';
import { createGpuContext } from '../src/kernels/context.js';
import { KernelLibrary } from '../src/kernels/library.js';
import { findLavapipe } from '../tools/lib/dawn_adapters.js';

const lavapipe = await findLavapipe();

describe.skipIf(!lavapipe)('the benchmark forces versions without changing the library', () => {
  it('--conv v1_direct: the whole steps run version 1 in every conv; the library plans from its fixed table after', async () => {
    const lib = new KernelLibrary(await createGpuContext({ gpu: lavapipe!.gpu }));
    const own = lib.planner;
    const fixed = own.plan('conv_forward', { R: 64, N: 64, K: 3, H: 32, W: 32 }).version;
    const lines: string[] = [];
    try {
      const r = await runBenchmark(lib, 'lavapipe', 'test', { sizes: [16], kernelSize: 16, matmulSize: 64, repeats: 1, stepRepeats: 1, stepsOnly: true, conv: 'v1_direct', byKernel: true, log: (s) => lines.push(s) });
      expect(r.runner).toMatch(/all convs v1_direct/);
    } finally {
      lib.destroy();
    }
    // each kernel's share names the kernels the step ran
    const kernels = lines.filter((l) => /^ {4}\S+\/\S+ +×/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    expect(kernels).toContain('conv/v1_direct_forward');
    expect(kernels.filter((k) => k.startsWith('conv/') && !/v1_direct|bias|sum_slices/.test(k))).toEqual([]);
    expect(fixed).not.toBe('v1_direct');
    expect(lib.planner).toBe(own);
    expect(Object.keys(own.force)).toEqual([]);
    expect(own.plan('conv_forward', { R: 64, N: 64, K: 3, H: 32, W: 32 }).version).toBe(fixed);
  });
});
