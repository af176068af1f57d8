/**
 * The `asyncrace --help` text: command-line options and ASYNCRACE_OPTIONS keys.
 */
import { defaults, type Options } from '../runtime/options';

// Record over every key: a new option does not compile until it is described here.
const OPTION_HELP: Record<keyof Options, string> = {
  exitcode: 'exit code when a race was found',
  halt_on_error: '1: stop a process at its first race',
  log_path: 'where the text report goes: stderr, stdout, or PATH (each process appends to PATH.<pid>)',
  strict: '1: report every unordered conflicting pair, as Go does',
  include: 'comma-separated globs of files to instrument (empty: all not excluded)',
  exclude: 'comma-separated globs of files never to instrument',
  suppressions: 'file of races not to report: lines function:PATTERN, file:GLOB, key:PATTERN, # comments',
  strip_path_prefix: 'text reports print paths that start with it without it',
  history_size: 'events remembered per key: 4 * 2^history_size (0-7)',
  max_reports: 'record at most this many races, 0: no limit',
  redact_keys: '1: show keys as short hashes, 0: never; auto: in SARIF only',
};

function defaultText(value: Options[keyof Options]): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) return value.length > 0 ? value.join(',') : '(none)';
  return value === '' ? '(none)' : String(value);
}

/**
 * The help text, newline-terminated.
 *
 * @example
 *   process.stdout.write(usage())
 */
export function usage(): string {
  const keys = Object.keys(OPTION_HELP) as (keyof Options)[];
  const width = Math.max(...keys.map((k) => k.length));
  const optionLines = keys.map(
    (k) => `  ${k.padEnd(width)}  ${OPTION_HELP[k]} (default: ${defaultText(defaults[k])})`,
  );
  return [
    'Usage: asyncrace [options] -- <command> [args...]',
    '',
    'Runs <command> with race detection in every Node process it starts, prints each',
    'race to stderr, and exits 66 (the exitcode option) when any race was found, else',
    'with the command\'s own exit code.',
    '',
    'Options:',
    '  --json FILE   write the JSON report (version 1) of all processes to FILE',
    '  -h, --help    show this help',
    '',
    'Environment: ASYNCRACE_OPTIONS="key=value key=value" with the keys',
    ...optionLines,
    '',
    'Suppressions: `// asyncrace-ignore-next-line` on the line before an access hides',
    'every race through it; the suppressions option names a file of rules.',
    '',
    'Example:',
    '  ASYNCRACE_OPTIONS="strict=1" asyncrace --json races.json -- node server.js',
    '',
  ].join('\n');
}
