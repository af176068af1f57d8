/**
 * The entry for `node --require asyncrace/register app.js` and
 * `node --import asyncrace/register app.mjs` (the CLI preloads it through
 * NODE_OPTIONS): installs detection (install.ts) in the thread the program
 * runs in.
 *
 * Loading it again in the same thread (both flags, two copies of asyncrace)
 * does nothing, and so does Node's hooks thread, which runs the `--require`
 * preloads too: that is checked before anything else loads, so the hooks
 * thread does not load the runtime for nothing.
 *
 * @example
 *   // ASYNCRACE_OPTIONS="halt_on_error=1" node --import asyncrace/register app.mjs
 */
import { inHooksThread } from './hooks-thread';

const REGISTERED = Symbol.for('asyncrace.register');

function register(): void {
  const global = globalThis as Record<symbol, unknown>;
  if (global[REGISTERED] || inHooksThread()) return;
  Object.defineProperty(global, REGISTERED, { value: true, enumerable: false });
  // Loaded only here: see above.
  (require('./install') as typeof import('./install')).install(__filename);
}

register();
