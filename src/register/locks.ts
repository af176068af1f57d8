/**
 * Hands the lock libraries that the runtime models (runtime/locks.ts) to it
 * as they load: node_modules are not instrumented, this is only an
 * annotation of their entry modules.
 *
 * - CommonJS: after `Module.prototype._compile` ran an entry file, its
 *   exports go through the runtime's `lock` (cjs-hook.ts).
 * - ES modules (p-limit, p-queue, async-mutex's `index.mjs`): the load hook
 *   appends one line to the entry file's source that hands its bindings to
 *   the runtime's `lock` (load-hook.ts; in-thread on Node 24, in the hooks
 *   thread on Node 20, where the line runs later in the main thread). The
 *   line does nothing where no runtime is installed.
 */
import path from 'node:path';
import { RUNTIME_KEY } from '../runtime/api';
import { reportInternalError } from './internal-error';

interface EsmEntry {
  /** The entry file, relative to the package folder. */
  file: string;
  /** The source has the binding the line reads (this version's shape). */
  shape: RegExp;
  /** Code run with the runtime as `__asyncrace`. */
  code: string;
}

/** ES module entries and the line each gets. */
const ESM_ENTRIES: Record<string, EsmEntry> = {
  // `export default function pLimit` is a mutable binding: the default export follows the assignment.
  'p-limit': { file: 'index.js', shape: /^export default function pLimit\b/m, code: 'pLimit = __asyncrace.lock("p-limit", pLimit);' },
  'p-queue': { file: 'dist/index.js', shape: /^export default class PQueue\b/m, code: '__asyncrace.lock("p-queue", PQueue);' },
  'async-mutex': { file: 'index.mjs', shape: /^class Semaphore\b/m, code: '__asyncrace.lock("async-mutex", { Semaphore });' },
};

/** CommonJS entry files (relative to the package folder) whose exports are modelled. */
const CJS_ENTRIES: Record<string, readonly string[]> = {
  'async-mutex': ['lib/index.js'],
  'async-lock': ['index.js', 'lib/index.js'],
  'p-limit': ['index.js'],
  'p-queue': ['dist/index.js'],
};

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/**
 * The modelled package `filename` belongs to and its path in it, or null.
 *
 * @example
 *   lockPackageOf('/app/node_modules/p-queue/dist/index.js') // => { pkg: 'p-queue', file: 'dist/index.js' }
 */
export function lockPackageOf(filename: string): { pkg: string; file: string } | null {
  const at = filename.lastIndexOf(NODE_MODULES);
  if (at < 0) return null;
  const rest = filename.slice(at + NODE_MODULES.length);
  const slash = rest.indexOf(path.sep);
  if (slash < 0) return null;
  const pkg = rest.slice(0, slash);
  if (!Object.prototype.hasOwnProperty.call(CJS_ENTRIES, pkg)) return null;
  return { pkg, file: rest.slice(slash + 1).split(path.sep).join('/') };
}

const runtimeLine = (code: string): string =>
  `\n;try{const __asyncrace=globalThis[Symbol.for("asyncrace")];if(__asyncrace&&typeof __asyncrace.lock==="function"){${code}}}catch{}\n`;

/**
 * The source of a lock library's entry module with the line that hands it
 * to the runtime appended, or null when `filename` is no such entry.
 *
 * @param esm an ES module (else CommonJS whose source Node compiles itself, in the hooks thread)
 * @param text reads the source (called only for an entry)
 *
 * @example
 *   annotatedLockSource('/app/node_modules/p-limit/index.js', true, () => src)
 *   // => src + '\n;try{const __asyncrace=...;if(...){pLimit = __asyncrace.lock("p-limit", pLimit);}}catch{}\n'
 */
export function annotatedLockSource(filename: string, esm: boolean, text: () => string): string | null {
  const where = lockPackageOf(filename);
  if (!where) return null;
  if (esm) {
    const entry = ESM_ENTRIES[where.pkg];
    if (!entry || entry.file !== where.file) return null;
    const source = text();
    return entry.shape.test(source) ? source + runtimeLine(entry.code) : null;
  }
  if (!CJS_ENTRIES[where.pkg]!.includes(where.file)) return null;
  return (
    text() +
    runtimeLine(`const __asyncraceExports=__asyncrace.lock(${JSON.stringify(where.pkg)},module.exports);if(__asyncraceExports!==module.exports)module.exports=__asyncraceExports;`)
  );
}

type LockEntry = (pkg: string, exports: unknown) => unknown;

/**
 * After a CommonJS module ran: hands a lock library entry's exports to the
 * runtime, which may replace them (p-limit's factory). Never throws.
 *
 * @example
 *   const result = original.call(module, content, filename);
 *   modelCjsExports(module, filename);
 */
export function modelCjsExports(module: { exports: unknown }, filename: string): void {
  try {
    const where = lockPackageOf(filename);
    if (!where || !CJS_ENTRIES[where.pkg]!.includes(where.file)) return;
    const lock = (globalThis as Record<symbol, { lock?: LockEntry } | undefined>)[RUNTIME_KEY]?.lock;
    if (typeof lock !== 'function') return;
    const exports = lock(where.pkg, module.exports);
    if (exports !== module.exports) module.exports = exports;
  } catch (err) {
    reportInternalError(`modelling the locks of ${filename}`, err);
  }
}
