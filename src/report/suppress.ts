/**
 * Suppressions: which races are not reported. Consulted on each race before it
 * is kept (collect.ts), so a suppressed race is dropped silently: not counted,
 * not printed, no exit code.
 *
 * Two sources:
 * - `// asyncrace-ignore-next-line` (or `/* asyncrace-ignore-next-line *\/`)
 *   on the line before an access: the transform flags that line's sites, and a
 *   race in which such a site takes part (current, previous or interleaved) is
 *   suppressed;
 * - a suppressions file (option `suppressions=PATH`, TSan style), one rule a
 *   line, `#` starts a comment line:
 *
 *       function:PATTERN   a function name of any frame of any access
 *       file:GLOB          the file of any access's frames[0] (absolute, or relative to the working directory)
 *       key:PATTERN        the key as the report renders it (`(keys)` for the key set)
 *
 *   PATTERN matches the whole text, `*` any run of characters, `?` one; GLOB
 *   is a path glob (`*` within a directory, `**` across directories).
 *
 * @example
 *   // races.supp
 *   # the legacy cache is being rewritten
 *   file:src/legacy/**
 *   function:*Metrics*
 *   key:session:*
 */
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { RawRace } from '../runtime/race';
import { siteIgnored } from '../runtime/sites';
import { OptionsError, type Options } from '../options';
import { toPath } from './paths';
import type { ReportAccess, ReportRace } from './types';

export type RuleKind = 'function' | 'file' | 'key';

export interface SuppressionRule {
  kind: RuleKind;
  pattern: string;
  /** Where the rule was written: `file:line`. */
  where: string;
  /** Whether the rule matches a function name, a file path (posix, absolute and relative) or a key. */
  matches: (text: string) => boolean;
}

/** A suppressions file that is missing, unreadable or malformed. */
export class SuppressionsError extends Error {
  override name = 'SuppressionsError';
}

const KINDS: readonly RuleKind[] = ['function', 'file', 'key'];

/** `*` any run of characters, `?` one, everything else literal; the whole text must match. */
function wildcard(pattern: string): (text: string) => boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^]*').replace(/\?/g, '[^]');
  const re = new RegExp(`^${source}$`);
  return (text) => re.test(text);
}

function pathGlob(pattern: string): (file: string) => boolean {
  const glob = pattern.startsWith('./') ? pattern.slice(2) : pattern;
  return picomatch(glob, { dot: true });
}

/**
 * Parses the text of a suppressions file; `file` names it in errors.
 * Throws SuppressionsError naming the file and line of a malformed rule.
 *
 * @example
 *   parseSuppressions('# ok\nkey:user:*\n', 'races.supp') // => [{ kind: 'key', pattern: 'user:*', where: 'races.supp:2', ... }]
 */
export function parseSuppressions(text: string, file: string): SuppressionRule[] {
  const rules: SuppressionRule[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${file}:${i + 1}`;
    const colon = line.indexOf(':');
    const kind = colon > 0 ? line.slice(0, colon).trim() : '';
    const pattern = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (!(KINDS as readonly string[]).includes(kind) || pattern === '') {
      throw new SuppressionsError(
        `suppressions file ${where}: malformed rule "${line}" (expected function:PATTERN, file:GLOB or key:PATTERN, or a # comment)`,
      );
    }
    const k = kind as RuleKind;
    rules.push({ kind: k, pattern, where, matches: k === 'file' ? pathGlob(pattern) : wildcard(pattern) });
  }
  return rules;
}

const loaded = new Map<string, SuppressionRule[]>();

/**
 * Reads and parses a suppressions file (relative to `cwd`), once per path.
 * Throws SuppressionsError naming the file when it is missing, unreadable or malformed.
 *
 * @example
 *   loadSuppressions('races.supp').length // => 3
 */
export function loadSuppressions(file: string, cwd: string = process.cwd()): SuppressionRule[] {
  const abs = path.resolve(cwd, file);
  const cached = loaded.get(abs);
  if (cached) return cached;
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SuppressionsError(`suppressions file ${file} does not exist (${abs})`);
    throw new SuppressionsError(`cannot read suppressions file ${file}: ${(err as Error).message}`);
  }
  const rules = parseSuppressions(text, file);
  loaded.set(abs, rules);
  return rules;
}

/**
 * The rules of the `suppressions` option, read and checked before the program
 * starts. Throws OptionsError naming the file (and line) when it is missing,
 * unreadable or malformed, so that the run stops as for a bad option.
 *
 * @example
 *   suppressionsOf(parseOptions('suppressions=races.supp')).length // => 3
 *   suppressionsOf(defaults) // => []
 */
export function suppressionsOf(options: Pick<Options, 'suppressions'>): SuppressionRule[] {
  if (options.suppressions === '') return [];
  try {
    return loadSuppressions(options.suppressions);
  } catch (err) {
    if (err instanceof SuppressionsError) throw new OptionsError(`asyncrace: ${err.message}`);
    throw err;
  }
}

let active: readonly SuppressionRule[] = [];

/**
 * Sets the rules of this process (the runtime does it once, when installed).
 *
 * @example
 *   useSuppressions(loadSuppressions(options.suppressions))
 */
export function useSuppressions(rules: readonly SuppressionRule[]): void {
  active = rules;
}

function accessesOf(race: ReportRace): ReportAccess[] {
  return race.interleaved ? [race.current, race.previous, race.interleaved] : [race.current, race.previous];
}

function fileForms(file: string, cwd: string): string[] {
  const abs = path.resolve(cwd, toPath(file));
  const posix = abs.split(path.sep).join('/');
  const rel = path.relative(cwd, abs).split(path.sep).join('/');
  return rel === '' || rel.startsWith('../') || path.isAbsolute(rel) ? [posix] : [posix, rel];
}

function ruleMatches(rule: SuppressionRule, race: ReportRace, cwd: string): boolean {
  switch (rule.kind) {
    case 'key':
      return rule.matches(race.object.key);
    case 'function':
      return accessesOf(race).some((a) => a.frames.some((f) => f.function !== '' && rule.matches(f.function)));
    case 'file':
      return accessesOf(race).some((a) => a.frames[0] !== undefined && fileForms(a.frames[0].file, cwd).some((f) => rule.matches(f)));
  }
}

/**
 * Why a race is suppressed (`comment`, or the rule's `file:line`), or undefined
 * when it is reported. `raw` (the detector's race) carries the site ids that
 * the ignore comment flags; without it only the rules apply.
 *
 * @example
 *   suppressedBy(raw, resolveRace(raw)) // => 'races.supp:2' when a rule of line 2 matches
 */
export function suppressedBy(
  raw: RawRace | undefined,
  race: ReportRace,
  rules: readonly SuppressionRule[] = active,
  cwd: string = process.cwd(),
): string | undefined {
  if (raw && (siteIgnored(raw.current.site) || siteIgnored(raw.previous.site) || (raw.interleaved && siteIgnored(raw.interleaved.site)))) {
    return 'comment';
  }
  for (const rule of rules) if (ruleMatches(rule, race, cwd)) return rule.where;
  return undefined;
}
