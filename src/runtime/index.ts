/**
 * Installs the runtime that instrumented code calls (see api.ts) on a
 * non-enumerable, non-writable global, and starts following async tasks.
 * What becomes of a race is the caller's (start-detection.ts): the runtime
 * only hands each one to `onRace`.
 *
 * @example
 *   installRuntime({ strict: false, history: 8, onRace: (race) => races.push(race) });
 */
import { ENTRY, HOST_ENTRY, RUNTIME_KEY, type FileMeta, type Runtime } from './api';
import {
  callOriginal,
  chooseCall,
  chooseJoinCall,
  chooseLateCall,
  joinHook,
  lateHook,
  readSize,
  readWhole,
  recordCreation,
} from './collections';
import { checkAsyncIterable, checkConstruct, checkDestructure } from './checks';
import { configureDetector, type DetectorConfig } from './detector';
import { internalError } from './internal-error';
import { iterate } from './iterate';
import { modelLocks } from './locks';
import { startTracking } from './node-hooks';
import { enterFunction, leaveFunction, resume, suspend } from './shadow-stack';
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
  const entries: Runtime = {
    [ENTRY.registerFile]: onFile
      ? (meta: FileMeta): number => {
          try {
            onFile();
          } catch (err) {
            internalError('announcing a module', err);
          }
          return registerFile(meta);
        }
      : registerFile,
    [ENTRY.chooseCall]: chooseCall,
    [ENTRY.chooseLateCall]: chooseLateCall,
    [ENTRY.chooseJoinCall]: chooseJoinCall,
    [ENTRY.lateHook]: lateHook,
    [ENTRY.joinHook]: joinHook,
    [ENTRY.callOriginal]: callOriginal,
    [ENTRY.readWhole]: readWhole,
    [ENTRY.readSize]: readSize,
    [ENTRY.iterate]: iterate,
    [ENTRY.checkDestructure]: checkDestructure,
    [ENTRY.checkConstruct]: checkConstruct,
    [ENTRY.checkAsyncIterable]: checkAsyncIterable,
    [ENTRY.recordCreation]: recordCreation,
    [ENTRY.enterFunction]: enterFunction,
    [ENTRY.leaveFunction]: leaveFunction,
    [ENTRY.suspend]: suspend,
    [ENTRY.resume]: resume,
    [HOST_ENTRY.acquire](obj: object) {
      try {
        acquire(obj);
      } catch (err) {
        internalError('acquire', err);
      }
    },
    [HOST_ENTRY.release](obj: object) {
      try {
        release(obj);
      } catch (err) {
        internalError('release', err);
      }
    },
    [HOST_ENTRY.modelLocks](pkg: string, exports: unknown): unknown {
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
