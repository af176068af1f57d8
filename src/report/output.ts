/**
 * The report of one process (or worker thread): under the asyncrace CLI, a
 * file in the CLI's directory with a line per race, appended to as races are
 * found; else the text report at exit.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Options } from '../options';
import { collectedRaces, omittedRaces, onRace } from './collect';
import { REPORT_FILE_EXTENSION, serializeRaceLine } from './json';
import { writeLog } from './log';
import { formatReport } from './text';
import type { ReportRace } from './types';

/** What a process reports: the races it kept and how many max_reports left out. */
export interface ProcessReport {
  races: readonly ReportRace[];
  omitted?: number;
}

export type ReportOptions = Pick<Options, 'log_path' | 'strip_path_prefix'>;

// One file per thread, appended to as races are found. Threads share the pid,
// and a pid can come back in a long run: the random part keeps names apart.
let ownName: string | undefined;
function reportFile(dir: string): string {
  ownName ??= `race-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}${REPORT_FILE_EXTENSION}`;
  return path.join(dir, ownName);
}

let cliUnwritable = false;

function appendToCli(dir: string, races: readonly ReportRace[]): boolean {
  if (cliUnwritable) return false;
  try {
    // One write per race: a process killed in the middle leaves at most a torn last line.
    let text = '';
    for (const race of races) text += serializeRaceLine(race);
    fs.appendFileSync(reportFile(dir), text);
    return true;
  } catch (err) {
    // The CLI's directory is gone (or unwritable): the races are shown here at exit instead.
    cliUnwritable = true;
    process.stderr.write(`asyncrace: cannot write the report to ${dir}: ${(err as Error).message}\n`);
    return false;
  }
}

/**
 * Under the CLI: creates this thread's report file now (so the CLI knows it
 * ran) and appends every new race to it as it is found, so that a process
 * killed by a signal, or a worker ended with terminate(), loses no race it
 * found. Each race costs one append, whatever came before.
 *
 * @example
 *   const { reportDir } = threadSettings();
 *   if (reportDir) reportToCliAsFound(reportDir);
 */
export function reportToCliAsFound(dir: string): void {
  appendToCli(dir, collectedRaces());
  onRace((race) => {
    appendToCli(dir, [race]);
  });
}

/**
 * Emits this process's report; returns whether the process's exit code should
 * become `options.exitcode`. Synchronous: it runs in a process 'exit' handler.
 *
 * Under the CLI (`reportDir` given, and `reportToCliAsFound` writing to it)
 * it prints nothing and returns false: the CLI sets the exit code from all
 * processes' reports.
 * Otherwise it writes the text report and summary to `options.log_path` when
 * there are races, and returns true then.
 *
 * @example
 *   process.on('exit', (code) => {
 *     if (emitProcessReport({ races: collectedRaces() }, options, dir) && code === 0) process.exitCode = options.exitcode;
 *   });
 */
export function emitProcessReport(report: ProcessReport, options: ReportOptions, reportDir: string | undefined): boolean {
  // Under the CLI every race went to the report file as it was found; the file is still there to append to.
  if (reportDir && appendToCli(reportDir, [])) return false;
  if (report.races.length === 0) return false;
  const text = formatReport(report.races, { stripPrefix: options.strip_path_prefix }, report.omitted ?? 0);
  try {
    writeLog(text, options.log_path);
  } catch (err) {
    process.stderr.write(`asyncrace: cannot write to log_path ${options.log_path}: ${(err as Error).message}\n`);
    writeLog(text, 'stderr');
  }
  return true;
}

/**
 * This process's report as it stands.
 *
 * @example
 *   emitProcessReport(processReport(), options, dir)
 */
export function processReport(): ProcessReport {
  return { races: collectedRaces(), omitted: omittedRaces() };
}
