/**
 * A failure inside asyncrace must never break the program: the first one is
 * reported on stderr, once per thread (whatever failed: the runtime, the
 * transform, the report), and the program runs on.
 */
import fs from 'node:fs';

let reported = false;

/**
 * Writes `asyncrace: internal error <what>: <error>` to stderr, the first time only.
 *
 * @example
 *   reportInternalError('instrumenting /app/a.js (it runs uninstrumented)', new Error('boom'))
 *   // stderr: asyncrace: internal error instrumenting /app/a.js (it runs uninstrumented): Error: boom ...
 */
export function reportInternalError(what: string, err: unknown): void {
  if (reported) return;
  reported = true;
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  try {
    // fd 2 directly: synchronous, so it starts no async resource inside a hook, and also works in the
    // hooks thread, whose process.stderr is relayed through the main thread asynchronously.
    fs.writeSync(2, `asyncrace: internal error ${what}: ${detail}\n`);
  } catch {
    // stderr closed: nothing more to do.
  }
}

/** A runtime failure while `where` (detection goes on without that step). */
export function internalError(where: string, err: unknown): void {
  reportInternalError(`in ${where} (detection continues where it can)`, err);
}
