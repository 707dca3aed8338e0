/**
 * Stop, at every stage of a run. A job polls `job.stopped` between its stages (decoding, weights,
 * building each scale) and between steps, and downloads listen to `job.stop`. GPU work already
 * submitted cannot be recalled, though: on a CPU adapter one target pass at 1024 px runs for
 * minutes. So if the job has not ended STOP_GRACE_MS after Stop, the page stops waiting for it:
 * it destroys the GPU device (the queued work is dropped and the job's readbacks fail; the next
 * run gets a fresh device) and the job's promise, raced by `untilStopped`, rejects at once.
 */
import { changed, state, type Job } from './state.js';

/** How long a job gets to reach its next stop check before its GPU device is dropped. */
export const STOP_GRACE_MS = 2000;

/** The error a job forced to stop ends with (its last image, if any, is the page's to show). */
export class ForcedStopError extends Error {
  constructor() {
    super('stopped: the GPU work in flight was cancelled');
    this.name = 'ForcedStopError';
  }
}

/** Press Stop on `job`: it stops at its next check, or `dropDevice` is called after STOP_GRACE_MS. */
export function requestStop(job: Job, dropDevice: () => void): void {
  if (job.stopped) return;
  job.stopped = true;
  job.paused = false;
  job.stop.abort();
  changed();
  setTimeout(() => {
    if (state.job !== job) return; // it ended in time
    dropDevice();
    job.force.abort();
  }, STOP_GRACE_MS);
}

/** `run`, or a ForcedStopError as soon as the job is forced to stop (the run is then left to fail on its own). */
export function untilStopped<T>(job: Job, run: Promise<T>): Promise<T> {
  run.catch(() => undefined); // a forced stop leaves it to fail against the dropped device, unheard
  const forced = new Promise<never>((_, reject) => {
    const fail = () => reject(new ForcedStopError());
    if (job.force.signal.aborted) fail();
    else job.force.signal.addEventListener('abort', fail, { once: true });
  });
  return Promise.race([run, forced]);
}
