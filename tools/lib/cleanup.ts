/**
 * What must be undone when a CLI is stopped by a signal (runMain runs these before it exits):
 * e.g. the browser closed and its temporary profile removed. Kept apart from the browser code so
 * that tools without one (reconstruct:dawn) do not pull in puppeteer.
 */
const cleanups = new Set<() => Promise<void>>();
let signalsHandled = false;

/** Called by runMain: SIGINT, SIGTERM and SIGHUP go to `onSignal` (which runs the cleanups). */
export function handleSignals(onSignal: (signal: NodeJS.Signals) => void): void {
  signalsHandled = true;
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
}

/** Whether handleSignals was called (else the browser launcher handles signals itself). */
export function handlingSignals(): boolean {
  return signalsHandled;
}

/** Register `fn`; returns a function that unregisters it. */
export function onCleanup(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Run every registered cleanup (all of them, whatever fails). */
export async function runCleanups(): Promise<void> {
  await Promise.allSettled([...cleanups].map((fn) => fn()));
}
