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

/**
 * What a Pacer needs of the GPU: send dispatches, and wait until all sent work is done.
 * A KernelLibrary is one; tests give a simulated queue.
 */
export interface PacedQueue {
  run(dispatches: readonly Dispatch[]): void;
  done(): Promise<void>;
}

/** The slice of Dispatch a Pacer reads: which kernel and how many workgroups (the same object each step). */
export type PacedDispatch = Pick<Dispatch, 'workgroups'> & { kernel: { name: string } };

function workgroupCount(d: PacedDispatch): number {
  return Math.max(1, d.workgroups[0] * d.workgroups[1] * d.workgroups[2]);
}

/**
 * Dispatches differ in cost by 10⁴× within one pass (an input transform of a few workgroups next to
 * a 512 px GEMM), so a group cannot be sized by a mean time per dispatch: one group of "cheap"
 * dispatches would take seconds. The Pacer predicts each dispatch's time instead:
 *  - a dispatch seen before (passes are recorded once and replayed every step): its last time;
 *  - else, one of a kernel seen before: that kernel's highest ms per workgroup times its workgroups
 *    (leaning high: a kernel's work per workgroup grows with its channels);
 *  - else unknown: it is sent alone, and measured.
 * A group takes dispatches while their predicted sum stays within `targetMs` (at least one). Its
 * measured time is shared among its dispatches in proportion to their predictions.
 */
export class Pacer implements Submitter {
  private readonly lastMs = new WeakMap<object, number>();
  private readonly kernelMsPerGroup = new Map<string, number>();
  private readonly queue: PacedQueue;

  constructor(
    lib: KernelLibrary | PacedQueue,
    private readonly shouldStop: () => boolean,
    readonly targetMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.queue = 'ctx' in lib ? { run: (d) => lib.run(d), done: () => lib.ctx.device.queue.onSubmittedWorkDone() } : lib;
  }

  /** Predicted GPU time of `d` in ms, or undefined when nothing like it has been measured. */
  predict(d: PacedDispatch): number | undefined {
    const last = this.lastMs.get(d);
    if (last !== undefined) return last;
    const rate = this.kernelMsPerGroup.get(d.kernel.name);
    return rate === undefined ? undefined : rate * workgroupCount(d);
  }

  async run(dispatches: readonly Dispatch[]): Promise<void> {
    for (let i = 0; i < dispatches.length; ) {
      if (this.shouldStop()) throw new StoppedError('stopped');
      const group: Dispatch[] = [];
      const predicted: number[] = [];
      let sum = 0;
      for (let j = i; j < dispatches.length; j++) {
        const p = this.predict(dispatches[j]);
        if (group.length > 0 && (p === undefined || sum + p > this.targetMs)) break;
        group.push(dispatches[j]);
        predicted.push(p ?? 1);
        sum += p ?? 1;
        if (p === undefined) break; // unknown: alone
      }
      const t0 = this.now();
      this.queue.run(group);
      await this.queue.done();
      this.learn(group, predicted, sum, this.now() - t0);
      i += group.length;
    }
  }

  private learn(group: readonly PacedDispatch[], predicted: readonly number[], predictedSum: number, ms: number): void {
    group.forEach((d, k) => {
      const share = (ms * predicted[k]) / predictedSum;
      this.lastMs.set(d, share);
      const rate = share / workgroupCount(d);
      this.kernelMsPerGroup.set(d.kernel.name, Math.max(rate, this.kernelMsPerGroup.get(d.kernel.name) ?? 0));
    });
  }
}
