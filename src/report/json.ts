/**
 * The JSON report, version 1 (DESIGN.md section 4): build, write, read, merge.
 */
import fs from 'node:fs';
import { raceSignature } from './signature';
import type { Report, ReportCommand, ReportRace } from './types';

/** A JSON report that cannot be read as version 1. */
export class ReportFormatError extends Error {
  override name = 'ReportFormatError';
}

/**
 * A version 1 report of the given races; `omitted` counts races that
 * max_reports left out; `command` is how the command run under the CLI ended.
 *
 * @example
 *   buildReport([]) // => { version: 1, races: [] }
 *   buildReport([], 0, { exitCode: 1, signal: null }) // => { version: 1, command: { exitCode: 1, signal: null }, races: [] }
 */
export function buildReport(races: readonly ReportRace[], omitted = 0, command?: ReportCommand): Report {
  const report: Report = command ? { version: 1, command: { exitCode: command.exitCode, signal: command.signal }, races: [...races] } : { version: 1, races: [...races] };
  if (omitted > 0) report.omitted = omitted;
  return report;
}

/**
 * The report as JSON text (indented, newline-terminated).
 *
 * @example
 *   serializeReport(buildReport([])) // => '{\n  "version": 1,\n  "races": []\n}\n'
 */
export function serializeReport(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/**
 * Writes a report file (synchronously: it also runs in process 'exit' handlers).
 *
 * @example
 *   writeReport('race.json', buildReport(collectedRaces()))
 */
export function writeReport(file: string, report: Report): void {
  fs.writeFileSync(file, serializeReport(report));
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function isPosition(x: unknown): x is Record<string, unknown> {
  return isObject(x) && typeof x.file === 'string' && typeof x.line === 'number' && typeof x.column === 'number';
}

function isFrame(x: unknown): boolean {
  return isPosition(x) && typeof x.function === 'string' && (x.mapped === undefined || isPosition(x.mapped));
}

function isStack(x: unknown): boolean {
  return Array.isArray(x) && x.every(isFrame);
}

function isAccess(x: unknown): boolean {
  return isObject(x) && typeof x.op === 'string' && typeof x.method === 'string' && isStack(x.frames);
}

function isTask(x: unknown): boolean {
  return isObject(x) && typeof x.id === 'number' && isStack(x.createdAt);
}

// Checks every field that the formatters read, so that a foreign or damaged
// file is named as such instead of failing in the middle of a report.
function checkRace(x: unknown, i: number): ReportRace {
  const ok =
    isObject(x) &&
    typeof x.kind === 'string' &&
    isObject(x.object) &&
    typeof x.object.type === 'string' &&
    typeof x.object.key === 'string' &&
    isStack(x.object.createdAt) &&
    isAccess(x.current) &&
    isAccess(x.previous) &&
    (x.interleaved === undefined || isAccess(x.interleaved)) &&
    Array.isArray(x.tasks) &&
    x.tasks.every(isTask);
  if (!ok) throw new ReportFormatError(`race ${i} is not a race of report version 1`);
  return x as unknown as ReportRace;
}

// The command's end, which the text summary reads: an exit code or a signal.
function checkCommand(x: unknown): ReportCommand | undefined {
  if (x === undefined) return undefined;
  if (isObject(x)) {
    const { exitCode } = x;
    const signal = x.signal ?? null;
    const codeOk = exitCode === null || (typeof exitCode === 'number' && Number.isInteger(exitCode));
    if (codeOk && (signal === null || typeof signal === 'string') && (exitCode !== null || signal !== null)) {
      return { exitCode: exitCode as number | null, signal: signal as string | null };
    }
  }
  throw new ReportFormatError('command is not { exitCode, signal } (an integer exit code, or null and a signal name)');
}

/**
 * Parses JSON text as a version 1 report. Throws ReportFormatError when it is not one.
 *
 * @example
 *   parseReport('{"version":1,"races":[]}') // => { version: 1, races: [] }
 */
export function parseReport(text: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ReportFormatError(`not JSON: ${(err as Error).message}`);
  }
  if (!isObject(data) || data.version !== 1) throw new ReportFormatError('not a report of version 1');
  if (!Array.isArray(data.races)) throw new ReportFormatError('report has no races array');
  const omitted = typeof data.omitted === 'number' && data.omitted > 0 ? data.omitted : 0;
  const command = checkCommand(data.command);
  return buildReport(data.races.map(checkRace), omitted, command);
}

/**
 * Reads a version 1 report file. Throws ReportFormatError (or a file system error).
 *
 * @example
 *   readReport('race.json').races.length // => 1
 */
export function readReport(file: string): Report {
  return parseReport(fs.readFileSync(file, 'utf8'));
}

/** The extension of the files in which each process streams its races to the CLI. */
export const REPORT_FILE_EXTENSION = '.ndjson';

/**
 * One race as a line of a process's report stream (JSON, newline-terminated).
 *
 * @example
 *   serializeRaceLine(race) // => '{"kind":"atomicity-violation",...}\n'
 */
export function serializeRaceLine(race: ReportRace): string {
  return JSON.stringify(race) + '\n';
}

/**
 * Reads a process's report stream (a race per line) as a version 1 report. A
 * last line without its newline is a write that the process's end cut off,
 * and is left out; any other line that is not a race throws ReportFormatError.
 *
 * @example
 *   parseRaceLines('{"kind":...}\n{"kin') // => { version: 1, races: [race] }
 */
export function parseRaceLines(text: string): Report {
  const lines = text.split('\n');
  // After the last newline: '' for a complete stream, else the torn tail.
  lines.pop();
  const races = lines.filter((line) => line !== '').map((line, i) => {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (err) {
      throw new ReportFormatError(`line ${i + 1} is not JSON: ${(err as Error).message}`);
    }
    return checkRace(data, i);
  });
  return buildReport(races);
}

/** The command's end that every report records, if they all record the same one. */
function commonCommand(reports: readonly Report[]): ReportCommand | undefined {
  const first = reports[0]?.command;
  if (!first) return undefined;
  const same = (c: ReportCommand | undefined): boolean => c !== undefined && c.exitCode === first.exitCode && c.signal === first.signal;
  return reports.every((r) => same(r.command)) ? first : undefined;
}

/**
 * Merges reports (one per process, or per CI shard) into one, keeping the
 * first race of each pair of access sites (current and previous `frames[0]`,
 * in either order), and at most `maxReports` races (0: all); `omitted` adds
 * up what each report and the limit left out. `command` is kept when every
 * report records the same one (a single report, shards that all ended
 * alike); otherwise no one command's end stands for them, and it is left out.
 *
 * @example
 *   mergeReports([a, b]).races // => a's races, then b's races at new site pairs
 */
export function mergeReports(reports: readonly Report[], maxReports = 0): Report {
  const seen = new Set<string>();
  const races: ReportRace[] = [];
  let omitted = 0;
  for (const report of reports) {
    omitted += report.omitted ?? 0;
    for (const race of report.races) {
      const signature = raceSignature(race);
      if (seen.has(signature)) continue;
      seen.add(signature);
      if (maxReports > 0 && races.length >= maxReports) omitted += 1;
      else races.push(race);
    }
  }
  return buildReport(races, omitted, commonCommand(reports));
}
