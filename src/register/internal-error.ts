/**
 * A failure of asyncrace itself while loading the program must never break
 * it: it is reported once per thread on stderr, and loading goes on without
 * instrumentation.
 */
import fs from 'node:fs';

let reported = false;

/**
 * Reports a failure of asyncrace itself, once per thread, on stderr; `what`
 * says what failed and what happens instead.
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
    // fd 2 directly: this also runs in the hooks thread, whose process.stderr
    // is relayed through the main thread asynchronously.
    fs.writeSync(2, `asyncrace: internal error ${what}: ${detail}\n`);
  } catch {
    // stderr closed: nothing more to do.
  }
}

/**
 * The `what` of an internal error while loading a file.
 *
 * @example
 *   uninstrumented('/app/a.js') // => 'instrumenting /app/a.js (it runs uninstrumented)'
 */
export function uninstrumented(file: string): string {
  return `instrumenting ${file} (it runs uninstrumented)`;
}
