/**
 * Submitting a pass's dispatches: all at once (the default), or paced.
 *
 * Work submitted to a WebGPU queue cannot be recalled: even a destroyed device finishes it first.
 * On a CPU adapter one forward pass at 1024 px is more than a minute of work, so a job that is to
 * stop promptly must not queue much ahead. A Pacer sends a pass in groups of about `targetMs` of
 * work, waits for each group before sending the next, and checks `shouldStop` between groups
 * (throwing StoppedError). The group size follows the measured time per dispatch, so a small run
 * soon sends a whole pass per group and pays one wait per pass. Splitting a pass into several
 * submits does not change its result: submits run in order, each seeing the writes before it.
 */
import type { Dispatch } from './kernel.js';
import type { KernelLibrary } from './library.js';

/** A job stopped (by its shouldStop) before it could finish a pass. */
export class StoppedError extends Error {
  constructor(message = 'stopped before the first step') {
    super(message);
    this.name = 'StoppedError';
  }
}

/** How a pass's dispatches reach the GPU; `run` resolves once they are sent (paced: once they are done). */
export interface Submitter {
  run(dispatches: readonly Dispatch[]): Promise<void>;
}

/** Everything in one submit, nothing awaited (what the CLI, the benchmark and the tests use). */
export function unpaced(lib: KernelLibrary): Submitter {
  return {
    run: (dispatches) => {
      lib.run(dispatches);
      return Promise.resolve();
    },
  };
}

export class Pacer implements Submitter {
  /** Running estimate of one dispatch's GPU time, in ms (0: none measured yet). */
  private msPerDispatch = 0;

  constructor(
    private readonly lib: KernelLibrary,
    private readonly shouldStop: () => boolean,
    readonly targetMs = 250,
  ) {}

  async run(dispatches: readonly Dispatch[]): Promise<void> {
    for (let i = 0; i < dispatches.length; ) {
      if (this.shouldStop()) throw new StoppedError('stopped');
      // the first group is small: nothing is known of this adapter's speed yet
      const n = Math.min(dispatches.length - i, this.msPerDispatch > 0 ? Math.max(1, Math.floor(this.targetMs / this.msPerDispatch)) : 4);
      const t0 = performance.now();
      this.lib.run(dispatches.slice(i, i + n));
      await this.lib.ctx.device.queue.onSubmittedWorkDone();
      const ms = (performance.now() - t0) / n;
      this.msPerDispatch = this.msPerDispatch > 0 ? (this.msPerDispatch + ms) / 2 : ms;
      i += n;
    }
  }
}
