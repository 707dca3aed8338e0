/** Reading the tools' input files with clear errors (missing, not a file, empty). */
import { existsSync, readFileSync, statSync } from 'node:fs';

export function readInputFile(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new Error(`${what} "${path}" does not exist`);
  if (!statSync(path).isFile()) throw new Error(`${what} "${path}" is not a file`);
  const b = readFileSync(path);
  if (b.length === 0) throw new Error(`${what} "${path}" is empty`);
  return new Uint8Array(b);
}
