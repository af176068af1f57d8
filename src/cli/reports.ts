/**
 * Gathers the JSON reports that the processes of one run wrote into the
 * report directory, and the notes they left beside them (report/cli-notes.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readCliNotes, type CliNotes } from '../report/cli-notes';
import { mergeReports, parseRaceLines, REPORT_FILE_EXTENSION } from '../report/json';
import type { Report } from '../report/types';

export interface GatheredReports {
  /** All races, merged and deduplicated. */
  report: Report;
  /** How many process reports were read. */
  processes: number;
  /** One message per file that could not be read. */
  problems: string[];
  /** What the processes noted besides their races (report/cli-notes.ts). */
  notes: CliNotes;
}

/**
 * Reads and merges every process's report stream in `dir` (in name order), keeping at
 * most `maxReports` races (0: all).
 *
 * @example
 *   gatherReports(dir) // => { report: { version: 1, races: [...] }, processes: 2, problems: [], notes: { instrumented: 2, ... } }
 */
export function gatherReports(dir: string, maxReports = 0): GatheredReports {
  const names = fs.readdirSync(dir).filter((name) => name.endsWith(REPORT_FILE_EXTENSION)).sort();
  const reports: Report[] = [];
  const problems: string[] = [];
  for (const name of names) {
    try {
      reports.push(parseRaceLines(fs.readFileSync(path.join(dir, name), 'utf8')));
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
  }
  return { report: mergeReports(reports, maxReports), processes: reports.length, problems, notes: readCliNotes(dir) };
}
