/** The library's own errors: a bad option names itself; an aborted call rejects with the signal's reason (an AbortError). */

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

/**
 * What an aborted call rejects with, as fetch does: the signal's reason (a DOMException named
 * AbortError for a plain abort(), or the value given to abort(reason)), else a new AbortError.
 */
export function abortError(signal?: AbortSignal): unknown {
  return signal?.reason ?? new DOMException('the style transfer was aborted', 'AbortError');
}
