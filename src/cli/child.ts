/**
 * Runs the user's command with detection: every Node process it starts
 * preloads the register module (through NODE_OPTIONS, which children inherit)
 * and writes its report into the CLI's report directory.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { REPORT_DIR_ENV } from '../register/settings';
import type { ReportCommand } from '../report/types';
import { nodeOptionsWith } from '../register/node-options';

export interface DetectedRun {
  command: readonly string[];
  /** Directory where each process writes its JSON report. */
  reportDir: string;
  /** Module preloaded with `--require` in every Node process. */
  register: string;
  env?: NodeJS.ProcessEnv;
}

/** The exit code a shell gives a process killed by `signal`: 128 + its number. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Whether asyncrace runs at a terminal (any of its standard streams is one). */
function atTerminal(): boolean {
  return process.stdin.isTTY === true || process.stdout.isTTY === true || process.stderr.isTTY === true;
}

/** How a command ended: its exit code, and the signal that killed it, if one did. */
export interface CommandEnd {
  /** The exit code; 128 + the signal's number when a signal killed it. */
  code: number;
  signal?: NodeJS.Signals;
}

/**
 * How the command ended, as the JSON report records it.
 *
 * @example
 *   commandRecord({ code: 1 })                              // => { exitCode: 1, signal: null }
 *   commandRecord({ code: 143, signal: 'SIGTERM' })         // => { exitCode: null, signal: 'SIGTERM' }
 */
export function commandRecord(end: CommandEnd): ReportCommand {
  return end.signal ? { exitCode: null, signal: end.signal } : { exitCode: end.code, signal: null };
}

/**
 * Runs the command to its end; resolves to its exit code (128 + signal number
 * and the signal when a signal killed it, 127 when it could not be started,
 * 126 when it is not executable). SIGINT and SIGTERM sent to asyncrace are
 * forwarded to it.
 *
 * @example
 *   const end = await runDetected({ command: ['node', 'app.js'], reportDir, register });
 *   end // => { code: 0 }
 */
export function runDetected(run: DetectedRun): Promise<CommandEnd> {
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
      // Ctrl-C at a terminal reaches the whole foreground process group, the command
      // included: passing it on as well would deliver it twice.
      if (signal === 'SIGINT' && atTerminal()) return;
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    let settled = false;
    const settle = (end: CommandEnd): void => {
      if (settled) return;
      settled = true;
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve(end);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      // After a successful start, 'error' means a signal could not be sent: the exit still comes.
      if (child.pid !== undefined) return;
      process.stderr.write(`asyncrace: cannot run ${JSON.stringify(file)}: ${err.message}\n`);
      settle({ code: err.code === 'EACCES' ? 126 : 127 });
    });
    child.on('exit', (code, signal) => {
      settle(signal ? { code: signalExitCode(signal), signal } : { code: code ?? 0 });
    });
  });
}
