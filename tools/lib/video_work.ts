/**
 * The work folder of `npm run video` (OUT.frames/ beside the output, or the output folder itself
 * for PNG frames): each finished frame as frame_000001.png, written atomically, a settings.json
 * saying what made them, and frames.jsonl with each frame's seconds, steps and losses. A rerun
 * with the same settings continues after the last finished frame; other settings are refused.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SETTINGS_FILE = 'settings.json';
export const STATS_FILE = 'frames.jsonl';

export type Settings = Record<string, unknown>;

export interface FrameStats {
  frame: number;
  seconds: number;
  steps: number;
  warm: boolean;
  /** A warm frame's fraction of init pixels warped from the previous result (the rest: the content frame's). */
  trusted?: number;
  losses: { total: number; contentTotal: number; styleTotal: number; tv: number };
}

const shown = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

export class WorkFolder {
  private constructor(readonly dir: string) {}

  /**
   * The work folder `dir` for `settings`: made if missing; kept if its settings are these; an
   * error saying which settings differ otherwise (`restart`: emptied and begun again).
   * `startOver` is the advice shown (the flag to add).
   */
  static open(dir: string, settings: Settings, restart: boolean, startOver: string): WorkFolder {
    const file = join(dir, SETTINGS_FILE);
    if (restart && existsSync(file)) {
      for (const f of readdirSync(dir)) if (/^frame_\d{6}\.png$/.test(f) || f === SETTINGS_FILE || f === STATS_FILE) rmSync(join(dir, f));
    }
    if (existsSync(file)) {
      let old: Settings;
      try {
        old = JSON.parse(readFileSync(file, 'utf8')) as Settings;
      } catch {
        throw new Error(`${file} is not readable JSON: delete ${dir} (or add ${startOver}) to start over`);
      }
      const keys = [...new Set([...Object.keys(old), ...Object.keys(settings)])].filter((k) => JSON.stringify(old[k]) !== JSON.stringify(settings[k]));
      if (keys.length) {
        const diff = keys.slice(0, 3).map((k) => `${k} ${shown(old[k])} there, ${shown(settings[k])} here`).join('; ');
        throw new Error(`the work folder ${dir} belongs to other settings (${diff}): rerun with those to continue, or add ${startOver} (or delete the folder) to start over`);
      }
    } else if (existsSync(dir) && readdirSync(dir).some((f) => !f.startsWith('.'))) {
      if (!readdirSync(dir).every((f) => /^frame_\d{6}\.png$/.test(f) || f === STATS_FILE)) throw new Error(`${dir} holds other files: name an empty or new folder`);
    }
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.includes('.partial-')) rmSync(join(dir, f), { force: true });
    writeFileSync(file, `${JSON.stringify(settings, null, 1)}\n`);
    return new WorkFolder(dir);
  }

  framePath(index: number): string {
    return join(this.dir, `frame_${String(index + 1).padStart(6, '0')}.png`);
  }

  /** Frames finished: frame 1, 2, … up to the first one missing. */
  done(): number {
    let n = 0;
    while (existsSync(this.framePath(n))) n++;
    return n;
  }

  record(s: FrameStats): void {
    appendFileSync(join(this.dir, STATS_FILE), `${JSON.stringify(s)}\n`);
  }

  /** Each frame's last record. */
  stats(): FrameStats[] {
    const file = join(this.dir, STATS_FILE);
    if (!existsSync(file)) return [];
    const byFrame = new Map<number, FrameStats>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const s = JSON.parse(line) as FrameStats;
        byFrame.set(s.frame, s);
      } catch {
        // a line cut short by a kill
      }
    }
    return [...byFrame.values()].sort((a, b) => a.frame - b.frame);
  }
}
