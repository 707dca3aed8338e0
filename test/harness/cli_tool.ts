/** Running commands and the CLI tools from tests. */
import { spawn } from 'node:child_process';

export interface Finished {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Run a command to the end without blocking this worker: vitest's worker must keep answering its
 * runner (a chain of synchronous runs over 60 s made it report a timeout). `input` goes to its
 * stdin; it is killed after `timeoutMs`.
 */
export function runCommand(cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: o.env ?? process.env });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(o.input ?? '');
  });
}

/** Run a CLI tool (through tsx) to the end (see runCommand). */
export function tool(script: string, args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return runCommand('npx', ['tsx', script, ...args], { env: { ...process.env, ...env } });
}
