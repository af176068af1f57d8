/**
 * Starts detection in this thread and connects it to the report side: the
 * runtime's races go to collection (suppressions, max_reports, redaction) and,
 * under the CLI, to this thread's report file as they are found. The register
 * module (a process) and the vitest worker start detection here; what each
 * does with the collected races at the end (a report at exit, test failures)
 * is its own.
 *
 * @example
 *   startDetection(parseOptions(process.env.ASYNCRACE_OPTIONS), process.env.ASYNCRACE_REPORT_DIR);
 */
import type { Options } from './options';
import { configureCollection, reportRace } from './report/collect';
import { noteToCli } from './report/cli-notes';
import { reportToCliAsFound } from './report/output';
import { suppressionsOf, useSuppressions } from './report/suppress';
import { installedRuntime, installRuntime } from './runtime/index';

/**
 * Installs the runtime in this thread with `options`, once; returns false
 * when a runtime was installed already (loaded twice, or by another copy of
 * asyncrace), which then keeps its own settings and outputs. `reportDir`: the
 * CLI's report directory, when run by the CLI. Throws OptionsError when the
 * suppressions file cannot be used (checked by whoever read the options, before
 * the program started).
 */
export function startDetection(options: Options, reportDir: string | undefined): boolean {
  if (installedRuntime()) return false;
  useSuppressions(suppressionsOf(options));
  configureCollection({
    // Under the CLI, max_reports applies to the merged report: the CLI needs every race to count it right.
    maxReports: reportDir ? 0 : options.max_reports,
    // redact_keys=auto leaves keys to the outputs that are uploaded.
    redactKeys: options.redact_keys === true,
  });
  installRuntime({
    strict: options.strict,
    history: 4 * 2 ** options.history_size,
    onRace(race) {
      reportRace(race);
    },
    // Under the CLI: a note once instrumented code starts here (the CLI warns when none did anywhere).
    ...(reportDir ? { onFile: () => noteToCli('instrumented', reportDir) } : {}),
  });
  // Each race reaches the CLI as it is found: a process may end by a signal, a worker by terminate().
  if (reportDir) reportToCliAsFound(reportDir);
  return true;
}
