/**
 * The text report, in the shape of Go's race reports (DESIGN.md section 4).
 * Formatting only: every decision was made when the race was collected.
 */
import { frameRuns } from './frames';
import { displayPath } from './paths';
import { kindText, printedKey } from './words';
import type { ReportAccess, ReportCommand, ReportFrame, ReportPosition, ReportRace, ReportTask } from './types';

export interface TextOptions {
  /** Paths under this directory print relative to it. Default: `process.cwd()`. */
  cwd?: string;
  /** Paths that start with this print without it (the strip_path_prefix option); it goes before `cwd`. */
  stripPrefix?: string;
}

/** The resolved TextOptions that every line is formatted with. */
interface Paths {
  cwd: string;
  stripPrefix: string;
}

const RULE = '==================';
const INDENT = '    ';

function shownPath(file: string, paths: Paths): string {
  const { stripPrefix } = paths;
  if (stripPrefix !== '' && file.startsWith(stripPrefix) && file.length > stripPrefix.length) return file.slice(stripPrefix.length);
  return displayPath(file, paths.cwd);
}

function location(frame: ReportPosition, paths: Paths): string {
  return `${shownPath(frame.file, paths)}:${frame.line}:${frame.column}`;
}

function frameLine(frame: ReportFrame, count: number, paths: Paths): string {
  // A frame without a function name prints as V8 prints it: the location alone.
  const at = frame.function ? `${INDENT}at ${frame.function} (${location(frame, paths)})` : `${INDENT}at ${location(frame, paths)}`;
  const mapped = frame.mapped ? ` (source map: ${location(frame.mapped, paths)})` : '';
  return `${at}${mapped}${count > 1 ? ` x ${count}` : ''}`;
}

function stackLines(frames: readonly ReportFrame[], paths: Paths): string[] {
  return frames.length > 0 ? frameRuns(frames).map((run) => frameLine(run.frame, run.count, paths)) : [`${INDENT}(unknown)`];
}

function accessHeader(label: string, access: ReportAccess, race: ReportRace, paths: Paths, withCreation: boolean, when?: string): string {
  const o = race.object;
  const creation = withCreation && o.createdAt[0] ? ` (created at ${location(o.createdAt[0], paths)})` : '';
  const what = o.keySet
    ? `${label} of the key set of ${o.type}#${o.id} (${access.method})${creation}`
    : `${label} of key ${printedKey(race.object)} on ${o.type}#${o.id}${creation}`;
  return `${what} by task ${access.task}${when ? ` (${when})` : ''}:`;
}

function accessLines(label: string, access: ReportAccess, race: ReportRace, paths: Paths, withCreation: boolean, when?: string): string[] {
  return [accessHeader(label, access, race, paths, withCreation, when), ...stackLines(access.frames, paths)];
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

function taskLines(task: ReportTask, paths: Paths): string[] {
  return [`Task ${task.id} (${task.state}) created at:`, ...stackLines(task.createdAt, paths)];
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
  const paths: Paths = { cwd: options.cwd ?? process.cwd(), stripPrefix: options.stripPrefix ?? '' };
  const { current, previous, interleaved } = race;
  const lines = [RULE, `WARNING: ASYNC RACE (${kindText(race.kind)})`];
  if (interleaved) {
    // The collection's creation stays on the current access's line, as in DESIGN.md.
    lines.push(...accessLines(`Previous ${opWord(previous)}`, previous, race, paths, false));
    if (race.explanation) lines.push(noteLine(race.explanation));
    lines.push(...accessLines(`Interleaved ${opWord(interleaved)}`, interleaved, race, paths, false));
    lines.push(...accessLines(capitalised(opWord(current)), current, race, paths, true, race.resumed));
  } else {
    lines.push(...accessLines(capitalised(opWord(current)), current, race, paths, true));
    lines.push(...accessLines(`Previous ${opWord(previous)}`, previous, race, paths, false));
    if (race.explanation) lines.push(noteLine(race.explanation));
  }
  for (const task of race.tasks) lines.push(...taskLines(task, paths));
  if (race.hint) lines.push(`hint: ${race.hint}`);
  lines.push(RULE);
  return lines.join('\n') + '\n';
}

/** How the command failed, for the summary line; empty when it exited 0 (or is not known). */
function commandFailure(command: ReportCommand | undefined): string {
  if (!command) return '';
  if (command.signal !== null) return `; the command was killed by ${command.signal}`;
  return command.exitCode === 0 ? '' : `; the command exited with code ${command.exitCode}`;
}

/**
 * The summary that closes a report: the count, how the command failed if it
 * did (under the CLI, whose exit code then says only that races were found),
 * and the races that max_reports left out, if any.
 *
 * @example
 *   formatSummary(2)    // => 'asyncrace: found 2 race(s)\n'
 *   formatSummary(2, 3) // => 'asyncrace: found 2 race(s)\nasyncrace: 3 more race(s) not recorded (max_reports)\n'
 *   formatSummary(2, 0, { exitCode: 1, signal: null }) // => 'asyncrace: found 2 race(s); the command exited with code 1\n'
 */
export function formatSummary(count: number, omitted = 0, command?: ReportCommand): string {
  const more = omitted > 0 ? `asyncrace: ${omitted} more race(s) not recorded (max_reports)\n` : '';
  return `asyncrace: found ${count} race(s)${commandFailure(command)}\n${more}`;
}

/**
 * Every race as a text block, then the summary; empty when there is no race.
 * `omitted`: races found beyond max_reports, which the summary counts;
 * `command`: how the command run under the CLI ended, which it names when it failed.
 *
 * @example
 *   formatReport(races) // => '==================\nWARNING: ASYNC RACE ...\n==================\nasyncrace: found 1 race(s)\n'
 */
export function formatReport(races: readonly ReportRace[], options: TextOptions = {}, omitted = 0, command?: ReportCommand): string {
  if (races.length === 0) return '';
  return races.map((race) => formatRace(race, options)).join('') + formatSummary(races.length, omitted, command);
}
