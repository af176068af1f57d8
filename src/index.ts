/**
 * asyncrace's public API: hand-made synchronisation for the detector, the
 * options parser, the report types, and the transform for tools that
 * instrument code themselves.
 *
 * Detection itself is switched on from outside the program:
 * `node --import asyncrace/register app.mjs`, `node --require asyncrace/register app.js`,
 * or `asyncrace -- <command>`.
 *
 * @example
 *   import { acquire, release } from 'asyncrace';
 */
import type * as InstrumentModule from './instrument/instrument';
import type { InstrumentOptions, InstrumentResult } from './instrument/instrument';
import { RUNTIME_KEY, type Runtime } from './runtime/api';

export { OptionsError, defaults, parseOptions } from './options';
export type { Options } from './options';
export type { InstrumentOptions, InstrumentResult, SourceMapObject } from './instrument/instrument';
export type { RaceKind, Report, ReportAccess, ReportFrame, ReportRace, ReportTask } from './report/types';

function runtime(): Runtime | undefined {
  return (globalThis as Record<symbol, Runtime | undefined>)[RUNTIME_KEY];
}

/**
 * Go's RaceAcquire: everything the program did before any earlier
 * `release(obj)` happens before what the current task does next. A no-op when
 * the program runs without detection.
 *
 * Use it for synchronisation the detector cannot see, such as a lock whose
 * uncontended path only flips a field:
 *
 * @example
 *   async function withLock<T>(lock: MyLock, fn: () => Promise<T>): Promise<T> {
 *     await lock.take();
 *     acquire(lock);
 *     try { return await fn(); } finally { release(lock); lock.give(); }
 *   }
 */
export function acquire(obj: object): void {
  runtime()?.acquire(obj);
}

/**
 * Go's RaceRelease: what the current task did so far happens before whatever
 * follows a later `acquire(obj)`. A no-op when the program runs without
 * detection.
 *
 * @example
 *   state.ready = true;
 *   release(state);   // the writer publishes
 *   // ... elsewhere, once state.ready is seen:
 *   acquire(state);   // the reader is ordered after the writer
 */
export function release(obj: object): void {
  runtime()?.release(obj);
}


/**
 * Instruments one module's source for the asyncrace runtime (the transform
 * the register hooks use), or returns null when it leaves the file as it is
 * (a syntax error, code instrumented already). `moduleName` is the module's
 * name in V8 stack frames: its absolute path for CommonJS, its file: URL for
 * ESM. The instrumented code runs only where the runtime is installed
 * (`asyncrace/register`).
 *
 * The transform (and Babel) load on the first call, so importing asyncrace
 * for `acquire` / `release` stays cheap.
 *
 * @example
 *   const out = instrument(source, '/app/src/cache.ts', { moduleName: '/app/src/cache.ts' });
 *   if (out) fs.writeFileSync('/app/build/cache.ts', out.code);
 */
export function instrument(code: string, filename: string, options: InstrumentOptions = {}): InstrumentResult | null {
  return (require('./instrument/instrument') as typeof InstrumentModule).instrument(code, filename, options);
}
