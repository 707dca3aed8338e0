/**
 * The Video tab's Camera mode: getUserMedia's video painted live, each frame warm-started from the
 * previous painting on one library session (video_session.ts), with a moving-average frame rate.
 * Stop (or leaving the tab) ends the camera's tracks at once and frees the session's GPU memory
 * when the frame in progress has given up.
 */
import { $, plural } from './dom.js';
import { FramePainter, frameSize, rateText, RateMeter, readSettings, show, type VideoSettings } from './video_session.js';
import { debugState, recordFrame, type VideoRun, type RunUi } from './video_run.js';

/** getUserMedia's refusals in plain words. */
function cameraProblem(e: unknown): Error {
  const name = (e as DOMException)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return new Error('The camera was not allowed: this page was denied access to it. Allow the camera for this site in the browser (the icon left of the address), then press Start camera again.');
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new Error('No camera was found. Connect one and press Start camera again, or paint a video file instead.');
  if (name === 'NotReadableError' || name === 'AbortError') return new Error('The camera could not be started: another application may be using it.');
  return new Error(`The camera could not be opened: ${(e as Error)?.message ?? String(e)}`);
}

const STOPPED_EARLY = 'Stopped before the first frame. The camera is off.';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startCamera(ui: RunUi): VideoRun {
  const abort = new AbortController();
  let stream: MediaStream | null = null;
  const video = $<HTMLVideoElement>('video-input');
  const release = () => {
    for (const t of stream?.getTracks() ?? []) t.stop();
    video.srcObject = null;
  };
  const done = (async () => {
    ui.status('Starting: loading the network…');
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser gives this page no camera (camera access needs a secure page: https, or localhost).');
    const painter = await FramePainter.open();
    try {
      if (abort.signal.aborted) return ui.status(STOPPED_EARLY);
      ui.status('Asking for the camera…');
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
      } catch (e) {
        throw cameraProblem(e);
      }
      const debug = debugState('camera');
      debug.tracks = stream.getTracks();
      if (abort.signal.aborted) return ui.status(STOPPED_EARLY); // the tracks end in the finally
      $('video-input-caption').textContent = 'Camera';
      video.removeAttribute('src'); // a finished clip's (the file mode keeps it on show)
      video.srcObject = stream;
      await video.play().catch(() => {});
      for (let i = 0; i < 100 && !video.videoWidth && !abort.signal.aborted; i++) await sleep(50);
      if (!video.videoWidth) {
        if (abort.signal.aborted) return ui.status(STOPPED_EARLY);
        throw new Error('The camera gave no picture.');
      }
      const out = $<HTMLCanvasElement>('video-output');
      const meter = new RateMeter();
      let settings: VideoSettings = readSettings();
      ui.status('Painting the camera live. Stop ends it.');
      while (!abort.signal.aborted) {
        try {
          settings = readSettings(); // changes apply at the next frame; a field being edited keeps the last good value
          ui.message('');
        } catch (e) {
          ui.message(`${(e as Error).message} The camera goes on with ${settings.size} px and ${plural(settings.steps, 'step')} per frame.`);
        }
        const { width, height } = frameSize(video.videoWidth, video.videoHeight, settings.size);
        const frame = await painter.paintSource(video, width, height, settings, abort.signal);
        if (!frame) break;
        const { content, painted } = frame;
        show(out, painted);
        out.setAttribute('aria-label', `The camera, painted: frame ${painter.frames}, ${width}×${height} px.`);
        meter.tick();
        const fps = meter.fps;
        recordFrame(debug, content, painted);
        debug.fps = fps;
        debug.gpu = painter.gpuMemory();
        if (fps !== null) ui.rate(rateText(fps, Math.min(painter.frames - 1, 8)));
      }
      ui.status(`Stopped after ${plural(painter.frames, 'frame')}. The camera is off.`);
    } finally {
      release();
      painter.destroy();
    }
  })();
  return {
    stop: () => {
      abort.abort();
      release(); // the camera goes off at once; the frame in progress gives up within about a second
    },
    done,
  };
}
