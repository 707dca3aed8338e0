/**
 * Video in and out through ffmpeg, for `npm run video`: ffprobe's facts about a file, its frames
 * decoded to raw RGBA on a pipe (scaled by ffmpeg), and frames piped as raw RGBA into an encoder
 * (H.264 mp4 or VP9 WebM) with the input's audio track, trimmed to the frames used.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { onCleanup } from './cleanup.js';

export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second as ffmpeg writes it (e.g. "30000/1001") and as a number. */
  rate: string;
  fps: number;
  /** Seconds (the container's, else the stream's). */
  duration: number;
  /** Frames in the file: ffprobe's count where the container has one, else duration × fps. */
  frames: number;
  audio: { codec: string } | null;
}

/** One line unless `tool` runs (ffmpeg and ffprobe are needed for video). */
export function checkFfmpeg(): void {
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const r = spawnSync(tool, ['-version'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) throw new Error(`${tool} was not found on PATH: npm run video needs ffmpeg and ffprobe (apt-get install ffmpeg, or bash tools/setup.sh)`);
  }
}

const rateOf = (r: string | undefined) => {
  const [n, d] = (r ?? '').split('/').map(Number);
  return n > 0 && (d === undefined || d > 0) ? n / (d ?? 1) : NaN;
};

/** ffprobe's answer about `path`; a file ffprobe cannot read, or one without a video stream, is an error naming `flag` and the file. */
export function probeVideo(path: string, flag = '--video'): VideoInfo {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const why = (r.stderr || '').trim().split('\n').pop()?.replace(`${path}: `, '');
  if (r.status !== 0) throw new Error(`${flag} ${path}: not a video ffprobe can read (${why || `exit ${r.status}`})`);
  type Stream = { codec_type?: string; codec_name?: string; width?: number; height?: number; r_frame_rate?: string; avg_frame_rate?: string; nb_frames?: string; duration?: string; disposition?: { attached_pic?: number } };
  const j = JSON.parse(r.stdout) as { streams?: Stream[]; format?: { duration?: string; format_name?: string } };
  const v = (j.streams ?? []).find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const format = j.format?.format_name ?? '';
  if (!v || !v.width || !v.height || /image2|_pipe$|png|jpeg/.test(format)) throw new Error(`${flag} ${path}: not a video (ffprobe finds ${v ? `a still image (${format})` : 'no video stream'})`);
  let fps = rateOf(v.avg_frame_rate);
  if (!Number.isFinite(fps) || fps <= 0 || fps > 1000) fps = rateOf(v.r_frame_rate);
  if (!Number.isFinite(fps) || fps <= 0) throw new Error(`${flag} ${path}: ffprobe gives no frame rate for its video stream`);
  const rate = v.avg_frame_rate && rateOf(v.avg_frame_rate) === fps ? v.avg_frame_rate : v.r_frame_rate!;
  const duration = Number(j.format?.duration ?? v.duration ?? NaN);
  const counted = Number(v.nb_frames);
  const frames = Number.isInteger(counted) && counted > 0 ? counted : Number.isFinite(duration) ? Math.round(duration * fps) : 0;
  const a = (j.streams ?? []).find((s) => s.codec_type === 'audio');
  return { width: v.width, height: v.height, rate, fps, duration: Number.isFinite(duration) ? duration : frames / fps, frames, audio: a ? { codec: a.codec_name ?? '?' } : null };
}

/** The size frames are stylized at: longer side `size`, both sides even (H.264's yuv420p needs them so). */
export function frameSize(info: VideoInfo, size: number): { width: number; height: number } {
  const s = size / Math.max(info.width, info.height);
  const even = (v: number) => Math.max(2, 2 * Math.round((v * s) / 2));
  return { width: even(info.width), height: even(info.height) };
}

function killOnStop(p: ChildProcess): () => void {
  const off = onCleanup(async () => {
    p.kill('SIGKILL');
  });
  p.on('exit', () => off());
  return off;
}

/**
 * The frames of `path` from `start` seconds, at most `count`, scaled to width × height, as RGBA
 * buffers in order. Raw frames come over a pipe (no temporary files); reading pauses ffmpeg.
 */
export async function* decodeFrames(path: string, start: number, count: number, width: number, height: number): AsyncGenerator<Uint8Array> {
  const args = ['-v', 'error', '-nostdin', ...(start > 0 ? ['-ss', String(start)] : []), '-i', path, '-frames:v', String(count), '-an', '-sn',
    '-vf', `scale=${width}:${height}:flags=area,setsar=1`, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'];
  const p = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnStop(p);
  let err = '';
  p.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((res) => p.on('close', (code) => res(code)));
  const bytes = width * height * 4;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of p.stdout!) {
      pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      while (pending.length >= bytes) {
        yield new Uint8Array(pending.subarray(0, bytes));
        pending = pending.subarray(bytes);
      }
    }
    const code = await exited;
    if (code !== 0) throw new Error(`ffmpeg could not decode ${path}: ${err.trim().split('\n').pop() ?? `exit ${code}`}`);
  } finally {
    if (p.exitCode === null) p.kill('SIGKILL');
  }
}

export type VideoFormat = 'mp4' | 'webm';

/** The audio codec and whether the input's track is copied as it is or re-encoded for the container. */
function audioArgs(format: VideoFormat, codec: string): string[] {
  if (format === 'mp4') return codec === 'aac' || codec === 'mp3' ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '160k'];
  return codec === 'opus' || codec === 'vorbis' ? ['-c:a', 'copy'] : ['-c:a', 'libopus', '-b:a', '128k'];
}

/**
 * An encoder writing `out` (its container `format`): frames are written to it as raw RGBA, the
 * input's audio from `start` for the frames' duration is mapped in. `finish` waits for the file.
 */
export function openEncoder(o: { out: string; format: VideoFormat; width: number; height: number; rate: string; input: string; start: number; seconds: number; audio: VideoInfo['audio'] }) {
  const video = o.format === 'mp4'
    ? ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', '-preset', 'medium', '-movflags', '+faststart']
    : ['-c:v', 'libvpx-vp9', '-pix_fmt', 'yuv420p', '-crf', '30', '-b:v', '0', '-row-mt', '1'];
  const audio = o.audio
    ? [...(o.start > 0 ? ['-ss', String(o.start)] : []), '-t', o.seconds.toFixed(6), '-i', o.input, '-map', '0:v:0', '-map', '1:a:0', ...audioArgs(o.format, o.audio.codec)]
    : ['-map', '0:v:0'];
  const args = ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${o.width}x${o.height}`, '-framerate', o.rate, '-i', 'pipe:0',
    ...audio, ...video, '-r', o.rate, '-f', o.format, o.out];
  const p = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  killOnStop(p);
  let err = '';
  p.stderr!.on('data', (d) => (err += d));
  const closed = new Promise<number | null>((res) => p.on('close', (code) => res(code)));
  p.stdin!.on('error', () => {}); // a dead encoder is reported by finish
  return {
    write: (rgba: Uint8Array) => new Promise<void>((res) => void p.stdin!.write(rgba, () => res())),
    async finish(): Promise<void> {
      p.stdin!.end();
      const code = await closed;
      if (code !== 0) throw new Error(`ffmpeg could not encode ${o.out}: ${err.trim().split('\n').pop() ?? `exit ${code}`}`);
    },
  };
}
