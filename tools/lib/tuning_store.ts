/**
 * The CLI's autotune tables: one JSON file per adapter in $XDG_CACHE_HOME/webgpu-neural-style/autotune
 * (by default ~/.cache/…), written as KEY.json.partial → KEY.json so a broken-off write leaves the
 * old table. Pages run by the CLI and the benchmark reach it through two exposed functions.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer';
import type { TuningStore } from '../../src/kernels/tuning_table.js';
import { EXPOSED_TUNING_LOAD, EXPOSED_TUNING_SAVE } from '../../src/kernels/tuning_stores.js';

export function tuningDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'webgpu-neural-style', 'autotune');
}

const safeKey = (key: string) => {
  if (!/^[a-z0-9-]{1,80}$/.test(key)) throw new Error(`invalid autotune table key "${key}"`);
  return key;
};

export class TuningDir implements TuningStore {
  constructor(readonly location = tuningDir()) {}

  get where(): string {
    return this.location;
  }

  async load(key: string): Promise<string | null> {
    const file = join(this.location, `${safeKey(key)}.json`);
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  }

  async save(key: string, text: string): Promise<void> {
    mkdirSync(this.location, { recursive: true });
    const file = join(this.location, `${safeKey(key)}.json`);
    writeFileSync(`${file}.partial`, text);
    renameSync(`${file}.partial`, file);
  }
}

/** Let the page's exposedFunctionStore() read and write `store`. */
export async function exposeTuningStore(page: Page, store: TuningStore = new TuningDir()): Promise<void> {
  await page.exposeFunction(EXPOSED_TUNING_LOAD, (key: string) => store.load(key));
  await page.exposeFunction(EXPOSED_TUNING_SAVE, (key: string, text: string) => store.save(key, text));
}
