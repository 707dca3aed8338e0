/**
 * The page's one source of truth: the chosen images, what is still loading, and the running job.
 * Buttons, locks and notes are derived from it in one place (main.ts's render), after every change.
 */

export type ImageKey = 'content' | 'style' | 'style2' | 'style3' | 'recon';

/** A picked image, decoded once on pick (so a bad file is refused then, naming it). */
export interface Picked {
  blob: Blob;
  name: string;
  /** 'example' for a bundled image, 'file' for one from the user's device. */
  origin: 'example' | 'file';
  url: string;
  width: number;
  height: number;
}

export interface Job {
  /** 'preview': the fast SqueezeNet preview (settings stay open: changing them restarts it). */
  kind: 'stylize' | 'preview' | 'reconstruct';
  paused: boolean;
  /** Stop was pressed: the job polls this between stages and steps (stopping.ts). */
  stopped: boolean;
  /** Aborted by Stop: downloads listen to it. */
  readonly stop: AbortController;
  /** Aborted when the page stopped waiting for the job and dropped the GPU device (stopping.ts). */
  readonly force: AbortController;
  /** The result caption to show if the run fails (none: the caption was not touched yet). */
  failedCaption?: string;
}

export const newJob = (kind: Job['kind']): Job => ({ kind, paused: false, stopped: false, stop: new AbortController(), force: new AbortController() });

export const state = {
  images: { content: null, style: null, style2: null, style3: null, recon: null } as Record<ImageKey, Picked | null>,
  /** What is being read or downloaded now, by name ("content image", "weights file"). */
  loading: new Set<string>(),
  job: null as Job | null,
};

const listeners: (() => void)[] = [];
export const onChange = (f: () => void) => listeners.push(f);
/** Call after changing `state`. */
export const changed = () => listeners.forEach((f) => f());
