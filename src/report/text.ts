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

function accessHeader(label: string, access: ReportAccess, race: ReportRace, cwd: string, withCreation: boolean): string {
  const o = race.object;
  const creation = withCreation && o.createdAt[0] ? ` (created at ${location(o.createdAt[0], cwd)})` : '';
  const what = o.keySet
    ? `${label} of the key set of ${o.type}#${o.id} (${access.method})${creation}`
    : `${label} of key ${keyText(race)} on ${o.type}#${o.id}${creation}`;
  return `${what} by task ${access.task}:`;
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
 * ending in a newline.
 *
 * @example
 *   formatRace(race, { cwd: '/app' })
 *   // ==================
 *   // WARNING: ASYNC RACE (atomicity violation)
 *   // Write of key "user:1" on Map#3 (created at src/cache.ts:4:15) by task 9:
 *   //     at getUser (src/cache.ts:12:11)
 *   // Previous read of key "user:1" on Map#3 by task 9:
 *   //     at getUser (src/cache.ts:9:13)
 *   // ...
 *   // ==================
 */
export function formatRace(race: ReportRace, options: TextOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const lines = [
    RULE,
    `WARNING: ASYNC RACE (${KIND_TEXT[race.kind] ?? race.kind})`,
    accessHeader(capitalised(opWord(race.current)), race.current, race, cwd, true),
    ...stackLines(race.current.frames, cwd),
    accessHeader(`Previous ${opWord(race.previous)}`, race.previous, race, cwd, false),
    ...stackLines(race.previous.frames, cwd),
  ];
  if (race.interleaved) {
    lines.push(accessHeader(`Interleaved ${opWord(race.interleaved)}`, race.interleaved, race, cwd, false));
    lines.push(...stackLines(race.interleaved.frames, cwd));
  }
  for (const task of race.tasks) lines.push(...taskLines(task, cwd));
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
