/**
 * A failure of asyncrace itself while loading the program must never break
 * it: it is reported (runtime/internal-error.ts: once per thread, whatever
 * failed) and loading goes on without instrumentation.
 */
export { reportInternalError } from '../runtime/internal-error';

/**
 * The `what` of an internal error while loading a file.
 *
 * @example
 *   uninstrumented('/app/a.js') // => 'instrumenting /app/a.js (it runs uninstrumented)'
 */
export function uninstrumented(file: string): string {
  return `instrumenting ${file} (it runs uninstrumented)`;
}
