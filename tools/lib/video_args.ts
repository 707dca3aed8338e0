/** The flags of `npm run video` (tools/video.ts): parsed and checked before any work. */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Args } from './args.js';
import { ADAPTER_HELP, adapterFlag, type AdapterChoice } from './dawn_adapters.js';
import { regularFile } from './input_files.js';
import { COLOUR_MODES } from '../../src/nst/options.js';
import { networkDefaults } from '../../src/nst/defaults.js';
import type { VideoFormat } from './video_io.js';
import { TEMPORAL_WEIGHT } from '../../src/video/compose_init.js';

/** Steps of each later (warm-started) frame: chosen by measurement (docs/video.md, "The video command"). */
export const WARM_ITERS = 30;
export const DEFAULT_VIDEO_SIZE = 256;
/** Beyond this a frame takes minutes even on a GPU and its buffers may not fit: refused. */
export const MAX_VIDEO_SIZE = 2048;

const S = networkDefaults('squeezenet');

export const VIDEO_HELP = `Neural style transfer for a video, frame by frame (SqueezeNet 1.1, in Node through Dawn).

usage: npm run video -- --video IN --style FILE[,FILE…] --out OUT.mp4 [options]
  --video IN              the input video (anything ffmpeg reads)                  [required]
  --style FILE[,FILE…]    style image(s); blend with --style-blend 0.7,0.3         [required]
  --out OUT               OUT.mp4 / .m4v / .mov (H.264, yuv420p), OUT.webm (VP9), or a folder: PNG frames
                          (frame_000001.png, …). The input's frame rate and audio (trimmed to
                          the frames made) are kept                                 [required]
  --size N                longer side of the frames in pixels (default ${DEFAULT_VIDEO_SIZE}, or the video's own
                          if smaller; rounded to even sides; at most ${MAX_VIDEO_SIZE}; a larger size than
                          the video's enlarges it)
  --start SECONDS         begin this far into the video (default 0)
  --frames N              at most N frames (default: to the end)
  --iters-first N         steps of the first frame, painted as a still, coarse to fine
                          (default ${S.iterations} at the coarsest scale, as npm run stylize)
  --iters N               steps of each later frame, started at one scale from the previous
                          result warped along the optical flow, with the temporal loss
                          (default ${WARM_ITERS}: as stylized as stills, 12× steadier, about a third
                          of the first frame's time; measured, docs/video.md)
  --independent           paint every frame as a still (no warm start): for comparisons
  --temporal-weight W     λ of the temporal loss on later frames (Ruder et al. 2016): holds each
                          pixel the flow can follow at the previous result warped; 0 turns it
                          off (default ${TEMPORAL_WEIGHT.toExponential()})
  --restart               throw away the frames of an earlier run in the work folder
  Loss settings (SqueezeNet's defaults): --content-weight (${S.contentWeight}), --style-weight (${S.styleWeight}),
  --tv-weight (${S.tvWeight}), --content-layers, --style-layers, --lr (${S.lr}), --style-scale (1),
  --style-blend, --original-colors [luminance|histogram], --seed
${ADAPTER_HELP.replace('auto (default, or $NST_ADAPTER: a GPU, else\n                          Mesa\'s lavapipe on the CPU, else SwiftShader in headless Chromium),\n                          gpu, lavapipe, swiftshader', 'auto (default, or $NST_ADAPTER: a GPU, else\n                          Mesa\'s lavapipe on the CPU), gpu, lavapipe')}
  --verbose               stack traces with errors

Finished frames are kept as PNGs in OUT.frames/ (for folder output: the folder itself) with
settings.json; the same command again continues after the last finished frame (Ctrl-C loses at
most the frame in progress), and the video is encoded once all frames are there.
`;

export interface VideoJob {
  video: string;
  styles: { path: string; blend: number }[];
  out: string;
  /** Where PNG frames go: a folder, or null for an encoded video. */
  format: VideoFormat | 'png';
  size: number;
  start: number;
  frames: number | undefined;
  itersFirst: number;
  iters: number;
  temporalWeight: number;
  independent: boolean;
  restart: boolean;
  adapter: AdapterChoice;
  /** Passed to the library's stylize as they are. */
  options: {
    contentWeight?: number;
    styleWeight?: number;
    tvWeight?: number;
    contentLayers?: string;
    styleLayers?: string;
    lr?: number;
    styleScale?: number;
    originalColors?: 'luminance' | 'histogram';
    seed?: number;
  };
}

const FORMATS: Record<string, VideoFormat> = { '.mp4': 'mp4', '.m4v': 'mp4', '.mov': 'mp4', '.webm': 'webm' };

/** What --out names: a video by its extension, or a folder (existing, ending in /, or without an extension). */
function outFormat(out: string): VideoFormat | 'png' {
  if (out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory())) return 'png';
  const ext = extname(out).toLowerCase();
  if (FORMATS[ext]) return FORMATS[ext];
  if (ext === '') return 'png';
  throw new Error(`--out must end in .mp4, .m4v, .mov or .webm, or name a folder for PNG frames, got "${out}"`);
}

export function parseVideoArgs(a: Args): VideoJob {
  const video = a.str('video');
  const style = a.str('style');
  const out = a.str('out');
  if (!video) throw new Error('--video FILE is required');
  if (!style) throw new Error('--style FILE is required');
  if (!out) throw new Error('--out OUT.mp4 (or .webm, or a folder) is required');
  regularFile(video, '--video');
  const stylePaths = style.split(',').filter(Boolean);
  for (const p of stylePaths) regularFile(p, '--style');
  const blendText = a.str('style-blend');
  const blends = blendText ? blendText.split(',').map(Number) : stylePaths.map(() => 1);
  if (blends.length !== stylePaths.length || blends.some((b) => !Number.isFinite(b) || b < 0)) {
    throw new Error(`--style-blend needs ${stylePaths.length} non-negative number(s), got "${blendText}"`);
  }
  const adapter = adapterFlag(a);
  if (adapter === 'swiftshader') throw new Error('--adapter swiftshader: npm run video runs in Node through Dawn (a GPU or lavapipe), not in headless Chromium');
  const sizeText = a.str('size');
  if (sizeText !== undefined && Number(sizeText) > MAX_VIDEO_SIZE) throw new Error(`--size ${sizeText} is more than ${MAX_VIDEO_SIZE} px: too large for video frames (minutes per frame even on a GPU)`);
  const cl = a.str('content-layers');
  const sl = a.str('style-layers');
  return {
    video,
    styles: stylePaths.map((path, i) => ({ path, blend: blends[i] })),
    out: out.replace(/\/+$/, '') || out,
    format: outFormat(out),
    // resolved against the video's own size once it is probed (videoSize)
    size: a.int('size', 0, 16, MAX_VIDEO_SIZE)!,
    start: a.num('start', 0, (v) => v >= 0, 'a number of seconds ≥ 0')!,
    frames: a.int('frames', undefined, 1, 10_000_000),
    itersFirst: a.int('iters-first', S.iterations, 0, 100000)!,
    iters: a.int('iters', WARM_ITERS, 0, 100000)!,
    temporalWeight: a.num('temporal-weight', TEMPORAL_WEIGHT, (v) => v >= 0 && v <= 1e15, 'a number in [0, 1e15]')!,
    independent: a.has('independent'),
    restart: a.has('restart'),
    adapter,
    options: {
      contentWeight: a.num('content-weight', undefined, (v) => v >= 0, 'a number ≥ 0'),
      styleWeight: a.num('style-weight', undefined, (v) => v >= 0, 'a number ≥ 0'),
      tvWeight: a.num('tv-weight', undefined, (v) => v >= 0, 'a number ≥ 0'),
      ...(cl !== undefined ? { contentLayers: cl } : {}),
      ...(sl !== undefined ? { styleLayers: sl } : {}),
      lr: a.num('lr', undefined, (v) => v > 0 && v <= 1000, 'a number in (0, 1000]'),
      styleScale: a.num('style-scale', undefined, (v) => v > 0 && v <= 4, 'a number in (0, 4]'),
      originalColors: a.optionalChoice('original-colors', COLOUR_MODES, 'luminance'),
      seed: a.int('seed', undefined, 0, 2 ** 31),
    },
  };
}

/** The frames' longer side: --size, else the default or the video's own longer side if smaller (no enlarging by default). */
export function videoSize(job: VideoJob, info: { width: number; height: number }): number {
  return job.size || Math.min(DEFAULT_VIDEO_SIZE, Math.max(info.width, info.height));
}

/** What a work folder's frames depend on (not --frames, --out, --adapter: a longer run continues a shorter one). */
export function settingsOf(job: VideoJob, fileFacts: (path: string) => unknown): Record<string, unknown> {
  const kebab = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const options = Object.fromEntries(Object.entries(job.options).filter(([, v]) => v !== undefined).map(([k, v]) => [kebab(k), v]));
  // keyed by flag, so that a refusal names the flags that differ
  return {
    '--video': { path: resolve(job.video), ...(fileFacts(job.video) as object) },
    '--style': job.styles.map((s) => ({ path: resolve(s.path), blend: s.blend, ...(fileFacts(s.path) as object) })),
    '--size': job.size,
    '--start': job.start,
    '--iters-first': job.itersFirst,
    '--iters': job.iters,
    '--temporal-weight': job.independent ? null : job.temporalWeight,
    '--independent': job.independent,
    // how a later frame starts: the previous result warped along the optical flow (work folders
    // from before that have no entry, and are refused rather than continued another way)
    start: job.independent ? 'still' : 'flow-warped',
    ...options,
  };
}
