/**
 * What the Video tab's two modes share: a run's handle, the panel lines a run may write, and the
 * page's record of the run for tests and tools (window.nstVideo).
 */

/** A running camera or clip: stop() asks it to end; done settles when it has (rejects with its failure). */
export interface VideoRun {
  stop(): void;
  done: Promise<void>;
}

/** The panel lines a run writes ('' clears the message and hides the rate). */
export interface RunUi {
  status(text: string): void;
  message(text: string): void;
  rate(text: string): void;
}

/** window.nstVideo: the current run as tests and tools/camera_soak.ts read it. */
export interface VideoDebug {
  mode: 'camera' | 'file';
  frames: number;
  fps: number | null;
  tracks: MediaStreamTrack[];
  /** Sum of each painted frame's RGBA bytes, in order. */
  outputSums: number[];
  /** Each painted frame's mean absolute difference from its source frame (RGB levels). */
  diffs: number[];
  /** The session's live GPU buffers after the last frame (the library's own count). */
  gpu?: { buffers: number; bytes: number };
  lastInput: ImageData | null;
  lastOutput: ImageData | null;
  /** The last RECENT frames' sources and paintings, oldest first (does the painting follow the motion?). */
  recent: { input: ImageData; output: ImageData }[];
  /** File mode: the finished .webm's blob URL, its frames' timestamps (µs) and codec. */
  webm?: string;
  timestamps?: number[];
  codec?: string;
}

/** Frames kept in VideoDebug.recent. */
const RECENT = 4;

/** Record a painted frame (its source and its painting). */
export function recordFrame(d: VideoDebug, input: ImageData, output: ImageData): void {
  const a = input.data, b = output.data;
  let sum = 0, diff = 0;
  for (let i = 0; i < b.length; i++) {
    sum += b[i];
    if (i % 4 !== 3) diff += Math.abs(a[i] - b[i]);
  }
  d.outputSums.push(sum);
  d.diffs.push(diff / ((b.length / 4) * 3));
  Object.assign(d, { frames: d.frames + 1, lastInput: input, lastOutput: output });
  d.recent.push({ input, output });
  if (d.recent.length > RECENT) d.recent.shift();
}

/** A fresh record for a run starting now. */
export function debugState(mode: VideoDebug['mode']): VideoDebug {
  const d: VideoDebug = { mode, frames: 0, fps: null, tracks: [], outputSums: [], diffs: [], lastInput: null, lastOutput: null, recent: [] };
  (window as unknown as { nstVideo: VideoDebug }).nstVideo = d;
  return d;
}
