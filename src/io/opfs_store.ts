/**
 * The page's weights cache in the Origin Private File System (navigator.storage.getDirectory()),
 * directory "weights/", entries ID.json + ID.bin as in the CLI's cache. The manifest is written
 * last and is the commit: an entry whose download or write was interrupted has no manifest and
 * does not count (its leftover data is removed on the next write or "forget").
 */
import type { WeightsStore } from './weights_cache.js';

export class OpfsStore implements WeightsStore {
  readonly location = "this browser's site storage";

  static available(): boolean {
    return typeof navigator !== 'undefined' && !!navigator.storage?.getDirectory;
  }

  private async dir(): Promise<FileSystemDirectoryHandle> {
    const root = await navigator.storage.getDirectory();
    return root.getDirectoryHandle('weights', { create: true });
  }

  private async file(name: string): Promise<File | null> {
    try {
      return await (await (await this.dir()).getFileHandle(name)).getFile();
    } catch {
      return null;
    }
  }

  async read(id: string): Promise<{ manifest: string; bin: ArrayBuffer } | null> {
    const json = await this.file(`${id}.json`);
    if (!json) return null;
    const bin = await this.file(`${id}.bin`);
    return { manifest: await json.text(), bin: bin ? await bin.arrayBuffer() : new ArrayBuffer(0) };
  }

  private async put(name: string, data: string | Uint8Array): Promise<void> {
    const handle = await (await this.dir()).getFileHandle(name, { create: true });
    const w = await handle.createWritable();
    try {
      await w.write(data as FileSystemWriteChunkType);
      await w.close();
    } catch (e) {
      await w.abort().catch(() => {});
      throw e;
    }
  }

  async write(id: string, manifest: string, bin: Uint8Array): Promise<void> {
    const d = await this.dir();
    await d.removeEntry(`${id}.json`).catch(() => {}); // the old entry stops counting first
    await this.put(`${id}.bin`, bin);
    await this.put(`${id}.json`, manifest);
  }

  async list(): Promise<string[]> {
    const ids: string[] = [];
    for await (const name of (await this.dir() as unknown as { keys(): AsyncIterable<string> }).keys()) if (name.endsWith('.json')) ids.push(name.slice(0, -5));
    return ids.sort();
  }

  async remove(id: string): Promise<void> {
    const d = await this.dir();
    for (const n of [`${id}.json`, `${id}.bin`]) await d.removeEntry(n).catch(() => {});
  }

  /** Remove every entry and any leftover data. */
  async clear(): Promise<void> {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry('weights', { recursive: true }).catch(() => {});
  }
}
