/**
 * Installs the runtime that instrumented code calls (see api.ts) on a
 * non-enumerable, non-writable global, and starts following async tasks.
 *
 * @example
 *   installRuntime(parseOptions(process.env.ASYNCRACE_OPTIONS));
 */
import { reportRace } from '../report/collect';
import { acquire, release, startTracking } from './async-context';
import { RUNTIME_KEY, type Runtime } from './api';
import { fc, made, size, t, whole } from './collections';
import { configureDetector } from './detector';
import { internalError } from './internal-error';
import { iter } from './iterate';
import type { Options } from './options';
import { pop, push, res, sus } from './shadow-stack';
import { registerFile } from './sites';

/** The runtime installed in this realm, if any. */
export function installedRuntime(): Runtime | undefined {
  return (globalThis as Record<symbol, Runtime | undefined>)[RUNTIME_KEY];
}

/** Installs the runtime once per process; later calls return the installed one. */
export function installRuntime(options: Pick<Options, 'strict'>): Runtime {
  const existing = installedRuntime();
  if (existing) return existing;
  const runtime: Runtime = Object.freeze({
    file: registerFile,
    t,
    fc,
    whole,
    size,
    iter,
    made,
    push,
    pop,
    sus,
    res,
    acquire(obj: object) {
      try {
        acquire(obj);
      } catch (err) {
        internalError('acquire', err);
      }
    },
    release(obj: object) {
      try {
        release(obj);
      } catch (err) {
        internalError('release', err);
      }
    },
  });
  configureDetector({
    strict: options.strict,
    onRace(race) {
      try {
        reportRace(race);
      } catch (err) {
        internalError('reporting a race', err);
      }
    },
  });
  Object.defineProperty(globalThis, RUNTIME_KEY, { value: runtime, enumerable: false, writable: false, configurable: false });
  startTracking();
  return runtime;
}
