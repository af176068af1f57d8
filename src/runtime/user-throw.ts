/**
 * Throwing the runtime's TypeErrors from the user's frame. Node prints an
 * uncaught exception's location line (`file:line`, the source line, a caret)
 * from the topmost frame of user JavaScript when the exception is thrown: a
 * `throw` statement in the runtime would name the runtime's file. A finished
 * generator's `throw(err)` is a builtin that throws `err` without running any
 * JavaScript; bound to a finished generator and the error, it throws from
 * whatever frame calls it, as V8's own TypeErrors do.
 */

// Taken before any program code runs: a program may replace them later.
const finished = (function* (): Generator<never> {})();
finished.next();
const generatorThrow = finished.throw;
const bind = Function.prototype.call.bind(Function.prototype.bind) as (f: unknown, self: unknown, ...args: unknown[]) => (...args: unknown[]) => never;

/**
 * A function that throws `err` from its caller's frame, whatever its
 * arguments and `this`.
 *
 * @example
 *   const err = new TypeError('o.f is not a function');
 *   Error.captureStackTrace(err, entry); // the stack starts at the user's frame
 *   return throwing(err);                 // the user's code calls it
 */
export function throwing(err: unknown): (...args: unknown[]) => never {
  return bind(generatorThrow, finished, err);
}
