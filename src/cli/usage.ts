/**
 * The `asyncrace --help` text: command-line options and ASYNCRACE_OPTIONS keys.
 */
import { defaults, type Options } from '../options';

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
  cache_dir: 'where instrumented modules are cached: DIR, 0 or off: nowhere; auto: node_modules/.cache/asyncrace if ./node_modules exists',
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
    '       asyncrace merge OUT.json IN.json...',
    '       asyncrace report [options] FILE.json...',
    '',
    'Runs <command> with race detection in every Node process and worker thread it',
    'starts, merges their reports (each pair of access sites once), prints each race',
    'to stderr, and exits 66 (the exitcode option) when any race was found, else with',
    'the command\'s own exit code; a command killed by a signal ends asyncrace with',
    'the same signal. SIGINT and SIGTERM are passed on to the command.',
    '',
    'Commands:',
    '  merge OUT.json IN.json...   merge JSON reports (from CI shards) into OUT.json',
    '  report FILE.json...         print the text report of JSON reports again (merged),',
    '                              write the files the options ask for, exit 66 on a race',
    '',
    'Options:',
    '  --json FILE    write the JSON report (version 1) of all processes to FILE',
    '  --sarif FILE   write SARIF 2.1.0 to FILE, for code scanning (keys redacted)',
    '  --junit FILE   write JUnit XML to FILE, one testcase per race',
    '  -h, --help     show this help',
    '',
    'Environment: ASYNCRACE_OPTIONS="key=value key=value" with the keys',
    ...optionLines,
    'GITHUB_ACTIONS=true adds an ::error annotation per race to standard output.',
    '',
    'Suppressions: `// asyncrace-ignore-next-line` on the line before an access hides',
    'every race through it; the suppressions option names a file of rules.',
    '',
    'Examples:',
    '  asyncrace --sarif races.sarif --junit races.xml -- npm test',
    '  ASYNCRACE_OPTIONS="strict=1 log_path=races.log" asyncrace --json races.json -- node server.js',
    '  asyncrace merge all.json shard-1.json shard-2.json && asyncrace report all.json',
    '',
  ].join('\n');
}
