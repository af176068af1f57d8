/**
 * Installs the runtime that instrumented code calls (see api.ts) on a
 * non-enumerable, non-writable global, and starts following async tasks.
 * What becomes of a race is the caller's (start-detection.ts): the runtime
 * only hands each one to `onRace`.
 *
 * @example
 *   installRuntime({ strict: false, history: 8, onRace: (race) => races.push(race) });
 */
import { RUNTIME_KEY, type FileMeta, type Runtime } from './api';
import { fc, j, k, made, size, t, tj, tl, whole } from './collections';
import { configureDetector, type DetectorConfig } from './detector';
import { internalError } from './internal-error';
import { iter } from './iterate';
import { modelLocks } from './locks';
import { startTracking } from './node-hooks';
import { pop, push, res, sus } from './shadow-stack';
import { registerFile } from './sites';
import { acquire, release } from './sync';

/** The runtime installed in this realm, if any. */
export function installedRuntime(): Runtime | undefined {
  return (globalThis as Record<symbol, Runtime | undefined>)[RUNTIME_KEY];
}

/** The detector's settings, and `onFile`: called as each instrumented module starts (it registers first). */
export type RuntimeConfig = DetectorConfig & { onFile?: () => void };

/** Installs the runtime once per thread; later calls return the installed one. */
export function installRuntime(config: RuntimeConfig): Runtime {
  const existing = installedRuntime();
  if (existing) return existing;
  const { onFile } = config;
  // `lock` (not part of the instrumented-code contract): the loader hooks hand it the exports of the
  // lock libraries (locks.ts), from the CommonJS hook or from a line appended to an ES module.
  const entries = {
    file: onFile
      ? (meta: FileMeta): number => {
          try {
            onFile();
          } catch (err) {
            internalError('announcing a module', err);
          }
          return registerFile(meta);
        }
      : registerFile,
    t,
    tl,
    tj,
    k,
    j,
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
    lock(pkg: string, exports: unknown): unknown {
      try {
        return modelLocks(pkg, exports);
      } catch (err) {
        internalError(`modelling the locks of ${pkg}`, err);
        return exports;
      }
    },
  };
  const runtime: Runtime = Object.freeze(entries);
  configureDetector(config);
  Object.defineProperty(globalThis, RUNTIME_KEY, { value: runtime, enumerable: false, writable: false, configurable: false });
  startTracking();
  return runtime;
}
