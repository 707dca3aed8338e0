/**
 * npm run video -- --video IN --style FILE --out OUT.mp4 [options]
 * Stylizes a video frame by frame on the library's session (src/index.ts: createStylizer) in Node
 * through Dawn: the first frame as a still (coarse to fine), each later one warm-started from the
 * previous result warped along the optical flow (src/video/compose_init.ts, flow_init.ts) with fewer steps at one scale. Frames come from ffmpeg over a pipe,
 * finished ones are kept as PNGs in a work folder (resumable), and the video is encoded once all
 * are there. See --help and docs/video.md.
 */
import { renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Args, runMain } from './lib/args.js';
import { allowShaderImports, findDawnAdapter } from './lib/dawn_engine.js';
import { readInputFile } from './lib/input_files.js';
import { decodeRgba, loadSharp } from './lib/node_decode.js';
import { checkWritable } from './lib/output_files.js';
import { decodePngOverWhite, writePngAtomic } from './lib/png.js';
import { parseVideoArgs, settingsOf, VIDEO_HELP, videoSize, type VideoJob } from './lib/video_args.js';
import { checkFfmpeg, decodeFrames, frameSize, openEncoder, probeVideo, type VideoInfo } from './lib/video_io.js';
import { WorkFolder, type FrameStats } from './lib/video_work.js';
import type { Rgba } from '../src/video/compose_init.js';
import type { FlowInit } from '../src/video/flow_init.js';

/** Everything that can be refused, checked before the GPU is opened. */
function prepare(argv: string[]) {
  const a = new Args(argv, ['verbose', 'independent', 'restart']);
  const job = parseVideoArgs(a);
  a.rejectUnknown();
  checkFfmpeg();
  const info = probeVideo(job.video);
  if (info.frames <= 0) throw new Error(`--video ${job.video}: has no video frames`);
  if (job.start >= info.duration) throw new Error(`--start ${job.start} is past the end of ${job.video} (${info.duration.toFixed(2)} s)`);
  const available = Math.max(1, Math.min(info.frames, Math.round((info.duration - job.start) * info.fps)));
  const count = Math.min(job.frames ?? available, available);
  const workDir = job.format === 'png' ? job.out : `${job.out}.frames`;
  if (job.format !== 'png') checkWritable(job.out, '--out');
  checkWritable(join(workDir, 'frame_000001.png'), job.format === 'png' ? '--out' : '--out (its work folder)');
  job.size = videoSize(job, info);
  const settings = settingsOf(job, (p) => ({ bytes: statSync(p).size, modified: Math.round(statSync(p).mtimeMs) }));
  const work = WorkFolder.open(workDir, settings, job.restart, '--restart');
  return { job, info, count, work, verbose: a.has('verbose') };
}

async function loadStyles(job: VideoJob) {
  const sharp = await loadSharp();
  return Promise.all(job.styles.map(async (s) => {
    const bytes = readInputFile(s.path, '--style');
    if (typeof sharp === 'string') {
      if (!s.path.toLowerCase().endsWith('.png')) throw new Error(`--style ${s.path}: only PNG images can be read here (${sharp})`);
      return { image: decodePngOverWhite(bytes, `--style ${s.path}`), blend: s.blend };
    }
    return { image: await decodeRgba(sharp, bytes, `--style ${s.path}`), blend: s.blend };
  }));
}

const clock = (s: number) => (s >= 90 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(s < 10 ? 1 : 0)} s`);

/**
 * Seconds left for `remaining` later frames of `iters` steps: the mean of the later frames done;
 * before there is one, the first frame's time per step × `iters`; while the first frame runs, its
 * current time per step (`perStep`) × `iters`.
 */
function eta(stats: FrameStats[], remaining: number, iters: number, perStep = 0): number {
  const warm = stats.filter((s) => s.warm).map((s) => s.seconds);
  const first = stats.find((s) => !s.warm);
  const each = warm.length ? warm.reduce((x, y) => x + y, 0) / warm.length : first ? (first.seconds / Math.max(1, first.steps)) * iters : perStep * iters;
  return remaining * each;
}

async function encode(job: VideoJob, info: VideoInfo, work: WorkFolder, count: number, size: { width: number; height: number }) {
  const partial = job.out.replace(/(\.[^./]+)$/, `.partial-${process.pid}$1`);
  const enc = openEncoder({ out: partial, format: job.format as 'mp4' | 'webm', ...size, rate: info.rate, input: job.video, start: job.start, seconds: count / info.fps, audio: info.audio });
  for (let i = 0; i < count; i++) {
    const png = decodePngOverWhite(readInputFile(work.framePath(i), 'frame'), work.framePath(i));
    await enc.write(png.data);
  }
  await enc.finish();
  renameSync(partial, job.out);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    process.stdout.write(VIDEO_HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const { job, info, count, work, verbose } = prepare(argv);
  const size = frameSize(info, job.size);
  const done = Math.min(work.done(), count);
  const say = (t: string) => process.stderr.write(`${t}\n`);
  say(`${job.video}: ${info.width}×${info.height}, ${info.fps.toFixed(3)} fps, ${info.frames} frames${info.audio ? `, audio (${info.audio.codec})` : ', no audio'}; painting ${count} frame${count === 1 ? '' : 's'} at ${size.width}×${size.height}`);
  let made = count;
  if (done > 0) say(`continuing after frame ${done} of ${count} (finished frames are in ${work.dir})`);

  if (done < count) {
    const found = await findDawnAdapter(job.adapter);
    if (!found) throw new Error('npm run video runs in Node through Dawn and needs a GPU or lavapipe (bash tools/setup.sh installs lavapipe)');
    allowShaderImports();
    const { createStylizer } = await import('../src/index.js');
    const styles = await loadStyles(job);
    const stylizer = await createStylizer({ gpu: found.gpu });
    say(`adapter: ${found.kind} (${found.adapter.info?.description || found.adapter.info?.device || found.adapter.info?.vendor || '?'})`);
    const tty = process.stderr.isTTY;
    let flowInit: FlowInit | null = null;
    try {
      let previous: { result: Rgba; content: Rgba } | null = null;
      let index = 0;
      for await (const data of decodeFrames(job.video, job.start, count, size.width, size.height)) {
        const content: Rgba = { width: size.width, height: size.height, data };
        if (index < done) {
          // finished earlier: only the last one is needed, as the next frame's start
          if (index === done - 1) previous = { result: decodePngOverWhite(readInputFile(work.framePath(index), 'frame'), work.framePath(index)), content };
          index++;
          continue;
        }
        const warm = previous !== null && !job.independent;
        const stats = work.stats();
        const head = `frame ${index + 1}/${count}`;
        let last = 0;
        const t0 = performance.now();
        let init: { image: Rgba; mask: Rgba; trusted: number } | null = null;
        if (warm) {
          if (!flowInit) flowInit = new (await import('../src/video/flow_init.js')).FlowInit(stylizer.lib, size.width, size.height);
          init = await flowInit.init(previous!, content);
        }
        const r = await stylizer.stylize({
          content,
          style: styles,
          size: Math.max(size.width, size.height),
          ...job.options,
          ...(init ? { initImage: init.image, iterations: job.iters, scales: 1 } : { iterations: job.itersFirst }),
          ...(init && job.temporalWeight > 0 ? { temporal: { image: init.image, mask: init.mask, weight: job.temporalWeight } } : {}),
          onProgress: (p) => {
            // before the first step is timed, the last frame's time per step
            const perStep = p.secondsPerStep || (stats.length ? stats[stats.length - 1].seconds / Math.max(1, stats[stats.length - 1].steps) : 0);
            const left = eta(stats, count - index - 1, job.independent ? job.itersFirst : job.iters, perStep) + (p.iterations - p.step) * perStep;
            const line = `${head} step ${p.step}/${p.iterations} ${p.secondsPerStep.toFixed(2)} s/step, style ${p.losses.styleTotal.toExponential(2)}  overall ${Math.floor((100 * index) / count)}%, ETA ${clock(left)}`;
            if (tty) process.stderr.write(`\r\x1b[K${line}`);
            else if (p.step === p.iterations || performance.now() - last > 5000) {
              say(line);
              last = performance.now();
            }
          },
        });
        const seconds = (performance.now() - t0) / 1000;
        if (r.width !== size.width || r.height !== size.height) throw new Error(`frame ${index + 1}: the result is ${r.width}×${r.height}, not ${size.width}×${size.height}`);
        const result: Rgba = { width: r.width, height: r.height, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) };
        writePngAtomic(work.framePath(index), result.width, result.height, result.data);
        const s: FrameStats = { frame: index + 1, seconds, steps: r.steps, warm, ...(init ? { trusted: init.trusted } : {}), losses: r.losses };
        work.record(s);
        if (tty) process.stderr.write('\r\x1b[K');
        say(`${head} done in ${clock(seconds)} (${r.steps} steps${init ? `, warm start (${Math.round(100 * init.trusted)}% warped)` : ', as a still'}; style ${r.losses.styleTotal.toExponential(3)}, content ${r.losses.contentTotal.toExponential(3)}${init && job.temporalWeight > 0 ? `, temporal ${r.losses.temporal.toExponential(2)}` : ''})  overall ${Math.round((100 * (index + 1)) / count)}%, ETA ${clock(eta([...stats, s], count - index - 1, job.independent ? job.itersFirst : job.iters))}`);
        previous = { result, content };
        index++;
      }
      if (index < count) say(`note: ffmpeg gave ${index} frames, not the ${count} expected`);
      made = index;
    } finally {
      flowInit?.release();
      stylizer.destroy();
    }
  }
  const frames = Math.min(made, work.done());
  if (job.format === 'png') {
    say(`wrote ${frames} frame${frames === 1 ? '' : 's'} to ${job.out}/`);
    return 0;
  }
  await encode(job, info, work, frames, size);
  say(`wrote ${job.out} (${frames} frame${frames === 1 ? '' : 's'}, ${size.width}×${size.height}, ${info.fps.toFixed(3)} fps${info.audio ? ', with the audio' : ''}); the frames stay in ${work.dir} (delete it once the video is right)`);
  if (verbose) say(`work folder: ${work.dir}`);
  return 0;
}

runMain(main);
