/**
 * The command line of `asyncrace`: its own options, then the command to run.
 */

export interface CliArgs {
  help: boolean;
  /** `--json FILE`: where to write the JSON report. */
  json?: string;
  /** The command and its arguments. */
  command: string[];
}

/** A command line that cannot be run; the message names the problem. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `asyncrace`'s arguments. Everything after `--` (or from the first
 * argument that is not an option) is the command.
 *
 * @example
 *   parseCliArgs(['--json', 'r.json', '--', 'node', 'app.js'])
 *   // => { help: false, json: 'r.json', command: ['node', 'app.js'] }
 *   parseCliArgs(['--jsn', 'r.json']) // throws UsageError: unknown option "--jsn"
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = { help: false, command: [] };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--') {
      i += 1;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      i += 1;
    } else if (arg === '--json') {
      const file = argv[i + 1];
      if (file === undefined || file === '' || file === '--') throw new UsageError('option --json needs a file name');
      out.json = file;
      i += 2;
    } else if (arg.startsWith('--json=')) {
      const file = arg.slice('--json='.length);
      if (file === '') throw new UsageError('option --json needs a file name');
      out.json = file;
      i += 1;
    } else {
      throw new UsageError(`unknown option "${arg}"`);
    }
  }
  out.command = argv.slice(i);
  if (!out.help && out.command.length === 0) throw new UsageError('no command to run (asyncrace [options] -- <command> [args...])');
  return out;
}
