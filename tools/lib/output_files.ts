/** Checking, before any work, that the tools' outputs can be written. */
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const REASONS: Record<string, string> = { EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left' };

/**
 * Throws a plain error unless `path` can be written (as writePngAtomic / writeFileSync will):
 * `path` must not be a folder, and the nearest existing folder above it (the missing ones are
 * created at write time) must take a new file. That is tried with a probe file, removed at once:
 * permissions alone do not tell (root, read-only mounts, /proc). `option` names it in errors.
 */
export function checkWritable(path: string, option: string): void {
  const fail = (why: string) => new Error(`cannot write "${path}" (${option}): ${why}`);
  if (existsSync(path) && statSync(path).isDirectory()) throw fail('it is a folder');
  let folder = dirname(resolve(path));
  while (!existsSync(folder)) folder = dirname(folder);
  const shown = folder === dirname(resolve(path)) ? dirname(path) : folder;
  if (!statSync(folder).isDirectory()) throw fail(`"${shown}" is not a folder`);
  const probe = join(folder, `.nst-write-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (e) {
    const why = REASONS[(e as NodeJS.ErrnoException).code ?? ''];
    throw fail(`the folder "${shown}" is not writable${why ? ` (${why})` : ''}`);
  }
  rmSync(probe, { force: true });
}
