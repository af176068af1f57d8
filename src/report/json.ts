/**
 * The JSON report, version 1 (DESIGN.md section 4): build, write, read, merge.
 */
import fs from 'node:fs';
import { raceSignature } from './signature';
import type { Report, ReportRace } from './types';

/** A JSON report that cannot be read as version 1. */
export class ReportFormatError extends Error {
  override name = 'ReportFormatError';
}

/**
 * A version 1 report of the given races; `omitted` counts races that
 * max_reports left out.
 *
 * @example
 *   buildReport([]) // => { version: 1, races: [] }
 */
export function buildReport(races: readonly ReportRace[], omitted = 0): Report {
  return omitted > 0 ? { version: 1, races: [...races], omitted } : { version: 1, races: [...races] };
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

function isAccess(x: unknown): boolean {
  return isObject(x) && Array.isArray(x.frames);
}

// Checks the parts that readers rely on, not every field.
function checkRace(x: unknown, i: number): ReportRace {
  if (!isObject(x) || !isObject(x.object) || !isAccess(x.current) || !isAccess(x.previous) || !Array.isArray(x.tasks)) {
    throw new ReportFormatError(`race ${i} is not a race of report version 1`);
  }
  return x as unknown as ReportRace;
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
  return buildReport(data.races.map(checkRace), omitted);
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

/**
 * Merges reports (one per process) into one, keeping the first race of each
 * pair of access sites (current and previous `frames[0]`, in either order),
 * and at most `maxReports` races (0: all); `omitted` adds up what each report
 * and the limit left out.
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
  return buildReport(races, omitted);
}
