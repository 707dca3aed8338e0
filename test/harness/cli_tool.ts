/** Running the CLI tools from tests. */
import { spawn } from 'node:child_process';

/**
 * Run a CLI tool (through tsx) to the end without blocking this worker: vitest's worker must keep
 * answering its runner (a chain of synchronous runs over 60 s made it report a timeout).
 */
export function tool(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', script, ...args], { env: { ...process.env, ...env } });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
