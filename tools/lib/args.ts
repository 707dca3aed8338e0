/** A small --flag value parser with typed getters and clear errors; runMain for the tools' mains. */
import { constants } from 'node:os';
import { handleSignals, runCleanups } from './cleanup.js';

export class Args {
  /**
   * name → value; null for an option given without one (last, or followed by another --option).
   * Whether such an option is a typo is only known once the tool has asked for its options, so
   * the error waits: a getter reports "needs a value", rejectUnknown "unknown option".
   */
  private values = new Map<string, string | null>();
  private used = new Set<string>();

  constructor(argv: string[], readonly booleans: string[] = []) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}" (options look like --name value)`);
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) this.values.set(name, a.slice(eq + 1));
      else if (booleans.includes(name)) this.values.set(name, 'true');
      // a value may start with "-" (--lr -1 reaches the validator), not with "--"
      else if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) this.values.set(name, null);
      else this.values.set(name, argv[++i]);
    }
  }

  /** The value given for `name`, if any (marks it as known). */
  private get(name: string): string | undefined {
    this.used.add(name);
    const v = this.values.get(name);
    if (v === null) throw new Error(`option --${name} needs a value`);
    return v;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  str(name: string, fallback?: string): string | undefined {
    return this.get(name) ?? fallback;
  }

  num(name: string, fallback?: number, check?: (v: number) => boolean, rule = 'a valid number'): number | undefined {
    const s = this.get(name);
    if (s === undefined) return fallback;
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v) || (check && !check(v))) throw new Error(`--${name} must be ${rule}, got "${s}"`);
    return v;
  }

  int(name: string, fallback: number | undefined, min: number, max: number): number | undefined {
    return this.num(name, fallback, (v) => Number.isInteger(v) && v >= min && v <= max, `an integer in [${min}, ${max}]`);
  }

  choice<T extends string>(name: string, options: readonly T[], fallback?: T): T | undefined {
    const s = this.get(name);
    if (s === undefined) return fallback;
    if (!options.includes(s as T)) throw new Error(`--${name} must be one of ${options.join(', ')}, got "${s}"`);
    return s as T;
  }

  /** An option given alone (→ `bare`) or with one of `options`; undefined when absent. */
  optionalChoice<T extends string>(name: string, options: readonly T[], bare: T): T | undefined {
    this.used.add(name);
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (v === null || v === 'true') return bare;
    if (!options.includes(v as T)) throw new Error(`--${name} must be one of ${options.join(', ')} (alone: ${bare}), got "${v}"`);
    return v as T;
  }

  /** Throws for options nobody asked about (typos). */
  rejectUnknown(): void {
    const unknown = [...this.values.keys()].filter((k) => !this.used.has(k));
    if (unknown.length) throw new Error(`unknown option(s): ${unknown.map((u) => `--${u}`).join(', ')} (see --help)`);
  }
}

/** A stack frame line: "at f (…)", "async f (…)", "f (http://…/bundle.js:1:2)", "http://…:1:2". */
const FRAME = /^\s*(at|async)\s|\((\S+:\d+:\d+|<anonymous>|native)\)$|^\S+:\d+:\d+$/;

/**
 * The text after "error: ". Errors thrown by page code reach Node (through puppeteer) with the
 * page's stack frames in their message; those, like the Node stack, are shown only with --verbose.
 */
function errorText(e: unknown, verbose: boolean): string {
  if (!(e instanceof Error)) return String(e);
  const lines = e.message.replace(/^Error: /, '').split('\n');
  if (verbose) return [...lines, ...(e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l))].join('\n');
  const firstFrame = lines.findIndex((l, i) => i > 0 && FRAME.test(l));
  return (firstFrame > 0 ? lines.slice(0, firstFrame) : lines).join('\n');
}

/**
 * Run a CLI's main: exit with its code, or print "error: …" and exit 1 (the stack only with
 * --verbose). SIGINT, SIGTERM and SIGHUP stop it: "stopped (SIGNAL)", the registered cleanups run
 * (the browser and its profile go), and the exit code is 128 + the signal's number (130 for
 * Ctrl-C). Outputs are written atomically (synchronously), so none is left half-written.
 */
export function runMain(main: () => Promise<number>): void {
  const verbose = process.argv.includes('--verbose');
  let stopped = false;
  handleSignals((signal) => {
    // further signals are ignored while the cleanups run (a few seconds at most): wrappers such as
    // npm and tsx may pass the same Ctrl-C on again
    if (stopped) return;
    stopped = true;
    process.stderr.write(`\nstopped (${signal})\n`);
    void runCleanups().finally(() => process.exit(128 + (constants.signals[signal] ?? 0)));
  });
  main().then(
    (code) => {
      if (!stopped) process.exit(code);
    },
    (e) => {
      // once stopped, the run's own failure (its browser went away) is no news
      if (stopped) return;
      process.stderr.write(`\nerror: ${errorText(e, verbose)}\n`);
      process.exit(1);
    },
  );
}
