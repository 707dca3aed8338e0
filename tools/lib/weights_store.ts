/**
 * The CLI's weights cache: a directory ($XDG_CACHE_HOME/webgpu-neural-style/weights, by default
 * ~/.cache/webgpu-neural-style/weights) of raw-format entries ID.json + ID.bin. Written as
 * ID.bin.partial → ID.bin, then ID.json.partial → ID.json: the manifest, renamed last, is the
 * commit, so an interrupted write leaves no entry that looks complete.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { WeightsStore } from '../../src/io/weights_cache.js';

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'webgpu-neural-style', 'weights');
}

export class DirStore implements WeightsStore {
  constructor(readonly location = cacheDir()) {}

  async read(id: string): Promise<{ manifest: string; bin: ArrayBuffer } | null> {
    const json = join(this.location, `${id}.json`), bin = join(this.location, `${id}.bin`);
    if (!existsSync(json)) return null;
    const b = existsSync(bin) ? readFileSync(bin) : Buffer.alloc(0);
    return { manifest: readFileSync(json, 'utf8'), bin: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  }

  async write(id: string, manifest: string, bin: Uint8Array): Promise<void> {
    mkdirSync(this.location, { recursive: true });
    const json = join(this.location, `${id}.json`), data = join(this.location, `${id}.bin`);
    rmSync(json, { force: true }); // the old entry stops counting before its data is replaced
    writeFileSync(`${data}.partial`, bin);
    renameSync(`${data}.partial`, data);
    writeFileSync(`${json}.partial`, manifest);
    renameSync(`${json}.partial`, json);
  }

  async list(): Promise<string[]> {
    if (!existsSync(this.location)) return [];
    return readdirSync(this.location).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  }

  async remove(id: string): Promise<void> {
    for (const f of [`${id}.json`, `${id}.bin`, `${id}.json.partial`, `${id}.bin.partial`]) rmSync(join(this.location, f), { force: true });
  }
}
