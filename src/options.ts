/**
 * Options, read from `ASYNCRACE_OPTIONS="key=value key=value"` (like GORACE) or
 * passed as an object with the same names. Parsing is pure: a file an option
 * names (suppressions) is read by whoever starts detection (start-detection.ts).
 *
 * @example
 *   parseOptions('exitcode=3 strict=1') // => { ...defaults, exitcode: 3, strict: true }
 */

export interface Options {
  /** Exit code of a process that found a race (when it would have exited 0). */
  exitcode: number;
  /** Stop the process at the first race. */
  halt_on_error: boolean;
  /** Where the text report goes: `stderr`, `stdout`, or a file path to which each process appends `.PID`. */
  log_path: string;
  /** Report every unordered conflicting pair, as Go does. */
  strict: boolean;
  /** Globs of files to instrument (empty: every file not excluded). */
  include: string[];
  /** Globs of files never to instrument (node_modules is always excluded unless `include` names the file). */
  exclude: string[];
  /** A suppressions file (TSan style, see src/report/suppress.ts); `''`: none. Read and checked before the program starts. */
  suppressions: string;
  /** Text reports print a path that starts with this prefix without it (JSON and SARIF keep their own paths). */
  strip_path_prefix: string;
  /** Each key remembers the last `4 * 2**history_size` events that accessed it (0 to 7): more finds interleavings further apart. */
  history_size: number;
  /** Record at most this many races (0: no limit); later ones are counted, not recorded. */
  max_reports: number;
  /** Print a short hash instead of each key: `1` everywhere, `0` nowhere, `auto` in SARIF only (it is uploaded). */
  redact_keys: RedactKeys;
  /**
   * Where the register hooks cache instrumented modules: `auto`, a directory
   * (relative to each process's working directory), or `0` / `off` / `false`
   * for none.
   *
   * `auto` is `<cwd>/node_modules/.cache/asyncrace`, and only when
   * `<cwd>/node_modules` exists: asyncrace writes files only where the user
   * said, and a project's `node_modules/.cache` is the place its tools
   * conventionally keep their caches (babel-loader, eslint, vite), which
   * users already ignore and clean; without node_modules nothing is written.
   */
  cache_dir: string;
}

/** When keys are shown as hashes: `true` in every output, `false` in none, `'auto'` in uploaded ones (SARIF). */
export type RedactKeys = boolean | 'auto';

export const defaults: Readonly<Options> = Object.freeze({
  exitcode: 66,
  halt_on_error: false,
  log_path: 'stderr',
  strict: false,
  include: [],
  exclude: [],
  suppressions: '',
  strip_path_prefix: '',
  history_size: 1,
  max_reports: 0,
  redact_keys: 'auto',
  cache_dir: 'auto',
});

/** An option that is unknown or has a malformed value. */
export class OptionsError extends Error {
  override name = 'OptionsError';
}

type Parser = (raw: string, key: string) => unknown;

function intIn(min: number, max: number): Parser {
  return (raw, key) => {
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
      throw new OptionsError(`asyncrace: option ${key} needs ${range}, got "${raw}"`);
    }
    return n;
  };
}
const bool: Parser = (raw, key) => {
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new OptionsError(`asyncrace: option ${key} needs 0 or 1, got "${raw}"`);
};
const text: Parser = (raw, key) => {
  if (raw === '') throw new OptionsError(`asyncrace: option ${key} needs a value`);
  return raw;
};
const anyText: Parser = (raw) => raw;
const boolOrAuto: Parser = (raw, key) => {
  if (raw === 'auto') return 'auto';
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new OptionsError(`asyncrace: option ${key} needs 0, 1 or auto, got "${raw}"`);
};
const cacheDir: Parser = (raw, key) => {
  if (raw === '') throw new OptionsError(`asyncrace: option ${key} needs a directory, auto, or 0 (no cache)`);
  return raw;
};
const globs: Parser = (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean);

const parsers: Record<keyof Options, Parser> = {
  // An exit status is one byte.
  exitcode: intIn(0, 255),
  halt_on_error: bool,
  log_path: text,
  strict: bool,
  include: globs,
  exclude: globs,
  suppressions: anyText,
  strip_path_prefix: anyText,
  history_size: intIn(0, 7),
  max_reports: intIn(0, Number.MAX_SAFE_INTEGER),
  redact_keys: boolOrAuto,
  cache_dir: cacheDir,
};

function applyOne(out: Options, key: string, raw: string): void {
  if (!Object.prototype.hasOwnProperty.call(parsers, key)) {
    throw new OptionsError(`asyncrace: unknown option "${key}" (known: ${Object.keys(parsers).join(', ')})`);
  }
  const k = key as keyof Options;
  (out as unknown as Record<string, unknown>)[k] = parsers[k](raw, key);
}

/** Parses the `ASYNCRACE_OPTIONS` text. Throws OptionsError naming an unknown or malformed option. */
export function parseOptions(textValue: string | undefined, base: Options = defaults): Options {
  const out: Options = { ...base, include: [...base.include], exclude: [...base.exclude] };
  for (const part of (textValue ?? '').split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new OptionsError(`asyncrace: option "${part}" is not key=value`);
    applyOne(out, part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** An option's value as `ASYNCRACE_OPTIONS` text. */
function optionText(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
}

/** Merges options given as an object (plugin options); values may be typed or text. */
export function optionsFrom(obj: Record<string, unknown>, base: Options = defaults): Options {
  const out: Options = { ...base, include: [...base.include], exclude: [...base.exclude] };
  for (const [key, value] of Object.entries(obj)) {
    applyOne(out, key, optionText(value));
  }
  return out;
}

/**
 * The `ASYNCRACE_OPTIONS` text of options that differ from the defaults
 * (the inverse of `parseOptions`).
 *
 * @example
 *   formatOptions({ ...defaults, strict: true, include: ['src/**'] }) // => 'strict=1 include=src/**'
 */
export function formatOptions(options: Options): string {
  const parts: string[] = [];
  for (const key of Object.keys(parsers) as (keyof Options)[]) {
    const text = optionText(options[key]);
    if (text !== optionText(defaults[key])) parts.push(`${key}=${text}`);
  }
  return parts.join(' ');
}
