/**
 * Runs the user's command with detection: every Node process it starts
 * preloads the register module (through NODE_OPTIONS, which children inherit)
 * and writes its report into the CLI's report directory.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { REPORT_DIR_ENV } from '../report/output';

export interface DetectedRun {
  command: readonly string[];
  /** Directory where each process writes its JSON report. */
  reportDir: string;
  /** Module preloaded with `--require` in every Node process. */
  register: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * A path as one NODE_OPTIONS word: bare when it can be, else double-quoted with
 * backslashes and quotes escaped (the quoting Node's NODE_OPTIONS parser reads).
 *
 * @example
 *   nodeOptionsWord('/opt/asyncrace/register.js') // => '/opt/asyncrace/register.js'
 *   nodeOptionsWord('/my apps/register.js')       // => '"/my apps/register.js"'
 */
export function nodeOptionsWord(value: string): string {
  if (/^[^\s"'\\]+$/.test(value)) return value;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * NODE_OPTIONS with `--require <register>` added after the existing options.
 *
 * @example
 *   nodeOptionsWith('--max-old-space-size=4096', '/a/register.js')
 *   // => '--max-old-space-size=4096 --require /a/register.js'
 */
export function nodeOptionsWith(existing: string | undefined, register: string): string {
  const own = `--require ${nodeOptionsWord(register)}`;
  return existing && existing.trim() !== '' ? `${existing} ${own}` : own;
}

/** The exit code a shell gives a process killed by `signal`: 128 + its number. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Runs the command to its end; resolves to its exit code (128 + signal number
 * when a signal killed it, 127 when it could not be started, 126 when it is not
 * executable). SIGINT and SIGTERM sent to asyncrace are forwarded to it.
 *
 * @example
 *   const code = await runDetected({ command: ['node', 'app.js'], reportDir, register });
 */
export function runDetected(run: DetectedRun): Promise<number> {
  const base = run.env ?? process.env;
  const env: NodeJS.ProcessEnv = {
    ...base,
    [REPORT_DIR_ENV]: run.reportDir,
    NODE_OPTIONS: nodeOptionsWith(base.NODE_OPTIONS, run.register),
  };
  const [file, ...args] = run.command;
  return new Promise((resolve) => {
    const child = spawn(file!, args, { stdio: 'inherit', shell: false, env });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    let settled = false;
    const settle = (code: number): void => {
      if (settled) return;
      settled = true;
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve(code);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      // After a successful start, 'error' means a signal could not be sent: the exit still comes.
      if (child.pid !== undefined) return;
      process.stderr.write(`asyncrace: cannot run ${JSON.stringify(file)}: ${err.message}\n`);
      settle(err.code === 'EACCES' ? 126 : 127);
    });
    child.on('exit', (code, signal) => {
      settle(signal ? signalExitCode(signal) : (code ?? 0));
    });
  });
}
