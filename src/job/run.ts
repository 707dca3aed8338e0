/**
 * A whole style-transfer job as the CLI and the demo run it: decode images, pick weights, run
 * the optimisation (optionally coarse-to-fine over several scales) with progress callbacks, hand
 * back pixels. Browser-side (needs WebGPU and createImageBitmap); the GPU context is passed in.
 */
import { buildTuned, type Autotuner } from '../kernels/autotune.js';
import { Pacer, StoppedError } from '../kernels/pacing.js';
import type { KernelLibrary } from '../kernels/library.js';
import { resizeBilinear, type RgbaImage } from '../io/rgba_image.js';
import type { Tensor } from '../kernels/tensor.js';
import type { StyleTargetCache } from '../nst/target_cache.js';
import { StyleTransfer, type InitialImage } from '../nst/style_transfer.js';
import { type LossTerms } from '../nst/loss_terms.js';

import { defaultCoarseAnchor, describeSchedule } from './schedule.js';
export { secondsLeft } from './seconds_left.js';
import { prepareJob, type JobConfig, type JobImages, type WeightsSource } from './prepare.js';

export interface Progress {
  /** Steps done over all scales, out of `iterations`. */
  step: number;
  iterations: number;
  losses: LossTerms;
  secondsPerStep: number;
  elapsed: number;
  /** Which scale (0 = coarsest) of how many, and its image size. */
  scale: { index: number; count: number; width: number; height: number };
  /** Every scale's size and steps, coarsest first (for time estimates: a step costs about its pixels). */
  scales: { width: number; height: number; steps: number }[];
}


export interface JobCallbacks {
  onProgress?: (p: Progress) => void | Promise<void>;
  /** Every `saveEvery` steps (global step count). */
  onSnapshot?: (step: number, image: RgbaImage) => void | Promise<void>;
  /** After every progress report, the current image (costs a readback; for live previews). */
  onPreview?: (image: RgbaImage) => void | Promise<void>;
  /**
   * Polled between stages (decoding, sizing, weights, each scale's build) and between steps;
   * return true to stop: after a step the current image is returned, before the first step the
   * job throws a StoppedError.
   */
  shouldStop?: () => boolean;
  /** Polled between steps; while true the job waits (the time paused counts in no timing). */
  isPaused?: () => boolean;
  /** This device's autotuner (its stored table); none: the planner's fixed table. */
  tuner?: Autotuner;
  /** A session's style targets kept between jobs (src/nst/target_cache.ts); none: computed every scale. */
  targetCache?: StyleTargetCache;
  /** Things the user should know before the run starts (e.g. that it runs in tiles, and why). */
  onNotice?: (text: string) => void | Promise<void>;
}

/** A job stopped (shouldStop) before its first step, when there is no image to hand back. */
export { StoppedError };

/**
 * Run a job; returns the final image and losses. Disposes every GPU buffer it made and trims the
 * buffer pool, so the library's live memory is back where it started.
 */
export async function runJob(lib: KernelLibrary, images: JobImages, weightsSrc: WeightsSource, config: JobConfig, cb: JobCallbacks = {}) {
  if (cb.tuner && config.autotune) cb.tuner.mode = config.autotune;
  const stopBeforeStart = () => {
    if (cb.shouldStop?.()) throw new StoppedError();
  };
  // memory estimates plan with the choices tuned so far
  const job = await prepareJob(cb.tuner ? lib.withPlanner(cb.tuner.planner()) : lib, images, weightsSrc, config, 'stylize', stopBeforeStart);
  const { sizes, weights } = job;
  const scales = job.scales.map((s) => ({ width: s.content.width, height: s.content.height, steps: s.options.iterations }));
  if (sizes.length > 1) await cb.onNotice?.(describeSchedule(job.schedule, job.network));
  for (const s of job.scales) if (s.tiling.reason) await cb.onNotice?.(s.tiling.reason);
  stopBeforeStart();
  lib.memory.resetPeak();

  const t0 = performance.now();
  /** Time spent paused: left out of every timing (seconds per step, elapsed, the run's seconds). */
  let pausedMs = 0;
  let done = 0;
  let weightBytes = 0;
  /**
   * The image carried to the next scale: the coarser scale's result upsampled on the GPU (3×H×W,
   * network space, StyleTransfer.upsampled). Owned here: the next scale borrows it as its image
   * and it is released once that scale's run is disposed, so each scale holds one image.
   */
  let carried: Tensor | null = null;
  /** In a job that can be stopped: the coarser scale's result, handed back if Stop comes while the next scale is set up. */
  let earlier: RgbaImage | null = null;
  /** The last losses reported (what a run stopped in the middle of a pass hands back). */
  let reported: LossTerms | null = null;
  let result: { image: RgbaImage; losses: LossTerms } | null = null;
  // a job that can be stopped sends its passes paced, so that Stop does not wait for minutes of queued work
  const submit = cb.shouldStop ? new Pacer(lib, cb.shouldStop) : undefined;
  const releaseCarried = () => {
    if (carried) lib.release(carried);
    carried = null;
  };
  try {
    for (let k = 0; k < sizes.length; k++) {
      const { content, styles, options, tiling, temporal } = job.scales[k];
      // the first scale starts from the caller's image if given (pixels), a finer one from the coarser result
      const warm = k === 0 && config.initImage ? resizeBilinear(config.initImage, content.width, content.height) : undefined;
      const init: InitialImage | undefined = carried ?? warm;
      // finer scales: content targets from the photo mixed with the coarser result (schedule.ts), on the GPU
      const anchor = config.coarseAnchor ?? defaultCoarseAnchor(sizes.length - 1);
      const target = carried && anchor > 0 ? { anchor } : undefined;
      let st: StyleTransfer;
      let losses: LossTerms;
      try {
        // the kernel plan: the tuner's choices over the device's table, lean where memory limits the run
        st = await buildTuned(cb.tuner, lib.planner.with({ lean: !!tiling.lean }), (p) => StyleTransfer.create(lib.withPlanner(p), weights, content, styles, options, { initImage: init, tiling: tiling.tiling, submit, contentTarget: target, targetCache: cb.targetCache, temporal }));
        weightBytes = Math.max(weightBytes, st.weightBytes());
        try {
          losses = await st.evaluate();
        } catch (e) {
          st.dispose();
          throw e;
        }
      } catch (e) {
        releaseCarried();
        // stopped while a later scale was being set up: the earlier scale's image is the result
        if (!(e instanceof StoppedError) || k === 0 || !earlier || !reported) throw e instanceof StoppedError ? new StoppedError() : e;
        result = { image: earlier, losses: reported };
        break;
      }
      /** The next scale's image, made from this one's result. */
      let up: Tensor | null = null;
      try {
        const scale = { index: k, count: sizes.length, width: st.width, height: st.height };
        if (done === 0 && !config.initImage) stopBeforeStart();
        let lastT = performance.now(), lastStep = done;
        reported ??= losses;
        if (k === 0) await cb.onProgress?.({ step: 0, iterations: job.iterations, losses, secondsPerStep: 0, elapsed: 0, scale, scales });
        /** Seconds per step of the last chunk at this scale (0: none timed yet), and steps since the last report. */
        let secondsPerStep = 0, sinceReport = 0, stoppedInPass = false;
        while (st.step < options.iterations && !cb.shouldStop?.()) {
          if (cb.isPaused?.()) {
            const p0 = performance.now();
            await new Promise((r) => setTimeout(r, 100));
            pausedMs += performance.now() - p0;
            lastT += performance.now() - p0;
            continue;
          }
          const toSave = config.saveEvery > 0 ? config.saveEvery - (done % config.saveEvery) : Infinity;
          const toReport = config.reportEvery - sinceReport;
          const left = options.iterations - st.step;
          // steps go to the GPU a chunk at a time and the next chunk waits for it: a slow run (seconds
          // per step) submits one step at a time, so that about a second of GPU work at most is queued
          // when Stop is pressed (queued work cannot be recalled)
          const paced = secondsPerStep > 0 ? Math.max(1, Math.floor(1 / secondsPerStep)) : 1;
          const chunk = Math.min(toReport, paced, left, toSave);
          const report = chunk === toReport || chunk === left || chunk === toSave;
          const c0 = performance.now();
          const started = st.step;
          let read: LossTerms | null;
          try {
            read = await st.run(chunk, report);
          } catch (e) {
            if (!(e instanceof StoppedError)) throw e;
            // stopped inside a step: it never reached its update, the steps before it did
            done += Math.max(0, st.step - 1 - started);
            stoppedInPass = true;
            break;
          }
          if (!report) await lib.ctx.device.queue.onSubmittedWorkDone();
          secondsPerStep = (performance.now() - c0) / 1000 / chunk;
          done += chunk;
          sinceReport += chunk;
          if (!report) continue;
          losses = reported = read!;
          sinceReport = 0;
          const now = performance.now();
          await cb.onProgress?.({ step: done, iterations: job.iterations, losses, secondsPerStep: (now - lastT) / 1000 / (done - lastStep), elapsed: (now - t0 - pausedMs) / 1000, scale, scales });
          lastT = now;
          lastStep = done;
          if (cb.onPreview) await cb.onPreview({ width: st.width, height: st.height, data: await st.pixels() });
          if (config.saveEvery > 0 && done % config.saveEvery === 0 && done < job.iterations) {
            await cb.onSnapshot?.(done, { width: st.width, height: st.height, data: await st.pixels() });
          }
        }
        // stopped between reports: the losses of the image handed back (inside a pass: the last reported)
        if (sinceReport > 0 && !stoppedInPass) losses = await st.losses();
        if (done === 0 && k === 0 && !config.initImage && cb.shouldStop?.()) throw new StoppedError();
        const last = k === sizes.length - 1 || cb.shouldStop?.();
        if (last) result = { image: { width: st.width, height: st.height, data: await st.pixels() }, losses };
        else {
          const next = job.scales[k + 1].content;
          if (cb.shouldStop) earlier = { width: st.width, height: st.height, data: await st.pixels() };
          up = st.upsampled(next.width, next.height);
        }
      } finally {
        st.dispose();
        // this scale borrowed the carried image as its own: free it once the run is gone
        releaseCarried();
        carried = up;
      }
      if (result) break;
    }
  } finally {
    releaseCarried();
    lib.memory.trim();
  }
  const { image, losses } = result!;
  const tiles = job.scales.map((s, k) => (s.tiling.tiling ? { scale: k, tile: s.tiling.tiling.tile } : null)).filter((t) => t !== null);
  // weightBytes: the weights' forms resident once a scale's graph was built (the most over the scales)
  return { image, losses, steps: done, weightsSource: weights.source, seconds: (performance.now() - t0 - pausedMs) / 1000, pausedSeconds: pausedMs / 1000, sizes, peakBytes: lib.memory.stats().peakBytes, weightBytes, tiles };
}
