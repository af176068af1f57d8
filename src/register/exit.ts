/**
 * The end of a detected process: the report of its races at exit, and exit
 * code `exitcode` (66) in place of a zero exit when it found any. With
 * `halt_on_error=1` the process reports and exits at its first race.
 */
import { collectedRaces, onRace } from '../report/collect';
import { emitProcessReport } from '../report/output';
import { enterExit } from '../runtime/async-context';
import type { Options } from '../runtime/options';

/**
 * Installs the exit handling. The report is emitted once, synchronously, at
 * the process's 'exit' (normal end, `process.exit(n)`, uncaught exception).
 *
 * @example
 *   installExitHandling(parseOptions('exitcode=66 halt_on_error=0'));
 *   // at exit, with a race: the report on stderr, exit code 66 instead of 0
 */
export function installExitHandling(options: Options): void {
  let emitted = false;
  const emit = (): boolean => {
    emitted = true;
    return emitProcessReport(collectedRaces(), options, process.env);
  };

  // First of the 'exit' listeners: the program's own ones then run in an event after all others.
  process.prependListener('exit', (code) => {
    enterExit();
    if (emitted) return;
    // A non-zero exit (a failure, an uncaught exception) keeps its own code.
    if (emit() && code === 0 && Number(process.exitCode ?? 0) === 0) process.exitCode = options.exitcode;
  });

  if (options.halt_on_error) {
    onRace(() => {
      if (emitted) return;
      emit();
      process.exit(options.exitcode);
    });
  }
}
