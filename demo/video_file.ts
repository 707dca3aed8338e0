/**
 * The Video tab's file mode: a clip played frame by frame through an <video> (seek to i/fps, wait
 * for 'seeked', draw), each frame painted as in Camera mode (the first with more steps, later ones
 * warm-started), encoded with WebCodecs (VP9, else VP8) and muxed into a WebM with exact
 * timestamps (src/io/webm_muxer.ts). Progress with an ETA, Stop, a preview and a download.
 */
import { WebmMuxer } from '../src/io/webm_muxer.js';
import { $, plural } from './dom.js';
import { FramePainter, frameSize, readFrameLimit, readSettings, show } from './video_session.js';
import { debugState, recordFrame, type RunUi, type VideoRun } from './video_run.js';

/** VP9 (profile 0, 8-bit), then VP8: the first the browser's encoder takes at this size. */
async function pickCodec(width: number, height: number, fps: number): Promise<{ config: VideoEncoderConfig; track: 'V_VP8' | 'V_VP9' } | null> {
  for (const [codec, track] of [['vp09.00.10.08', 'V_VP9'], ['vp8', 'V_VP8']] as const) {
    const config: VideoEncoderConfig = { codec, width, height, framerate: fps, bitrate: Math.max(200_000, width * height * fps * 0.4) };
    try {
      if ((await VideoEncoder.isConfigSupported(config)).supported) return { config, track };
    } catch {
      // not this one
    }
  }
  return null;
}

/** Resolve once `el` fires `ok`; reject on 'error' or after `ms`. */
function event(el: HTMLMediaElement, ok: string, what: string, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (f: () => void) => {
      clearTimeout(timer);
      el.removeEventListener(ok, onOk);
      el.removeEventListener('error', onError);
      f();
    };
    const onOk = () => done(resolve);
    const onError = () => done(() => reject(new Error(`${what}: this browser could not read the clip (${el.error?.message || 'an unsupported format'}).`)));
    const timer = setTimeout(() => done(() => reject(new Error(`${what}: the browser gave no frame within ${ms / 1000} s.`))), ms);
    el.addEventListener(ok, onOk);
    el.addEventListener('error', onError);
  });
}

const seconds = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);
let resultUrl: string | null = null;
/** The finished clip stays in the source box beside its painting (at its last frame) until the next run. */
let sourceUrl: string | null = null;

export function startFile(ui: RunUi): VideoRun {
  const abort = new AbortController();
  const video = $<HTMLVideoElement>('video-input');
  const progress = $<HTMLProgressElement>('video-progress');
  // the last clip's result goes as this one starts: nothing of it stays next to this run
  $('video-result-box').hidden = true;
  $<HTMLVideoElement>('video-result').removeAttribute('src');
  if (resultUrl) URL.revokeObjectURL(resultUrl);
  resultUrl = null;
  if (sourceUrl) URL.revokeObjectURL(sourceUrl);
  sourceUrl = null;
  let finished = false;
  const done = (async () => {
    const file = $<HTMLInputElement>('video-file').files?.[0];
    if (!file) throw new Error('Choose a video file first (Video file, above).');
    const settings = readSettings();
    const limit = readFrameLimit();
    const fps = Number($<HTMLSelectElement>('video-fps').value);
    if (typeof VideoEncoder === 'undefined' || typeof VideoFrame === 'undefined')
      throw new Error('This browser has no WebCodecs video encoder, which painting a clip needs (Chrome and Edge 94+, Safari 16.4+ and Firefox 130+ have it). The camera mode works without it.');
    ui.status('Starting: loading the network…');
    const painter = await FramePainter.open();
    let encoder: VideoEncoder | null = null;
    try {
      sourceUrl = URL.createObjectURL(file);
      video.srcObject = null;
      video.src = sourceUrl;
      $('video-input-caption').textContent = `Clip: ${file.name}`;
      await event(video, 'loadedmetadata', file.name);
      if (!video.videoWidth) throw new Error(`${file.name}: the clip has no picture this browser can show.`);
      // frames start at i/fps before the end (WebM rounds durations to the millisecond: 4 frames at 12 fps last 0.333 s)
      const total = Number.isFinite(video.duration) ? Math.max(1, Math.min(limit, Math.ceil(video.duration * fps - 0.05))) : limit;
      const { width, height } = frameSize(video.videoWidth, video.videoHeight, settings.size);
      const codec = await pickCodec(width, height, fps);
      if (!codec) throw new Error(`This browser's WebCodecs encoder takes neither VP9 nor VP8 at ${width}×${height}, so no WebM can be made here.`);
      const muxer = new WebmMuxer({ codec: codec.track, width, height, frameRate: fps });
      let encodeError: Error | null = null;
      encoder = new VideoEncoder({
        output: (chunk) => {
          const bytes = new Uint8Array(chunk.byteLength);
          chunk.copyTo(bytes);
          muxer.addFrame(bytes, chunk.timestamp, chunk.type === 'key');
        },
        error: (e) => (encodeError ??= new Error(`The video encoder failed: ${e.message}`)),
      });
      encoder.configure(codec.config);
      const debug = debugState('file');
      Object.assign(debug, { codec: codec.config.codec, timestamps: [] as number[] });
      const out = $<HTMLCanvasElement>('video-output');
      Object.assign(progress, { max: total, value: 0, hidden: false });
      const started = performance.now();
      let firstDone = 0;
      for (let i = 0; i < total; i++) {
        if (abort.signal.aborted) break;
        ui.status(`Frame ${i + 1} of ${total}${i === 0 ? ' (the first, with more steps)' : ''}…`);
        // the middle of frame i's interval: a seek to i/fps itself can land on the frame before
        // (WebM keeps milliseconds: 1/12 s is stamped 0.083)
        video.currentTime = (i + 0.5) / fps;
        await event(video, 'seeked', `${file.name} at ${(i / fps).toFixed(2)} s`);
        const step = await painter.paintSource(video, width, height, settings, abort.signal);
        if (!step) break;
        const { content, painted } = step;
        if (encodeError) throw encodeError;
        show(out, painted);
        out.setAttribute('aria-label', `The clip, painted: frame ${i + 1} of ${total}, ${width}×${height} px.`);
        const timestamp = Math.round((i * 1e6) / fps);
        const frame = new VideoFrame(out, { timestamp, duration: Math.round(1e6 / fps) });
        encoder.encode(frame, { keyFrame: i % (fps * 2) === 0 });
        frame.close();
        debug.timestamps!.push(timestamp);
        recordFrame(debug, content, painted);
        progress.value = i + 1;
        const now = performance.now();
        if (i === 0) firstDone = now;
        const left = total - i - 1;
        const perLater = i > 0 ? (now - firstDone) / i : now - started; // later frames take fewer steps: before one is done, the first's time is an upper bound
        ui.rate(left ? `Frame ${i + 1} of ${total} painted · about ${seconds((left * perLater) / 1000)} left` : `Frame ${total} of ${total} painted · encoding`);
      }
      if (abort.signal.aborted) {
        ui.status(`${debug.frames ? `Stopped at frame ${debug.frames} of ${total}` : 'Stopped before the first frame'}; no file was made.`);
        return;
      }
      await encoder.flush();
      if (encodeError) throw encodeError;
      const bytes = muxer.finish();
      resultUrl = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'video/webm' }));
      debug.webm = resultUrl;
      const name = `${file.name.replace(/\.[^.]*$/, '') || 'clip'}-painted.webm`;
      const link = $<HTMLAnchorElement>('video-download');
      Object.assign(link, { href: resultUrl, download: name, textContent: `Download ${name} (${(bytes.byteLength / 1024).toFixed(0)} KB)` });
      $<HTMLVideoElement>('video-result').src = resultUrl;
      $('video-result-box').hidden = false;
      finished = true;
      $('video-input-caption').textContent = `Clip: ${file.name}, its last frame painted`;
      ui.status(`Done: ${plural(total, 'frame')} at ${fps} frames/s, ${width}×${height} px, ${codec.track === 'V_VP9' ? 'VP9' : 'VP8'} in WebM, in ${seconds((performance.now() - started) / 1000)}.`);
    } finally {
      if (encoder && encoder.state !== 'closed') encoder.close();
      painter.destroy();
      if (!finished) {
        // stopped or failed: nothing of the clip stays
        video.removeAttribute('src');
        video.load();
        if (sourceUrl) URL.revokeObjectURL(sourceUrl);
        sourceUrl = null;
      }
    }
  })();
  return { stop: () => abort.abort(), done };
}
