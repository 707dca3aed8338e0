/** The library's own errors: a bad option names itself; an aborted call is a DOMException named AbortError. */

/** An option the caller gave is wrong: `option` names it ("content", "style[1]", "size"), the message says why. */
export class OptionError extends Error {
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`option ${option}: ${problem}`);
    this.name = 'OptionError';
  }
}

/** What an aborted call rejects with: the signal's own reason when it is an AbortError, else a new one. */
export function abortError(signal?: AbortSignal): DOMException {
  const r = signal?.reason as unknown;
  if (r instanceof DOMException && r.name === 'AbortError') return r;
  return new DOMException('the style transfer was aborted', 'AbortError');
}
