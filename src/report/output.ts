/**
 * The report of one process at its end: a JSON file for the asyncrace CLI when
 * it started the process, else the text report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Options } from '../runtime/options';
import { buildReport, serializeReport } from './json';
import { writeLog } from './log';
import { formatReport } from './text';
import type { ReportRace } from './types';

/** Environment variable naming the directory where the CLI collects each process's report. */
export const REPORT_DIR_ENV = 'ASYNCRACE_REPORT_DIR';

let written = 0;

// race-<pid>-<n>.json; worker threads share the pid, so their n carries the thread id.
function reportFileName(): string {
  written += 1;
  const n = threadId === 0 ? `${written}` : `t${threadId}-${written}`;
  return `race-${process.pid}-${n}.json`;
}

function writeReportFile(dir: string, races: readonly ReportRace[]): void {
  const file = path.join(dir, reportFileName());
  // Written under another name and renamed: the CLI never reads half a file.
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, serializeReport(buildReport(races)));
  fs.renameSync(partial, file);
}

/**
 * Emits this process's report; returns whether the process's exit code should
 * become `options.exitcode`. Synchronous: it runs in a process 'exit' handler.
 *
 * Under the CLI (`ASYNCRACE_REPORT_DIR` set) it writes `<dir>/race-<pid>-<n>.json`,
 * even with no race so the CLI knows the process ran, prints nothing, and
 * returns false: the CLI sets the exit code from all processes' reports.
 * Otherwise it writes the text report and summary to `options.log_path` when
 * there are races, and returns true then.
 *
 * @example
 *   process.on('exit', (code) => {
 *     if (emitProcessReport(collectedRaces(), options) && code === 0) process.exitCode = options.exitcode;
 *   });
 */
export function emitProcessReport(
  races: readonly ReportRace[],
  options: Pick<Options, 'log_path'>,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const dir = env[REPORT_DIR_ENV];
  if (dir) {
    try {
      writeReportFile(dir, races);
      return false;
    } catch (err) {
      // The CLI's directory is gone (or unwritable): show the races here instead.
      process.stderr.write(`asyncrace: cannot write the report to ${dir}: ${(err as Error).message}\n`);
    }
  }
  if (races.length === 0) return false;
  const text = formatReport(races);
  try {
    writeLog(text, options.log_path);
  } catch (err) {
    process.stderr.write(`asyncrace: cannot write to log_path ${options.log_path}: ${(err as Error).message}\n`);
    writeLog(text, 'stderr');
  }
  return true;
}
