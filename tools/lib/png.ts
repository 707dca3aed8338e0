/**
 * PNG with pngjs: writing atomically (a failed run never leaves a partial file at the target), and
 * reading where no browser is at hand.
 */
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

/** A PNG's pixels composited over white (as the page does: the engine uses RGB only); `what` names it in errors. */
export function decodePngOverWhite(bytes: Uint8Array, what: string): { width: number; height: number; data: Uint8Array } {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${what}: could not be decoded as a PNG (${(e as Error).message})`);
  }
  const data = new Uint8Array(png.data);
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3] / 255;
    for (let c = 0; c < 3; c++) data[i + c] = Math.round(data[i + c] * a + 255 * (1 - a));
    data[i + 3] = 255;
  }
  return { width: png.width, height: png.height, data };
}
