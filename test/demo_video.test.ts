/**
 * The demo page's Video tab in headless Chromium (SwiftShader): the camera painted live from
 * Chromium's fake camera playing a clip made here with ffmpeg (a moving crop of
 * examples/chelsea.png), a denied camera, and a clip painted into a WebM checked with ffprobe.
 * Tiny sizes and few steps: SwiftShader is slow. Screenshots go to test-artifacts/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchGpuPage, type BrowserSession } from '../tools/lib/browser.js';
import { axeViolations, demoSitePerFile, setValue } from './harness/demo_page.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
const NO_FFMPEG = 'ffmpeg/ffprobe not on PATH (Debian: apt-get install ffmpeg; tools/setup.sh installs it): the fake camera clip and the WebM check need them';
if (!hasFfmpeg) console.warn(`demo_video.test.ts skipped: ${NO_FFMPEG}`);

const built = demoSitePerFile('dist/demo-video-test');
let dir = '';
beforeAll(() => {
  mkdirSync('test-artifacts', { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'nst-video-test-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Per frame, the linear clip's crop moves right by DX px and down by DY px: the picture moves by (−DX, −DY). */
const [DX, DY] = [4, 2];

/**
 * A moving crop of chelsea.png (`w`×`h`, `frames` frames at `fps`) written by ffmpeg to `out`
 * (.y4m or .webm): drifting on a circle, or `linear`: by (DX, DY) px a frame.
 */
function makeClip(out: string, w: number, h: number, fps: number, frames: number, linear = false): void {
  const crop = `scale=240:-2,crop=${w}:${h}:${linear ? `'40+${DX}*n':'30+${DY}*n'` : `'60+40*sin(n/3)':'30+20*cos(n/3)'`}`;
  const codec = out.endsWith('.webm') ? ['-c:v', 'libvpx', '-b:v', '200k'] : [];
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', String(fps), '-i', 'examples/chelsea.png', '-vf', crop, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', ...codec, out]);
}

async function open(args: string[], webgpu = true): Promise<BrowserSession> {
  const s = await launchGpuPage({ files: { ...built.get() }, args, webgpu });
  await s.page.setViewport({ width: 1280, height: 800 });
  await s.page.goto(`${s.url}index.html`);
  await s.page.waitForFunction(() => document.body.dataset.gpu, { timeout: 60_000 });
  await s.page.click('#tab-video');
  return s;
}

/** Tiny settings: a few seconds per frame on SwiftShader. */
async function tiny(p: Page, size: string) {
  await setValue(p, 'video-size', size);
  await setValue(p, 'video-steps', '2');
  await setValue(p, 'video-first-steps', '2');
}

type Plain = { width: number; height: number; data: number[] };
/** Shifts searched for the motion between two frames, and the border left out so every shift stays inside. */
const [MAX_DX, MAX_DY] = [12, 6];

/** Mean absolute RGB difference of `b` and `a` moved by (dx, dy): b(x, y) against a(x + dx, y + dy), inside the border. */
function shiftedDiff(a: Plain, b: Plain, dx: number, dy: number): number {
  const W = a.width, H = a.height;
  let sum = 0, n = 0;
  for (let y = MAX_DY; y < H - MAX_DY; y++)
    for (let x = MAX_DX; x < W - MAX_DX; x++)
      for (let c = 0; c < 3; c++) {
        sum += Math.abs(b.data[4 * (y * W + x) + c] - a.data[4 * ((y + dy) * W + x + dx) + c]);
        n++;
      }
  return sum / n;
}

/** The shift (dx, dy) that best carries frame `a` onto frame `b` (b(x, y) ≈ a(x + dx, y + dy)). */
function motion(a: Plain, b: Plain): [number, number] {
  let best: [number, number] = [0, 0], least = Infinity;
  for (let dy = -MAX_DY; dy <= MAX_DY; dy++)
    for (let dx = -MAX_DX; dx <= MAX_DX; dx++) {
      const d = shiftedDiff(a, b, dx, dy);
      if (d < least) [best, least] = [[dx, dy], d];
    }
  return best;
}

const shown = (p: Page, id: string) => p.$eval(`#${id}`, (e) => ((e as HTMLElement).hidden ? '' : (e.textContent ?? '')));

describe.skipIf(!hasFfmpeg)('Video tab', () => {
  it('Camera: paints the fake camera live; shows frames/s; Stop ends the tracks and leaves no figure', async () => {
    const clip = join(dir, 'camera.y4m');
    makeClip(clip, 96, 72, 10, 30);
    const s = await open(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`]);
    try {
      const p = s.page;
      // SwiftShader: the page's note on the style-transfer defaults is shown there, not here
      const noteShown = () => p.$eval('#adapter-note', (e) => !!(e as HTMLElement).offsetParent);
      expect(await noteShown()).toBe(false);
      await p.click('#tab-stylize');
      expect(await noteShown()).toBe(true);
      await p.click('#tab-video');
      await tiny(p, '48');
      await p.click('#video-start');
      await p.waitForFunction(() => ((window as unknown as { nstVideo?: { frames: number } }).nstVideo?.frames ?? 0) >= 4 || !(document.querySelector('#video-message') as HTMLElement).hidden, { timeout: 120_000 });
      expect(await shown(p, 'video-message')).toBe('');
      const r = await p.evaluate(() => {
        const v = (window as unknown as { nstVideo: { lastInput: ImageData; lastOutput: ImageData; outputSums: number[]; diffs: number[] } }).nstVideo;
        const a = v.lastInput.data, b = v.lastOutput.data;
        let diff = 0;
        for (let i = 0; i < a.length; i++) if (i % 4 !== 3) diff += Math.abs(a[i] - b[i]);
        return { size: [v.lastOutput.width, v.lastOutput.height], inSize: [v.lastInput.width, v.lastInput.height], meanDiff: diff / ((a.length / 4) * 3), sums: v.outputSums, diffs: v.diffs };
      });
      expect(r.size).toEqual([48, 36]);
      expect(r.inSize).toEqual(r.size);
      // painted, not the camera's frame: SqueezeNet + The Starry Night moves the pixels by tens of levels
      expect(r.meanDiff).toBeGreaterThan(4);
      // the moving crop: each painted frame differs from the one before
      expect(new Set(r.sums).size).toBe(r.sums.length);
      const rate = await shown(p, 'video-rate');
      const fps = Number(/^([\d.]+) frames\/s · ([\d.]+) s per frame/.exec(rate)?.[1]);
      expect(fps, rate).toBeGreaterThan(0);
      expect(await p.$eval('#video-output', (c) => c.getAttribute('aria-label'))).toMatch(/painted: frame \d+, 48×36 px/);
      await p.screenshot({ path: 'test-artifacts/demo-video-camera.png' });
      await p.setViewport({ width: 390, height: 844 });
      await p.screenshot({ path: 'test-artifacts/demo-video-camera-phone.png', fullPage: true });
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      await p.setViewport({ width: 1280, height: 800 });
      await p.click('#video-stop');
      // the camera goes off at once, before the frame in progress gives up
      expect(await p.evaluate(() => (window as unknown as { nstVideo: { tracks: MediaStreamTrack[] } }).nstVideo.tracks.map((t) => t.readyState))).toEqual(['ended']);
      await p.waitForFunction(() => /^Stopped after \d+ frames?\. The camera is off\./.test(document.querySelector('#video-status')!.textContent ?? ''), { timeout: 60_000 });
      expect(await shown(p, 'video-rate')).toBe('');
      expect(await shown(p, 'video-message')).toBe('');
      expect(await p.$eval('#video-input', (v) => (v as HTMLVideoElement).srcObject)).toBe(null);
      expect(await p.$eval('#video-start', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
      expect(await p.$eval('#video-stop', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
      expect(await p.evaluate(() => document.activeElement?.id)).toBe('video-start');
      // leaving the tab turns the camera off too
      await p.evaluate(() => delete (window as unknown as { nstVideo?: unknown }).nstVideo);
      await p.click('#video-start');
      await p.waitForFunction(() => ((window as unknown as { nstVideo?: { frames: number } }).nstVideo?.frames ?? 0) >= 1, { timeout: 60_000 });
      await p.click('#tab-stylize');
      expect(await p.evaluate(() => (window as unknown as { nstVideo: { tracks: MediaStreamTrack[] } }).nstVideo.tracks.map((t) => t.readyState))).toEqual(['ended']);
      await p.waitForFunction(() => /^Stopped after \d+ frames?\. The camera is off\./.test(document.querySelector('#video-status')!.textContent ?? ''), { timeout: 60_000 });
      // a Stop before the camera has started still ends with a status that says so (not "Stopping…")
      await p.click('#tab-video');
      await p.click('#video-start');
      await p.click('#video-stop');
      await p.waitForFunction(() => /^Stopped/.test(document.querySelector('#video-status')!.textContent ?? ''), { timeout: 60_000 });
      expect(await shown(p, 'video-status')).toMatch(/^Stopped (before the first frame|after \d+ frames?)\. The camera is off\.$/);
      expect(await p.$eval('#video-start', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    } finally {
      await s.close();
    }
  }, 180_000);

  it('Camera denied: one plain message, no rate, Start again', async () => {
    const s = await open(['--use-fake-device-for-media-stream']);
    try {
      const p = s.page;
      await s.browser.defaultBrowserContext().overridePermissions(s.url.replace(/\/$/, ''), []);
      await p.click('#video-start');
      await p.waitForFunction(() => !(document.querySelector('#video-message') as HTMLElement).hidden, { timeout: 60_000 });
      expect(await shown(p, 'video-message')).toMatch(/^The camera was not allowed: this page was denied access to it\. Allow the camera/);
      expect(await p.$eval('#video-message', (e) => e.getAttribute('role'))).toBe('alert');
      expect(await shown(p, 'video-status')).toBe('The camera is off.');
      expect(await shown(p, 'video-rate')).toBe('');
      expect(await p.$eval('#video-start', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
      await p.screenshot({ path: 'test-artifacts/demo-video-denied.png' });
    } finally {
      await s.close();
    }
  }, 120_000);

  it('Video file: a 4-frame clip painted into a WebM with 4 frames at 12 fps, 64×48, that decodes; the painting follows the motion', async () => {
    const clip = join(dir, 'clip.webm');
    makeClip(clip, 64, 48, 12, 4, true);
    const s = await open([]);
    try {
      const p = s.page;
      await p.click('input[name=video-mode][value=file]');
      expect(await p.$eval('#video-start', (b) => b.textContent)).toBe('Paint the clip');
      await tiny(p, '64');
      const input = await p.$('#video-file');
      await (input as unknown as { uploadFile(f: string): Promise<void> }).uploadFile(clip);
      await p.click('#video-start');
      await p.waitForFunction(() => /^Done/.test(document.querySelector('#video-status')!.textContent ?? '') || !(document.querySelector('#video-message') as HTMLElement).hidden, { timeout: 150_000 });
      expect(await shown(p, 'video-message')).toBe('');
      expect(await shown(p, 'video-status')).toMatch(/^Done: 4 frames at 12 frames\/s, 64×48 px, VP[89] in WebM/);
      // the last two frames painted whose sources differ (the page's seeks sometimes give the same
      // frame twice): the picture moves by a multiple of (−DX, −DY) px, found from the sources, and
      // each later frame starts from the painting before warped along the flow (with the temporal
      // loss), so the later painting matches the one before moved by that much better than it
      // where it was (the plain previous painting as the start left the strokes, and the content, behind)
      const recent = await p.evaluate(() =>
        (window as unknown as { nstVideo: { recent: { input: ImageData; output: ImageData }[] } }).nstVideo.recent.map((f) =>
          [f.input, f.output].map((i) => ({ width: i.width, height: i.height, data: Array.from(i.data) })),
        ),
      );
      expect(recent.length).toBe(4);
      // each of the clip's frames painted once: every painted frame's source moved by (DX, DY) from the one before
      expect(recent.slice(1).map((f, i) => motion(recent[i][0], f[0]).join(','))).toEqual([`${DX},${DY}`, `${DX},${DY}`, `${DX},${DY}`]);
      let t = recent.length - 1;
      while (t > 1 && shiftedDiff(recent[t - 1][0], recent[t][0], 0, 0) === 0) t--;
      const [[inA, outA], [inB, outB]] = [recent[t - 1], recent[t]];
      const [dx, dy] = motion(inA, inB);
      const inMoved = shiftedDiff(inA, inB, dx, dy), inStill = shiftedDiff(inA, inB, 0, 0);
      const outMoved = shiftedDiff(outA, outB, dx, dy), outStill = shiftedDiff(outA, outB, 0, 0);
      console.log(`clip, the sources' shifts from painted frame to frame: ${recent.slice(1).map((f, i) => `(${motion(recent[i][0], f[0])})`).join(' ')}`);
      console.log(`clip, painted frames ${t} and ${t + 1}: the sources moved by (${dx}, ${dy}) px; mean abs difference (levels): sources moved ${inMoved.toFixed(2)}, in place ${inStill.toFixed(2)}; paintings moved ${outMoved.toFixed(2)}, in place ${outStill.toFixed(2)}; painting vs its source ${shiftedDiff(inB, outB, 0, 0).toFixed(2)}`);
      // the clip moves as made: by k·(DX, DY), k ≥ 1, and the sources agree once moved (lossy VP8/VP9 aside)
      expect(dx > 0 && dx * DY === dy * DX, `(${dx}, ${dy})`).toBe(true);
      expect(inMoved).toBeLessThan(0.2 * inStill);
      // the painting follows it
      expect(outMoved).toBeLessThan(0.5 * outStill);
      // and is painted, not the source
      expect(shiftedDiff(inB, outB, 0, 0)).toBeGreaterThan(4);
      const b64 = await p.evaluate(async () => {
        const r = await fetch((window as unknown as { nstVideo: { webm: string } }).nstVideo.webm);
        const bytes = new Uint8Array(await r.arrayBuffer());
        let s = '';
        for (const b of bytes) s += String.fromCharCode(b);
        return btoa(s);
      });
      const out = join(dir, 'painted.webm');
      writeFileSync(out, Buffer.from(b64, 'base64'));
      const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,nb_read_frames,codec_name:frame=pts_time', '-of', 'json', out], { encoding: 'utf8' }));
      expect(probe.streams[0]).toMatchObject({ width: 64, height: 48, nb_read_frames: '4' });
      expect(['vp8', 'vp9']).toContain(probe.streams[0].codec_name);
      // WebM keeps milliseconds: i/12 s rounded
      expect(probe.frames.map((f: { pts_time: string }) => Number(f.pts_time))).toEqual([0, 0.083, 0.167, 0.25]);
      const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', out, '-f', 'null', '-'], { encoding: 'utf8' });
      expect(decode.status).toBe(0);
      expect(decode.stderr).toBe('');
      expect(await p.$eval('#video-download', (a) => (a as HTMLAnchorElement).download)).toBe('clip-painted.webm');
      // the clip stays beside its painting, at the last frame painted
      expect(await shown(p, 'video-input-caption')).toBe('Clip: clip.webm, its last frame painted');
      expect(await p.$eval('#video-input', (v) => (v as HTMLVideoElement).currentTime)).toBeCloseTo(3.5 / 12, 2); // frame 3's middle
      expect(await shown(p, 'video-rate')).toBe('');
      expect(await p.$eval('#video-progress', (e) => (e as HTMLElement).hidden)).toBe(true);
      expect(await axeViolations(p)).toEqual([]);
      await p.screenshot({ path: 'test-artifacts/demo-video-file.png' });
      await p.setViewport({ width: 390, height: 844 });
      await p.screenshot({ path: 'test-artifacts/demo-video-file-phone.png', fullPage: true });
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    } finally {
      await s.close();
    }
  }, 180_000);

  it('Video file: Stop after two frames leaves no file, no progress and no rate; Start has the focus', async () => {
    const clip = join(dir, 'long.webm');
    makeClip(clip, 64, 48, 12, 24);
    const s = await open([]);
    try {
      const p = s.page;
      await p.click('input[name=video-mode][value=file]');
      await tiny(p, '64');
      await ((await p.$('#video-file')) as unknown as { uploadFile(f: string): Promise<void> }).uploadFile(clip);
      await p.focus('#video-start');
      await p.keyboard.press('Enter');
      expect(await p.evaluate(() => document.activeElement?.id)).toBe('video-stop');
      await p.waitForFunction(() => ((window as unknown as { nstVideo?: { frames: number } }).nstVideo?.frames ?? 0) >= 2 || !(document.querySelector('#video-message') as HTMLElement).hidden, { timeout: 120_000 });
      expect(await shown(p, 'video-rate')).toMatch(/^Frame \d+ of 24 painted · about \d+ s left$/);
      await p.keyboard.press('Enter');
      await p.waitForFunction(() => /^Stopped at frame \d+ of 24; no file was made\.$/.test(document.querySelector('#video-status')!.textContent ?? ''), { timeout: 60_000 });
      expect(await shown(p, 'video-message')).toBe('');
      expect(await shown(p, 'video-rate')).toBe('');
      expect(await p.$eval('#video-result-box', (e) => (e as HTMLElement).hidden)).toBe(true);
      expect(await p.$eval('#video-progress', (e) => (e as HTMLElement).hidden)).toBe(true);
      expect(await p.evaluate(() => (window as unknown as { nstVideo: { webm?: string } }).nstVideo.webm)).toBeUndefined();
      expect(await p.evaluate(() => document.activeElement?.id)).toBe('video-start');
      // nothing of the stopped clip stays in the source box
      expect(await shown(p, 'video-input-caption')).toBe('Source');
      expect(await p.$eval('#video-input', (v) => v.getAttribute('src'))).toBeNull();
    } finally {
      await s.close();
    }
  }, 150_000);

  it('No WebGPU: one plain message naming it, the camera never asked for', async () => {
    const s = await open(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'], false);
    try {
      const p = s.page;
      await p.click('#video-start');
      await p.waitForFunction(() => !(document.querySelector('#video-message') as HTMLElement).hidden, { timeout: 60_000 });
      expect(await shown(p, 'video-message')).toMatch(/^The Video tab needs WebGPU, which does not work in this browser \(.*\); the message at the top of the page says what to try\.$/);
      expect(await shown(p, 'video-status')).toBe('The camera is off.');
      expect(await p.evaluate(() => (window as unknown as { nstVideo?: unknown }).nstVideo)).toBeUndefined();
      // the file mode says what is missing too (here: the clip, before any GPU work)
      await p.click('input[name=video-mode][value=file]');
      expect(await shown(p, 'video-message')).toBe('');
      await p.click('#video-start');
      await p.waitForFunction(() => !(document.querySelector('#video-message') as HTMLElement).hidden, { timeout: 60_000 });
      expect(await shown(p, 'video-message')).toBe('Choose a video file first (Video file, above).');
      await p.screenshot({ path: 'test-artifacts/demo-video-nogpu.png' });
    } finally {
      await s.close();
    }
  }, 120_000);
});
