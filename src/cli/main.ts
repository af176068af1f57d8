/**
 * The `asyncrace` command: runs a command with detection in every Node process
 * it starts, merges their reports, prints the races, and sets the exit code.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OptionsError, parseOptions, type Options } from '../runtime/options';
import { buildReport, writeReport } from '../report/json';
import { writeLog } from '../report/log';
import { formatReport } from '../report/text';
import { parseCliArgs, UsageError, type CliArgs } from './args';
import { runDetected } from './child';
import { gatherReports } from './reports';
import { usage } from './usage';

/** Exit code of a command line or configuration that cannot run. */
export const EXIT_USAGE = 2;

export interface RunConfig {
  /** Module preloaded in every Node process. Default: the built register module beside this one. */
  register?: string;
  /** Environment of the run (ASYNCRACE_OPTIONS, NODE_OPTIONS, ...). Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_REGISTER = path.resolve(__dirname, '..', 'register', 'register.js');

function fail(message: string, withUsage: boolean): number {
  process.stderr.write(`${message}\n${withUsage ? '\n' + usage() : ''}`);
  return EXIT_USAGE;
}

async function detect(args: CliArgs, options: Options, config: RunConfig): Promise<number> {
  const register = config.register ?? DEFAULT_REGISTER;
  if (!fs.existsSync(register)) return fail(`asyncrace: missing ${register} (build asyncrace first: npm run build)`, false);
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-'));
  try {
    const commandCode = await runDetected({ command: args.command, reportDir, register, env: config.env ?? process.env });
    const gathered = gatherReports(reportDir);
    for (const problem of gathered.problems) process.stderr.write(`asyncrace: unreadable process report ${problem}\n`);
    if (gathered.processes === 0) {
      process.stderr.write('asyncrace: warning: no Node process reported (did the command run Node?)\n');
    }
    const races = gathered.report.races;
    writeLog(formatReport(races), options.log_path);
    if (args.json !== undefined) {
      try {
        writeReport(args.json, buildReport(races));
      } catch (err) {
        return fail(`asyncrace: cannot write --json ${args.json}: ${(err as Error).message}`, false);
      }
    }
    return races.length > 0 ? options.exitcode : commandCode;
  } finally {
    fs.rmSync(reportDir, { recursive: true, force: true });
  }
}

/**
 * Runs `asyncrace` with the given arguments; resolves to the exit code.
 *
 * @example
 *   await run(['--json', 'races.json', '--', 'node', 'app.js']) // => 66 when a race was found
 */
export async function run(argv: readonly string[], config: RunConfig = {}): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(`asyncrace: ${err.message}`, true);
    throw err;
  }
  if (args.help) {
    process.stdout.write(usage());
    return 0;
  }
  let options: Options;
  try {
    options = parseOptions((config.env ?? process.env).ASYNCRACE_OPTIONS);
  } catch (err) {
    if (err instanceof OptionsError) return fail(`${err.message} (in ASYNCRACE_OPTIONS)`, false);
    throw err;
  }
  return detect(args, options, config);
}

/**
 * The entry point of `bin/asyncrace.js`: runs and sets the process's exit code.
 *
 * @example
 *   main(process.argv.slice(2))
 */
export function main(argv: readonly string[] = process.argv.slice(2), config: RunConfig = {}): void {
  run(argv, config).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`asyncrace: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
