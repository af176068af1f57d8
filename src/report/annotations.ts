/**
 * GitHub Actions workflow commands (`::error file=...::message`) that show
 * each race as an annotation at its access site in the pull request.
 * Formatting only: it shows exactly the races it is given.
 */
import { displayPath, isSourceFile, pathUnder, toPath } from './paths';
import { keyPhrase, kindText } from './words';
import type { RaceKind, ReportAccess, ReportFrame, ReportRace } from './types';

export interface AnnotationOptions {
  /** The repository root: annotations name files relative to it. */
  cwd: string;
}

// Strict-mode data races may be harmless; the two default kinds are bugs.
const LEVEL: Record<RaceKind, 'error' | 'warning'> = {
  'atomicity-violation': 'error',
  'order-race': 'error',
  'data-race': 'warning',
};

/** GitHub's escaping of a command's message. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a command property value: the message's, and the separators ':' and ','. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The site's file relative to `cwd` with '/' separators; undefined outside `cwd` or for a pseudo file. */
function repositoryPath(frame: ReportFrame | undefined, cwd: string): string | undefined {
  const file = frame && toPath(frame.file);
  return file && isSourceFile(file) ? pathUnder(file, cwd) : undefined;
}

function at(frame: ReportFrame | undefined, cwd: string): string {
  return frame ? `${displayPath(toPath(frame.file), cwd)}:${frame.line}:${frame.column}` : 'an unknown location';
}

function other(label: string, access: ReportAccess, cwd: string): string {
  return `${label} ${access.op} (${access.method}) by task ${access.task} at ${at(access.frames[0], cwd)}`;
}

function command(race: ReportRace, cwd: string): string {
  const { current, previous, interleaved, object } = race;
  const site = current.frames[0];
  const file = repositoryPath(site, cwd);
  const properties = file && site ? [`file=${escapeProperty(file)}`, `line=${site.line}`, `col=${site.column}`] : [];
  properties.push(`title=${escapeProperty(`asyncrace: ${kindText(race.kind)} on ${object.type}#${object.id}`)}`);
  const summary = `${current.op} (${current.method}) of ${keyPhrase(object)} on ${object.type}#${object.id} by task ${current.task} at ${at(site, cwd)}`;
  const lines = [race.explanation ? `${summary}: ${race.explanation}` : summary, other('previous', previous, cwd)];
  if (interleaved) lines.push(other('interleaved', interleaved, cwd));
  return `::${LEVEL[race.kind] ?? 'warning'} ${properties.join(',')}::${escapeData(lines.join('\n'))}\n`;
}

/**
 * One GitHub Actions annotation command per race, each newline-terminated.
 * The message names the access, then the other accesses on lines of their own.
 *
 * @example
 *   formatAnnotations([race], { cwd: '/app' })
 *   // => '::error file=src/cache.ts,line=12,col=11,title=asyncrace%3A atomicity violation on Map#3::write (set) of key "user:1" on Map#3 by task 9 at src/cache.ts:12:11%0Aprevious read (has) by task 9 at src/cache.ts:9:13%0Ainterleaved write (set) by task 11 at src/cache.ts:12:11\n'
 */
export function formatAnnotations(races: readonly ReportRace[], options: AnnotationOptions): string {
  return races.map((race) => command(race, options.cwd)).join('');
}
