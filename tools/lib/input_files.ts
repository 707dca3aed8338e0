/** Reading the tools' input files with clear errors (missing, not a file, empty). */
import { existsSync, readFileSync, statSync } from 'node:fs';

/**
 * Throws unless `path` is a regular file (checked before opening: a FIFO without a writer would
 * block the open, a device such as /dev/zero never ends), at most `maxBytes` long; returns its size.
 */
export function regularFile(path: string, what: string, maxBytes = Infinity): number {
  if (!existsSync(path)) throw new Error(`${what} "${path}" does not exist`);
  const st = statSync(path);
  if (!st.isFile()) {
    const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
    throw new Error(`${what} "${path}" is ${kind}, not a file`);
  }
  if (st.size > maxBytes) throw new Error(`${what} "${path}" is ${st.size} bytes, more than the ${maxBytes} such a file can be`);
  return st.size;
}

export function readInputFile(path: string, what: string): Uint8Array {
  regularFile(path, what);
  const b = readFileSync(path);
  if (b.length === 0) throw new Error(`${what} "${path}" is empty`);
  return new Uint8Array(b);
}
