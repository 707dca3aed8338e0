/** Timing a list of dispatches on the GPU: GPU timestamps where the adapter has them, else the wall clock around replays. */
import type { GpuContext } from './context.js';
import type { Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';

export type { AutotuneMode } from './autotune_modes.js';

/** Milliseconds one run of `dispatches` takes on the GPU (averaged over `repeats`). */
export type OpTimer = (lib: KernelLibrary, dispatches: readonly Dispatch[], repeats: number) => Promise<number>;

/**
 * Wall clock around `repeats` replays encoded in one compute pass, after a warm-up run (pipeline
 * compilation, first touch), waiting for queue.onSubmittedWorkDone.
 */
export const submittedWorkTimer: OpTimer = async (lib, ds, repeats) => {
  const run = () => {
    const enc = lib.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let r = 0; r < repeats; r++) for (const d of ds) d.encode(pass);
    pass.end();
    lib.ctx.device.queue.submit([enc.finish()]);
    return lib.ctx.device.queue.onSubmittedWorkDone();
  };
  await run();
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / repeats;
};

/**
 * GPU timestamps written at the start and end of the compute pass (needs the device's
 * "timestamp-query" feature; createGpuContext asks for it where the adapter has it). Browsers may
 * round timestamps (Chrome to 100 µs), so several repeats run in the pass; a zero reading falls
 * back to the wall clock.
 */
export const timestampTimer: OpTimer = async (lib, ds, repeats) => {
  const device = lib.ctx.device;
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  try {
    const run = () => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
      for (let r = 0; r < repeats; r++) for (const d of ds) d.encode(pass);
      pass.end();
      enc.resolveQuerySet(querySet, 0, 2, resolve, 0);
      device.queue.submit([enc.finish()]);
    };
    run(); // warm-up
    run();
    const t = new BigInt64Array(await lib.readBytes(resolve, 16));
    const ns = Number(t[1] - t[0]);
    return ns > 0 ? ns / 1e6 / repeats : submittedWorkTimer(lib, ds, repeats);
  } finally {
    querySet.destroy();
    resolve.destroy();
  }
};

/** The best timer this device offers. */
export function defaultTimer(ctx: GpuContext): OpTimer {
  return ctx.device.features.has('timestamp-query') ? timestampTimer : submittedWorkTimer;
}
