/**
 * npm run video end to end on tiny clips made with ffmpeg from the committed example photos (a
 * crop moving over chelsea.png, 8 frames at 10 fps, 96×72, with a sine audio track): the output's
 * frames, size, frame rate and audio; a run stopped after a few frames continues where it stopped
 * without painting the finished frames again; other settings are refused; bad input is refused
 * with one line before any GPU work. SqueezeNet (the default) at 64 px, a few steps.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, tool } from './harness/cli_tool.js';

const dir = mkdtempSync(join(tmpdir(), 'nst-video-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clip = join(dir, 'clip.mp4');
const STYLE = 'examples/starry_night.jpg';
const FAST = ['--size', '64', '--iters-first', '6', '--iters', '3'];
const video = (args: string[], env: Record<string, string> = {}) => tool('tools/video.ts', args, env);

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

/** ffprobe's streams of a file: codec type, size, frame rate, frame count. */
function streams(path: string): { codec_type: string; width?: number; height?: number; r_frame_rate?: string; nb_frames?: string }[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', path], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { streams: never[] }).streams.map((s: { nb_read_frames?: string }) => ({ ...(s as object), nb_frames: s.nb_read_frames })) as never;
}

beforeAll(() => {
  ffmpeg(['-loop', '1', '-i', 'examples/chelsea.png', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-filter_complex', "[0:v]crop=200:150:'20+t*60':'10+t*30',scale=96:72,fps=10[v]", '-map', '[v]', '-map', '1:a', '-t', '0.8',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]);
});

const records = (work: string) => readFileSync(join(work, 'frames.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { frame: number; warm: boolean; steps: number; losses: { temporal: number } });

describe('npm run video', () => {
  it('writes an H.264 mp4 with every frame, the size asked for, the input frame rate and its audio', async () => {
    const out = join(dir, 'out.mp4');
    const r = await video(['--video', clip, '--style', STYLE, '--out', out, ...FAST]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/frame 8\/8 done in .*overall 100%, ETA/);
    const [v, a] = [streams(out).find((s) => s.codec_type === 'video')!, streams(out).find((s) => s.codec_type === 'audio')];
    expect([v.width, v.height, v.r_frame_rate, v.nb_frames]).toEqual([64, 48, '10/1', '8']);
    expect(a, 'the audio track').toBeDefined();
    // the first frame a still (coarse to fine), the later ones warm-started with --iters steps
    const recs = records(`${out}.frames`);
    expect(recs.map((x) => x.warm)).toEqual([false, true, true, true, true, true, true, true]);
    expect(recs.slice(1).every((x) => x.steps === 3)).toBe(true);
    // the later frames have the temporal term (the first has nothing to hold)
    expect(recs[0].losses.temporal).toBe(0);
    expect(recs.slice(1).every((x) => x.losses.temporal > 0)).toBe(true);
    // npm run video-style: the written frames are far more stylized than the clip itself
    const m = await tool('tools/video_style.ts', ['--input', clip, '--style', STYLE, `${out}.frames`, clip]);
    expect(m.code, m.err).toBe(0);
    const means = m.out.trim().split('\n').map((l) => {
      const f = l.split('\t');
      expect(f[1].split(' ').length).toBe(4 + 8); // "style loss per frame" and 8 values
      expect(f[3]).toMatch(/^÷ first 1\.00 /);
      return Number(f[2].replace('mean ', ''));
    });
    expect(means).toHaveLength(2);
    expect(means[0]).toBeLessThan(0.5 * means[1]);
  });

  it('writes VP9 WebM, and PNG frames into a folder', async () => {
    const webm = join(dir, 'out.webm');
    const r = await video(['--video', clip, '--style', STYLE, '--out', webm, '--frames', '3', ...FAST]);
    expect(r.code, r.err).toBe(0);
    const v = streams(webm).find((s) => s.codec_type === 'video')!;
    expect([v.width, v.height, v.nb_frames]).toEqual([64, 48, '3']);
    expect(streams(webm).some((s) => s.codec_type === 'audio')).toBe(true);
    const folder = join(dir, 'pngs');
    const p = await video(['--video', clip, '--style', STYLE, '--out', `${folder}/`, '--frames', '2', '--temporal-weight', '0', ...FAST]);
    expect(p.code, p.err).toBe(0);
    expect(existsSync(join(folder, 'frame_000002.png')) && !existsSync(join(folder, 'frame_000003.png'))).toBe(true);
    // --temporal-weight 0: no temporal term
    expect(records(folder).map((x) => x.losses.temporal)).toEqual([0, 0]);
    // without --size a clip smaller than the default is painted at its own size, not enlarged
    const own = join(dir, 'own-size');
    const o = await video(['--video', clip, '--style', STYLE, '--out', `${own}/`, '--frames', '1', '--iters-first', '2']);
    expect(o.code, o.err).toBe(0);
    expect(o.err).toMatch(/painting 1 frame at 96×72/);
    expect(o.err).toMatch(/wrote 1 frame to /);
  });

  it('continues a stopped run after its last finished frame, and refuses other settings', async () => {
    const out = join(dir, 'resumed.mp4');
    const work = `${out}.frames`;
    const args = ['tools/video.ts', '--video', clip, '--style', STYLE, '--out', out, ...FAST];
    // stopped (Ctrl-C) once frame 3 is done
    await new Promise<void>((resolve) => {
      const child = spawn('npx', ['tsx', ...args], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
        if (/frame 3\/8 done/.test(err)) process.kill(-child.pid!, 'SIGINT');
      });
      child.on('close', () => resolve());
    });
    expect(existsSync(out)).toBe(false);
    const done = records(work).length;
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(8);
    const before = statSync(join(work, 'frame_000001.png')).mtimeMs;
    const r = await video(args.slice(1));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`continuing after frame ${done} of 8`);
    expect(r.err).not.toMatch(/frame 1\/8 done/);
    expect(statSync(join(work, 'frame_000001.png')).mtimeMs).toBe(before);
    // each frame painted once: the earlier ones were not recomputed
    expect(records(work).map((x) => x.frame)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(streams(out).find((s) => s.codec_type === 'video')!.nb_frames).toBe('8');

    const other = await video([...args.slice(1), '--size', '80']);
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/the work folder .*resumed\.mp4\.frames belongs to other settings \(--size 64 there, 80 here\): .*add --restart/);
    const lambda = await video([...args.slice(1), '--temporal-weight', '5']);
    expect(lambda.err).toMatch(/belongs to other settings \(--temporal-weight 1000000 there, 5 here\)/);
  });
});

describe('bad input: one line, before any GPU work', () => {
  const text = join(dir, 'notes.txt');
  const empty = join(dir, 'empty.y4m');
  const noFfmpeg = join(dir, 'bin');
  beforeAll(() => {
    writeFileSync(text, 'not a video\n');
    writeFileSync(empty, 'YUV4MPEG2 W64 H48 F10:1 Ip A1:1 C420jpeg\n'); // a video stream with no frames
    mkdirSync(noFfmpeg, { recursive: true });
  });
  const cases: [string, () => string[], RegExp][] = [
    ['not a video', () => ['--video', text, '--style', STYLE, '--out', join(dir, 'x.mp4')], /^error: --video .*notes\.txt: not a video ffprobe can read \(/m],
    ['a still image', () => ['--video', 'examples/chelsea.png', '--style', STYLE, '--out', join(dir, 'x.mp4')], /^error: --video examples\/chelsea\.png: not a video \(ffprobe finds a still image/m],
    ['zero frames', () => ['--video', empty, '--style', STYLE, '--out', join(dir, 'x.mp4')], /^error: --video .*empty\.y4m: has no video frames$/m],
    ['--start past the end', () => ['--video', clip, '--style', STYLE, '--out', join(dir, 'x.mp4'), '--start', '5'], /^error: --start 5 is past the end of .*clip\.mp4 \(0\.80 s\)$/m],
    ['a huge --size', () => ['--video', clip, '--style', STYLE, '--out', join(dir, 'x.mp4'), '--size', '100000'], /^error: --size 100000 is more than 2048 px/m],
    ['an unwritable --out', () => ['--video', clip, '--style', STYLE, '--out', '/proc/nst-video/x.mp4'], /^error: cannot write "\/proc\/nst-video\/x\.mp4" \(--out\)/m],
    ['an unknown --out extension', () => ['--video', clip, '--style', STYLE, '--out', join(dir, 'x.gif')], /^error: --out must end in \.mp4, \.m4v, \.mov or \.webm, or name a folder/m],
    ['a negative --temporal-weight', () => ['--video', clip, '--style', STYLE, '--out', join(dir, 'x.mp4'), '--temporal-weight', '-1'], /^error: --temporal-weight .*-1/m],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await video(args());
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/adapter:/);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }
  it('no ffmpeg on PATH', async () => {
    const r = await runCommand(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/video.ts', '--video', clip, '--style', STYLE, '--out', join(dir, 'x.mp4')], { env: { ...process.env, PATH: noFfmpeg } });
    expect(r.code, r.err).toBe(1);
    expect(r.err.trim()).toMatch(/^error: ffmpeg was not found on PATH: npm run video needs ffmpeg and ffprobe/);
  });
});
