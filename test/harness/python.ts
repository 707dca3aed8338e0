/** Debian's python3 (with torch) from the tests. */
import { runCommand } from './cli_tool.js';

/** Run /usr/bin/python3 on a script with JSON on stdin (without blocking this worker); its stdout, or an error with its stderr. */
export async function python(script: string, input: unknown): Promise<string> {
  const r = await runCommand('/usr/bin/python3', ['-c', script], { input: JSON.stringify(input), timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`python3 exited with ${r.code}:\n${r.err}`);
  return r.out;
}
