/** A file on disk as a ByteSource: positioned reads, never the whole file in memory. */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { basename } from 'node:path';
import type { ByteSource } from '../../src/io/byte_source.js';
import { regularFile } from './input_files.js';

export class FileSource implements ByteSource {
  readonly sequentialOnly = false;
  readonly local = true;
  readonly size: number;
  readonly name: string;
  private fd: number;
  /** Bytes read so far (tests and progress). */
  bytesRead = 0;

  constructor(readonly path: string, what = 'weights file') {
    regularFile(path, what);
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
    this.name = basename(path);
  }

  async read(start: number, end: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(end, this.size) - start);
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.fd, out, got, n - got, start + got);
      if (r === 0) break;
      got += r;
    }
    this.bytesRead += got;
    return out.subarray(0, got);
  }

  async readTail(n: number): Promise<{ bytes: Uint8Array; start: number }> {
    const start = Math.max(0, this.size - n);
    return { bytes: await this.read(start, this.size), start };
  }

  close(): void {
    closeSync(this.fd);
  }
}
