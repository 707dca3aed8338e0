/**
 * npm run camera-soak: the built demo page's Video tab in Camera mode for N minutes on Chromium's
 * fake camera (a moving crop of examples/chelsea.png made with ffmpeg), one line per minute: the
 * frames that minute and their rate, the page's moving average, the JS heap
 * (performance.memory) and the library session's live GPU buffers (its own count). A steady rate
 * and flat memory are what a long camera run should show. Headless Chromium, WebGPU on SwiftShader.
 *
 *   npm run camera-soak -- [--minutes 10] [--size 128] [--steps 4] [--first-steps 20] [--style starry_night.jpg] [--screenshot page.png]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Args, runMain } from './lib/args.js';
import { launchGpuPage } from './lib/browser.js';
import { onCleanup } from './lib/cleanup.js';
import { buildDemoSite } from './lib/demo_site.js';

interface Sample {
  frames: number;
  fps: number | null;
  heap: number | null;
  gpu: { buffers: number; bytes: number } | null;
  message: string;
  status: string;
}

const mb = (b: number | null | undefined) => (b === null || b === undefined ? '—' : (b / 2 ** 20).toFixed(1));

runMain(async () => {
  const args = new Args(process.argv.slice(2));
  const minutes = args.num('minutes', 10, (v) => v > 0 && v <= 240, 'a number of minutes from 0 to 240')!;
  const size = args.int('size', 128, 32, 320)!;
  const steps = args.int('steps', 4, 1, 30)!;
  const firstSteps = args.int('first-steps', 20, 1, 300)!;
  const style = args.str('style', 'starry_night.jpg')!;
  const screenshot = args.str('screenshot');
  args.rejectUnknown();

  const dir = mkdtempSync(join(tmpdir(), 'nst-camera-soak-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const unregister = onCleanup(async () => removeDir());
  try {
    const clip = join(dir, 'camera.y4m');
    // 320×240 at 10 fps, 20 s, looped by Chromium: the crop drifts over the photo
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', '10', '-i', 'examples/chelsea.png', '-vf', "scale=480:-2,crop=320:240:'80+70*sin(n/15)':'40+30*cos(n/11)'", '-frames:v', '200', '-pix_fmt', 'yuv420p', clip]);
    const site = await buildDemoSite('dist/demo-soak');
    const s = await launchGpuPage({ files: { ...site }, args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`, '--enable-precise-memory-info'] });
    try {
      const p = s.page;
      await p.setViewport({ width: 1280, height: 800 });
      await p.goto(`${s.url}index.html`);
      await p.waitForFunction(() => document.body.dataset.gpu, { timeout: 60_000 });
      await p.click('#tab-video');
      for (const [id, v] of [['video-size', size], ['video-steps', steps], ['video-first-steps', firstSteps], ['video-style', style]] as const)
        await p.$eval(`#${id}`, (el, val) => {
          (el as HTMLInputElement).value = String(val);
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }, v);
      const adapter = await p.evaluate(() => document.body.dataset.gpu);
      console.error(`camera soak: ${minutes} min, ${size} px, ${steps} steps per frame (first ${firstSteps}), ${style}, adapter ${adapter}`);
      await p.click('#video-start');
      const sample = () =>
        p.evaluate((): Sample => {
          const v = (window as unknown as { nstVideo?: { frames: number; fps: number | null; gpu?: { buffers: number; bytes: number } } }).nstVideo;
          const m = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
          const box = document.querySelector('#video-message') as HTMLElement;
          return { frames: v?.frames ?? 0, fps: v?.fps ?? null, heap: m?.usedJSHeapSize ?? null, gpu: v?.gpu ?? null, message: box.hidden ? '' : (box.textContent ?? ''), status: document.querySelector('#video-status')!.textContent ?? '' };
        });
      console.log("| minute | frames | frames/s this minute | page's moving average | JS heap MiB | GPU buffers | GPU MiB |");
      console.log('|---|---|---|---|---|---|---|');
      let last = await sample();
      let lastTime = performance.now();
      for (let m = 1; m <= Math.ceil(minutes); m++) {
        await new Promise((r) => setTimeout(r, Math.min(1, minutes - m + 1) * 60_000));
        const now = await sample();
        const t = performance.now();
        if (now.message) throw new Error(`the page stopped the camera: ${now.message}`);
        const rate = ((now.frames - last.frames) * 1000) / (t - lastTime);
        console.log(`| ${m} | ${now.frames} | ${rate.toFixed(2)} | ${now.fps?.toFixed(2) ?? '—'} | ${mb(now.heap)} | ${now.gpu?.buffers ?? '—'} | ${mb(now.gpu?.bytes)} |`);
        last = now;
        lastTime = t;
      }
      if (screenshot) await p.screenshot({ path: screenshot });
      await p.click('#video-stop');
      await p.waitForFunction(() => /^Stopped/.test(document.querySelector('#video-status')!.textContent ?? ''), { timeout: 60_000 });
      const tracks = await p.evaluate(() => (window as unknown as { nstVideo: { tracks: MediaStreamTrack[] } }).nstVideo.tracks.map((t) => t.readyState).join(','));
      console.error(`stopped: ${await p.$eval('#video-status', (e) => e.textContent)} (camera tracks: ${tracks})`);
    } finally {
      await s.close();
    }
  } finally {
    unregister();
    removeDir();
  }
  return 0;
});
