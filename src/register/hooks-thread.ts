/**
 * Tells whether this code runs in Node's module customization hooks thread.
 *
 * Node runs the `--require` preloads in that thread too; there the register
 * module must do nothing, or it would register the ESM hooks a second time in
 * the same chain (and install a runtime that no user code ever calls).
 */
import * as workerThreads from 'node:worker_threads';

/**
 * Set in the environment only while `module.register()` starts the hooks
 * thread, which takes a copy of the environment as it starts.
 */
export const HOOKS_THREAD_ENV = 'ASYNCRACE_HOOKS_THREAD';

/**
 * True in the hooks thread.
 *
 * @example
 *   if (inHooksThread()) return; // nothing to install there
 */
export function inHooksThread(): boolean {
  if (workerThreads.isMainThread) return false;
  // Node >= 22.14 says so itself; before, only the marker tells.
  const internal = (workerThreads as { isInternalThread?: boolean }).isInternalThread;
  return internal === true || process.env[HOOKS_THREAD_ENV] === '1';
}
