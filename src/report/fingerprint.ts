/**
 * A fingerprint of a race that stays the same across runs and machines, so
 * that code scanning services can tell a known race from a new one.
 *
 * It is made of what identifies the race in the code (kind, collection type,
 * and per access site: file, function, method and source line text), never
 * of what changes from run to run (task and object ids, keys, which may also be
 * redacted) or with edits elsewhere in the file (line numbers, columns).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isSourceFile, pathUnder, toPath } from './paths';
import type { ReportAccess, ReportRace } from './types';

/** The text of line `line` (1-based) of `file`, or undefined when it cannot be read. */
export type LineText = (file: string, line: number) => string | undefined;

export interface FingerprintOptions {
  /** The project root: site files are named relative to it. */
  cwd: string;
  /** Source line reader. Default: a fresh `sourceLineReader()` per call. */
  lineText?: LineText;
}

// Bump when the canonical text changes, so old and new fingerprints never match by accident.
const VERSION = 'asyncrace-fingerprint/2';

/**
 * A source line reader that reads each file once (synchronously) and keeps
 * its lines. Share one across many races of the same report.
 *
 * @example
 *   const lineText = sourceLineReader();
 *   lineText('/app/src/cache.ts', 9) // => '  if (!cache.has(id)) {'
 *   lineText('/nope.ts', 1)          // => undefined
 */
export function sourceLineReader(): LineText {
  const files = new Map<string, string[] | null>();
  return (file, line) => {
    let lines = files.get(file);
    if (lines === undefined) {
      try {
        lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
      } catch {
        lines = null;
      }
      files.set(file, lines);
    }
    return lines?.[line - 1];
  };
}

/** The file's name as it is on every machine: relative to the project, or from `node_modules/` on, or its base name. */
function stablePath(file: string, cwd: string): string {
  const rel = pathUnder(file, cwd);
  if (rel !== undefined) return rel;
  const slashed = file.split(path.sep).join('/');
  const i = slashed.lastIndexOf('/node_modules/');
  return i >= 0 ? slashed.slice(i + 1) : path.basename(file);
}

function siteText(access: ReportAccess | undefined, cwd: string, lineText: LineText): string | null {
  if (!access) return null;
  const frame = access.frames[0];
  if (!frame) return JSON.stringify(['?', '', access.method, '']);
  const file = toPath(frame.file);
  if (!isSourceFile(file)) return JSON.stringify([file, frame.function, access.method, `line ${frame.line}`]);
  const absolute = path.resolve(cwd, file);
  // An empty line is no more telling than none: the file changed since the run.
  const code = lineText(absolute, frame.line)?.replace(/\s+/g, ' ').trim() || `line ${frame.line}`;
  return JSON.stringify([stablePath(absolute, cwd), frame.function, access.method, code]);
}

/**
 * The race's fingerprint: a hex sha256 of its kind, collection type and
 * access sites (current and previous, in either order): what identifies a
 * race, as in deduplication. Not the interleaved access, which is whichever
 * other task happened to come in between in this run, nor the operation
 * (a `delete` of an absent key reads), which the site's method determines.
 *
 * @example
 *   raceFingerprint(race, { cwd: '/app' })
 *   // => '3f1c...' (64 hex digits), the same under /home/ci/work/app for the same sources
 */
export function raceFingerprint(race: ReportRace, options: FingerprintOptions): string {
  const lineText = options.lineText ?? sourceLineReader();
  const { cwd } = options;
  // A race between sites A and B is the race between B and A.
  const pair = [siteText(race.current, cwd, lineText), siteText(race.previous, cwd, lineText)].sort();
  const canonical = [VERSION, race.kind, race.object.type, ...pair].join('\n');
  return createHash('sha256').update(canonical).digest('hex');
}
