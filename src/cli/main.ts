/**
 * The `asyncrace` command: runs a command with detection in every Node process
 * it starts, merges their reports, publishes the races, and sets the exit
 * code; `merge` and `report` work on JSON reports written before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatOptions, OptionsError, parseOptions, type Options } from '../options';
import { mergeReports, readReport, writeReport } from '../report/json';
import { suppressionsOf } from '../report/suppress';
import type { Report } from '../report/types';
import { parseCliArgs, UsageError, type CliArgs } from './args';
import { commandRecord, runDetected, type CommandEnd } from './child';
import { nothingInstrumentedNotice } from './notices';
import { publish } from './publish';
import { gatherReports } from './reports';
import { usage } from './usage';

/** Exit code of a command line, configuration or file that cannot be used. */
export const EXIT_USAGE = 2;

export interface RunConfig {
  /** Module preloaded in every Node process. Default: the built register module beside this one. */
  register?: string;
  /** Environment of the run (ASYNCRACE_OPTIONS, NODE_OPTIONS, GITHUB_ACTIONS, ...). Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_REGISTER = path.resolve(__dirname, '..', 'register', 'register.js');

function fail(message: string, withUsage: boolean): CommandEnd {
  process.stderr.write(`${message}\n${withUsage ? '\n' + usage() : ''}`);
  return { code: EXIT_USAGE };
}

/** The exit of a run that found `report`'s races after a command that ended with `end`. */
function verdict(report: Report, end: CommandEnd, problems: readonly string[], options: Options): CommandEnd {
  // Killed by a signal: asyncrace ends the same way, after its report.
  if (end.signal) return end;
  if (report.races.length > 0) return { code: options.exitcode };
  return problems.length > 0 ? { code: EXIT_USAGE } : end;
}

/**
 * The environment for the command, with the option values that name files
 * made absolute: a process the command starts in another directory reads them
 * as the user meant them, not relative to its own working directory.
 */
function withAbsolutePaths(env: NodeJS.ProcessEnv, options: Options): NodeJS.ProcessEnv {
  if (env.ASYNCRACE_OPTIONS === undefined) return env;
  const words = new Set(['', 'stderr', 'stdout', 'auto', '0', 'off', 'false']);
  const absolute = (file: string): string => (words.has(file) ? file : path.resolve(file));
  const text = formatOptions({
    ...options,
    suppressions: absolute(options.suppressions),
    log_path: absolute(options.log_path),
    cache_dir: absolute(options.cache_dir),
  });
  return { ...env, ASYNCRACE_OPTIONS: text };
}

async function detect(args: Extract<CliArgs, { kind: 'run' }>, options: Options, config: RunConfig): Promise<CommandEnd> {
  const register = config.register ?? DEFAULT_REGISTER;
  if (!fs.existsSync(register)) return fail(`asyncrace: missing ${register} (build asyncrace first: npm run build)`, false);
  const env = withAbsolutePaths(config.env ?? process.env, options);
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-'));
  try {
    const end = await runDetected({ command: args.command, reportDir, register, env });
    const gathered = gatherReports(reportDir, options.max_reports);
    for (const problem of gathered.problems) process.stderr.write(`asyncrace: unreadable process report ${problem}\n`);
    if (gathered.processes === 0) {
      process.stderr.write('asyncrace: warning: no Node process reported (did the command run Node?)\n');
    } else {
      const notice = nothingInstrumentedNotice(gathered.notes, gathered.report.races.length);
      if (notice !== undefined) process.stderr.write(notice);
    }
    // The report says how the command ended: the exit code says only that races were found.
    const report = { ...gathered.report, command: commandRecord(end) };
    const problems = publish(report, { options, outputs: args.outputs, env, cwd: process.cwd() });
    return verdict(report, end, problems, options);
  } finally {
    fs.rmSync(reportDir, { recursive: true, force: true });
  }
}

/** Reads every file, or names the first that cannot be read. */
function readAll(files: readonly string[]): Report[] | string {
  const reports: Report[] = [];
  for (const file of files) {
    try {
      reports.push(readReport(file));
    } catch (err) {
      return `asyncrace: cannot read ${file}: ${(err as Error).message}`;
    }
  }
  return reports;
}

function merge(args: Extract<CliArgs, { kind: 'merge' }>, options: Options): CommandEnd {
  const reports = readAll(args.inputs);
  if (typeof reports === 'string') return fail(reports, false);
  const merged = mergeReports(reports, options.max_reports);
  try {
    writeReport(args.out, merged);
  } catch (err) {
    return fail(`asyncrace: cannot write ${args.out}: ${(err as Error).message}`, false);
  }
  process.stderr.write(`asyncrace: merged ${reports.length} report(s) into ${args.out}: ${merged.races.length} race(s)\n`);
  return { code: 0 };
}

function report(args: Extract<CliArgs, { kind: 'report' }>, options: Options, config: RunConfig): CommandEnd {
  const reports = readAll(args.files);
  if (typeof reports === 'string') return fail(reports, false);
  const merged = mergeReports(reports, options.max_reports);
  const problems = publish(merged, { options, outputs: args.outputs, env: config.env ?? process.env, cwd: process.cwd() });
  return verdict(merged, { code: 0 }, problems, options);
}

async function runCli(argv: readonly string[], config: RunConfig): Promise<CommandEnd> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(`asyncrace: ${err.message}`, true);
    throw err;
  }
  if (args.kind === 'help') {
    process.stdout.write(usage());
    return { code: 0 };
  }
  let options: Options;
  try {
    options = parseOptions((config.env ?? process.env).ASYNCRACE_OPTIONS);
    // Read now, so that a missing or malformed file stops the run before the command starts.
    suppressionsOf(options);
  } catch (err) {
    if (err instanceof OptionsError) return fail(`${err.message} (in ASYNCRACE_OPTIONS)`, false);
    throw err;
  }
  switch (args.kind) {
    case 'run':
      return detect(args, options, config);
    case 'merge':
      return merge(args, options);
    case 'report':
      return report(args, options, config);
  }
}

/**
 * Runs `asyncrace` with the given arguments; resolves to the exit code (128 +
 * the signal's number when the command was killed by a signal).
 *
 * @example
 *   await run(['--json', 'races.json', '--', 'node', 'app.js']) // => 66 when a race was found
 *   await run(['report', 'races.json'])                          // => 66 when the report holds a race
 */
export async function run(argv: readonly string[], config: RunConfig = {}): Promise<number> {
  return (await runCli(argv, config)).code;
}

/**
 * Signals asyncrace ends itself with when they ended the command. Node gives
 * the others a meaning of its own (SIGUSR1 starts the inspector, SIGPIPE is
 * ignored) or they are faults; for those the exit code is 128 + their number.
 */
const RERAISED: ReadonlySet<NodeJS.Signals> = new Set<NodeJS.Signals>([
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGTERM',
  'SIGKILL',
  'SIGABRT',
  'SIGALRM',
  'SIGUSR2',
]);

/** Calls `then` once everything written to stdout and stderr so far has been handed to the OS. */
function flushed(then: () => void): void {
  let left = 2;
  const one = (): void => {
    left -= 1;
    if (left === 0) then();
  };
  process.stdout.write('', one);
  process.stderr.write('', one);
}

/**
 * The entry point of `bin/asyncrace.js`: runs and ends the process as the
 * command ended (the same exit code, or the same signal).
 *
 * @example
 *   main(process.argv.slice(2))
 */
export function main(argv: readonly string[] = process.argv.slice(2), config: RunConfig = {}): void {
  runCli(argv, config).then(
    (end) => {
      process.exitCode = end.code;
      // The caller (a shell, a CI runner) sees the signal as it would have without asyncrace,
      // once the report has left: writes to a pipe are asynchronous, a signal would cut them off.
      if (end.signal && RERAISED.has(end.signal)) {
        const signal = end.signal;
        flushed(() => process.kill(process.pid, signal));
      }
    },
    (err: unknown) => {
      process.stderr.write(`asyncrace: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
