/**
 * The command line of `asyncrace`: a subcommand (`merge`, `report`) or the
 * command to run with detection, and the report files to write.
 */

/** Report files to write, each named by its flag. */
export interface Outputs {
  /** `--json FILE`: the JSON report, version 1. */
  json?: string;
  /** `--sarif FILE`: SARIF 2.1.0, for code scanning. */
  sarif?: string;
  /** `--junit FILE`: JUnit XML, one testcase per race. */
  junit?: string;
}

export type CliArgs =
  | { kind: 'help' }
  /** `asyncrace [outputs] -- <command> [args...]` */
  | { kind: 'run'; outputs: Outputs; command: string[] }
  /** `asyncrace merge OUT.json IN.json...` */
  | { kind: 'merge'; out: string; inputs: string[] }
  /** `asyncrace report [outputs] FILE.json...` */
  | { kind: 'report'; outputs: Outputs; files: string[] };

/** A command line that cannot be run; the message names the problem. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const OUTPUT_FLAGS: Record<string, keyof Outputs> = { '--json': 'json', '--sarif': 'sarif', '--junit': 'junit' };

/** Reads the flags at `argv[from]` onwards into `outputs` up to the first word that is not one; returns its index. */
function readFlags(argv: readonly string[], from: number, outputs: Outputs, flags: Record<string, keyof Outputs>): number | 'help' {
  let i = from;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('-') || arg === '-' || arg === '--') return i;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const key = flags[flag];
    if (key === undefined) throw new UsageError(`unknown option "${flag}"`);
    const file = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (file === undefined || file === '' || file === '--') throw new UsageError(`option ${flag} needs a file name`);
    outputs[key] = file;
    i += eq > 0 ? 1 : 2;
  }
  return i;
}

function parseRun(argv: readonly string[]): CliArgs {
  const outputs: Outputs = {};
  const at = readFlags(argv, 0, outputs, OUTPUT_FLAGS);
  if (at === 'help') return { kind: 'help' };
  const command = argv.slice(argv[at] === '--' ? at + 1 : at);
  if (command.length === 0) throw new UsageError('no command to run (asyncrace [options] -- <command> [args...])');
  return { kind: 'run', outputs, command };
}

function parseMerge(rest: readonly string[]): CliArgs {
  if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help' };
  const bad = rest.find((a) => a.startsWith('-') && a !== '-');
  if (bad !== undefined) throw new UsageError(`unknown option "${bad}" for merge`);
  const [out, ...inputs] = rest;
  if (out === undefined || inputs.length === 0) throw new UsageError('merge needs an output file and at least one input (asyncrace merge OUT.json IN.json...)');
  return { kind: 'merge', out, inputs };
}

function parseReport(rest: readonly string[]): CliArgs {
  const outputs: Outputs = {};
  const files: string[] = [];
  let i = 0;
  // Flags and files in any order.
  while (i < rest.length) {
    const at = readFlags(rest, i, outputs, OUTPUT_FLAGS);
    if (at === 'help') return { kind: 'help' };
    if (at >= rest.length) break;
    if (rest[at] === '--') {
      files.push(...rest.slice(at + 1));
      break;
    }
    files.push(rest[at]!);
    i = at + 1;
  }
  if (files.length === 0) throw new UsageError('report needs a JSON report file (asyncrace report FILE.json)');
  return { kind: 'report', outputs, files };
}

/**
 * Parses `asyncrace`'s arguments. `merge` and `report` as the first word are
 * subcommands; otherwise everything after `--` (or from the first word that
 * is not an option) is the command to run.
 *
 * @example
 *   parseCliArgs(['--json', 'r.json', '--', 'node', 'app.js'])
 *   // => { kind: 'run', outputs: { json: 'r.json' }, command: ['node', 'app.js'] }
 *   parseCliArgs(['merge', 'all.json', 'a.json', 'b.json'])
 *   // => { kind: 'merge', out: 'all.json', inputs: ['a.json', 'b.json'] }
 *   parseCliArgs(['--jsn', 'r.json']) // throws UsageError: unknown option "--jsn"
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  if (argv[0] === 'merge') return parseMerge(argv.slice(1));
  if (argv[0] === 'report') return parseReport(argv.slice(1));
  return parseRun(argv);
}
