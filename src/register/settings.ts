/**
 * The detection settings of this thread: `ASYNCRACE_OPTIONS` and the CLI's
 * report directory. A worker thread can be started with an environment of its
 * own (`new Worker(file, { env: {} })`); it then takes them from the thread
 * that started it, through worker environment data, which every new Worker
 * copies and user code does not see unless it asks for this key.
 */
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';

/** Environment variable naming the directory where the CLI collects each process's report. */
export const REPORT_DIR_ENV = 'ASYNCRACE_REPORT_DIR';

export interface Settings {
  /** The `ASYNCRACE_OPTIONS` text. */
  options: string | undefined;
  /** The CLI's report directory; undefined when not run by the CLI. */
  reportDir: string | undefined;
}

/** What a thread that runs detection shares with the threads it starts. */
export interface ThreadSettings extends Settings {
  /**
   * Shared by every thread of the process: element 0 is set once any worker
   * thread found a race, so that the main thread's exit code says so.
   */
  raceFlag: Int32Array;
}

const KEY = 'asyncrace.settings';

function inherited(): Partial<ThreadSettings> {
  if (isMainThread) return {};
  const data: unknown = getEnvironmentData(KEY);
  if (typeof data !== 'object' || data === null) return {};
  const d = data as Record<string, unknown>;
  return {
    options: typeof d.options === 'string' ? d.options : undefined,
    reportDir: typeof d.reportDir === 'string' ? d.reportDir : undefined,
    raceFlag: d.raceFlag instanceof Int32Array && d.raceFlag.buffer instanceof SharedArrayBuffer ? d.raceFlag : undefined,
  };
}

/**
 * This thread's settings: its own environment first, then its starter's.
 * Reads only (the loader hooks thread reads them too).
 *
 * @example
 *   readSettings().options // => 'strict=1'
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const from = inherited();
  return {
    options: env.ASYNCRACE_OPTIONS ?? from.options,
    reportDir: env[REPORT_DIR_ENV] || from.reportDir,
  };
}

/**
 * This thread's settings, passed on to the worker threads it starts.
 *
 * @example
 *   const { options, reportDir } = threadSettings();
 */
export function threadSettings(env: NodeJS.ProcessEnv = process.env): ThreadSettings {
  const settings = { ...readSettings(env), raceFlag: inherited().raceFlag ?? new Int32Array(new SharedArrayBuffer(4)) };
  setEnvironmentData(KEY, settings);
  return settings;
}
