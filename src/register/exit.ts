/**
 * The end of a detected process: the report of its races at exit, and exit
 * code `exitcode` (66) in place of a zero exit when it found any. With
 * `halt_on_error=1` the process reports and exits at its first race.
 */
import { onRace } from '../report/collect';
import { emitProcessReport, processReport } from '../report/output';
import { isMainThread } from 'node:worker_threads';
import { enterExit } from '../runtime/events';
import { internalError } from '../runtime/internal-error';
import type { Options } from '../options';

/** Signals whose default action ends a process with no 'exit' event (Ctrl-C, a service manager's stop). */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Makes SIGINT and SIGTERM report the races found so far before they end the
 * process, as they would have: by the same signal. The listeners go in only
 * once a race is found (until then a listener would only keep a signal from
 * ending a process busy in synchronous code), and stand aside when the
 * program listens itself: its handler decides, and its exit reports.
 */
function reportBeforeSignals(flush: () => void): void {
  let armed = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return;
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    flush();
    // No listener is left: the signal's default action ends the process, with the signal.
    process.kill(process.pid, signal);
  };
  onRace(() => {
    if (armed) return;
    armed = true;
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}

/**
 * Installs the exit handling. The report is emitted once, synchronously, at
 * the process's 'exit' (normal end, `process.exit(n)`, uncaught exception,
 * unhandled rejection), or before SIGINT or SIGTERM ends it.
 * Under the CLI (`reportDir` given) the CLI's report file, kept current as
 * races are found (start-detection.ts), is the report.
 *
 * @example
 *   installExitHandling(parseOptions('exitcode=66 halt_on_error=0'), undefined);
 *   // at exit, with a race: the report on stderr, exit code 66 instead of 0
 */
export function installExitHandling(options: Options, reportDir: string | undefined, raceFlag: Int32Array): void {
  // A worker's exit code is the program's to see: a worker that found a race tells the main thread instead.
  if (!isMainThread) {
    onRace(() => {
      Atomics.store(raceFlag, 0, 1);
    });
  }
  let emitted = false;
  const emit = (): boolean => {
    emitted = true;
    try {
      return emitProcessReport(processReport(), options, reportDir);
    } catch (err) {
      // The program's exit must keep its code: a report that cannot be made is an internal error.
      internalError('writing the report', err);
      return false;
    }
  };

  // First of the 'exit' listeners: the program's own ones then run in an event after all others.
  process.prependListener('exit', (code) => {
    try {
      enterExit();
    } catch (err) {
      internalError('ending the last event', err);
    }
    if (emitted) return;
    // A non-zero exit (a failure, an uncaught exception) keeps its own code, and so does an ES module whose
    // top-level await never settled: Node 20 sets its 13 in an 'exit' listener of its own, after this one.
    const unsettledTopLevelAwait = process.listeners('exit').some((l) => l.name === 'handleProcessExit');
    const found = emit();
    if (!isMainThread || reportDir) return;
    const inWorkers = Atomics.load(raceFlag, 0) === 1;
    if ((found || inWorkers) && code === 0 && Number(process.exitCode ?? 0) === 0 && !unsettledTopLevelAwait) process.exitCode = options.exitcode;
  });

  reportBeforeSignals(() => {
    if (!emitted) emit();
  });

  if (options.halt_on_error) {
    onRace(() => {
      if (emitted) return;
      emit();
      process.exit(options.exitcode);
    });
  }
}
