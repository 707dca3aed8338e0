// The benchmark's leave-one-kernel-out profile (bench/suite.ts), on recorded steps of fake
// dispatches whose timer adds up known costs plus a per-submit overhead and drift.
import { describe, expect, it } from 'vitest';
import { leaveOneKernelOut } from '../bench/suite.js';
import type { Dispatch } from '../src/kernels/kernel.js';
import type { KernelLibrary } from '../src/kernels/library.js';

const COST: Record<string, number> = { 'conv/winograd_gemm': 5, 'gram_backward/v2_flat': 3, 'optim/adam': 0.5 };
const dispatch = (name: string) => ({ kernel: { name } }) as unknown as Dispatch;
const step = ['conv/winograd_gemm', 'gram_backward/v2_flat', 'conv/winograd_gemm', 'optim/adam', 'conv/winograd_gemm'].map(dispatch);
const lib = {} as KernelLibrary;

describe('leaveOneKernelOut', () => {
  it("gives each kernel the step's time minus the step without it, most expensive first", async () => {
    // every submit pays 2 ms; in the second round the machine is busy by a different amount at
    // each call, which the best of the rounds removes
    let calls = 0;
    const timer = async (_: KernelLibrary, ds: readonly Dispatch[]) => 2 + ds.reduce((s, d) => s + COST[d.kernel.name], 0) + (calls++ >= 4 ? calls : 0);
    const rows = await leaveOneKernelOut(lib, step, 2, timer);
    expect(rows.map((r) => [r.kernel, r.dispatches])).toEqual([['conv/winograd_gemm', 3], ['gram_backward/v2_flat', 1], ['optim/adam', 1]]);
    expect(rows.map((r) => r.ms)).toEqual([15, 3, 0.5]);
  });
  it('times every variant once per round, alternating', async () => {
    const seen: number[] = [];
    await leaveOneKernelOut(lib, step, 3, async (_, ds) => (seen.push(ds.length), 1));
    expect(seen).toEqual([5, 2, 4, 4, 5, 2, 4, 4, 5, 2, 4, 4]);
  });
});
