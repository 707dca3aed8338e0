/** PNG writing with pngjs, atomically: a failed run never leaves a partial file at the target. */
import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}

export function writePngAtomic(path: string, width: number, height: number, rgba: Uint8Array): void {
  mkdirSync(dirname(path) || '.', { recursive: true });
  const tmp = `${path}.partial-${process.pid}`;
  writeFileSync(tmp, encodePng(width, height, rgba));
  renameSync(tmp, path);
}
