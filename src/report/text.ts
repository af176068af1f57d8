/**
 * The text report, in the shape of Go's race reports (DESIGN.md section 4).
 * Formatting only: every decision was made when the race was collected.
 */
import { displayPath } from './paths';
import type { RaceKind, ReportAccess, ReportFrame, ReportRace, ReportTask } from './types';

export interface TextOptions {
  /** Paths under this directory print relative to it. Default: `process.cwd()`. */
  cwd?: string;
}

const RULE = '==================';
const INDENT = '    ';

const KIND_TEXT: Record<RaceKind, string> = {
  'atomicity-violation': 'atomicity violation',
  'order-race': 'order race',
  'data-race': 'data race',
};

function location(frame: ReportFrame, cwd: string): string {
  return `${displayPath(frame.file, cwd)}:${frame.line}:${frame.column}`;
}

function frameLine(frame: ReportFrame, cwd: string): string {
  // A frame without a function name prints as V8 prints it: the location alone.
  return frame.function ? `${INDENT}at ${frame.function} (${location(frame, cwd)})` : `${INDENT}at ${location(frame, cwd)}`;
}

function stackLines(frames: readonly ReportFrame[], cwd: string): string[] {
  return frames.length > 0 ? frames.map((f) => frameLine(f, cwd)) : [`${INDENT}(unknown)`];
}

function keyText(race: ReportRace): string {
  const { key, keyKind } = race.object;
  switch (keyKind) {
    case undefined:
    case 'string':
      return JSON.stringify(key);
    case 'bigint':
      return `${key}n`;
    default:
      return key;
  }
}

function accessHeader(label: string, access: ReportAccess, race: ReportRace, cwd: string, withCreation: boolean, when?: string): string {
  const o = race.object;
  const creation = withCreation && o.createdAt[0] ? ` (created at ${location(o.createdAt[0], cwd)})` : '';
  const what = o.keySet
    ? `${label} of the key set of ${o.type}#${o.id} (${access.method})${creation}`
    : `${label} of key ${keyText(race)} on ${o.type}#${o.id}${creation}`;
  return `${what} by task ${access.task}${when ? ` (${when})` : ''}:`;
}

function accessLines(label: string, access: ReportAccess, race: ReportRace, cwd: string, withCreation: boolean, when?: string): string[] {
  return [accessHeader(label, access, race, cwd, withCreation, when), ...stackLines(access.frames, cwd)];
}

function noteLine(text: string): string {
  return `  -- ${text} --`;
}

function opWord(access: ReportAccess): string {
  return access.op === 'write' ? 'write' : 'read';
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function taskLines(task: ReportTask, cwd: string): string[] {
  return [`Task ${task.id} (${task.state}) created at:`, ...stackLines(task.createdAt, cwd)];
}

/**
 * One race as a text block, from the opening to the closing rule, each line
 * ending in a newline. An atomicity violation shows its accesses in the order
 * they can interleave (the task's first access, the other task's, the task's
 * second); the race's `explanation` goes between the accesses and its `hint`
 * closes the block.
 *
 * @example
 *   formatRace(race, { cwd: '/app' })
 *   // ==================
 *   // WARNING: ASYNC RACE (atomicity violation)
 *   // Previous read of key "user:1" on Map#3 by task 9:
 *   //     at getUser (src/cache.ts:9:13)
 *   //   -- task 9 awaits here; task 11 can run before it resumes --
 *   // Interleaved write of key "user:1" on Map#3 by task 11:
 *   //     at getUser (src/cache.ts:12:11)
 *   // Write of key "user:1" on Map#3 (created at src/cache.ts:4:15) by task 9 (after the await):
 *   //     at getUser (src/cache.ts:12:11)
 *   // Task 9 (running) created at:
 *   // ...
 *   // hint: store the promise in the same step as the check (get-or-create), or hold a lock across the await
 *   // ==================
 */
export function formatRace(race: ReportRace, options: TextOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const { current, previous, interleaved } = race;
  const lines = [RULE, `WARNING: ASYNC RACE (${KIND_TEXT[race.kind] ?? race.kind})`];
  if (interleaved) {
    // The collection's creation stays on the current access's line, as in DESIGN.md.
    lines.push(...accessLines(`Previous ${opWord(previous)}`, previous, race, cwd, false));
    if (race.explanation) lines.push(noteLine(race.explanation));
    lines.push(...accessLines(`Interleaved ${opWord(interleaved)}`, interleaved, race, cwd, false));
    lines.push(...accessLines(capitalised(opWord(current)), current, race, cwd, true, race.resumed));
  } else {
    lines.push(...accessLines(capitalised(opWord(current)), current, race, cwd, true));
    lines.push(...accessLines(`Previous ${opWord(previous)}`, previous, race, cwd, false));
    if (race.explanation) lines.push(noteLine(race.explanation));
  }
  for (const task of race.tasks) lines.push(...taskLines(task, cwd));
  if (race.hint) lines.push(`hint: ${race.hint}`);
  lines.push(RULE);
  return lines.join('\n') + '\n';
}

/**
 * The summary line that closes a report.
 *
 * @example
 *   formatSummary(2) // => 'asyncrace: found 2 race(s)\n'
 */
export function formatSummary(count: number): string {
  return `asyncrace: found ${count} race(s)\n`;
}

/**
 * Every race as a text block, then the summary line; empty when there is no race.
 *
 * @example
 *   formatReport(races) // => '==================\nWARNING: ASYNC RACE ...\n==================\nasyncrace: found 1 race(s)\n'
 */
export function formatReport(races: readonly ReportRace[], options: TextOptions = {}): string {
  if (races.length === 0) return '';
  return races.map((race) => formatRace(race, options)).join('') + formatSummary(races.length);
}
