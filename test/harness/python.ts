/** Debian's python3 (with torch) from the tests. */
import { spawn } from 'node:child_process';

/** Run /usr/bin/python3 on a script with JSON on stdin, without blocking this worker (see cli.test.ts). */
export function python(script: string, input: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', script]);
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`python3 exited with ${code}:\n${err}`));
    });
    child.stdin.end(JSON.stringify(input));
  });
}
