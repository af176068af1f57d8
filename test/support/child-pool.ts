/**
 * Runs Node child processes for the tests that compare many runs (the
 * semantics suite, the differential fuzzer): a few at a time, each with a
 * time limit, its output collected whole, in an environment without the
 * test runner's own variables (NODE_OPTIONS, coverage, ASYNCRACE_*, VITEST_*,
 * colours).
 *
 * @example
 *   const pool = childPool(2);
 *   const r = await pool.run(process.execPath, ['app.js'], { cwd: '/tmp', timeoutMs: 30_000 });
 *   r.code; r.stdout; r.timedOut;
 */
import { spawn } from 'node:child_process';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/** This process's environment less what would change a child's behaviour, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k === 'NODE_V8_COVERAGE' || k === 'FORCE_COLOR' || k.startsWith('ASYNCRACE') || k.startsWith('VITEST')) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

export interface ChildPool {
  run(node: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ChildResult>;
}

/** A pool that runs at most `size` children at once. */
export function childPool(size: number): ChildPool {
  let active = 0;
  const waiting: Array<() => void> = [];
  async function slot<T>(fn: () => Promise<T>): Promise<T> {
    while (active >= size) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  }
  return {
    run: (node, args, { cwd, env = childEnv(), timeoutMs }) =>
      slot(
        () =>
          new Promise<ChildResult>((resolve) => {
            const started = Date.now();
            const child = spawn(node, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
            const out: Buffer[] = [];
            const err: Buffer[] = [];
            let timedOut = false;
            const timer = setTimeout(() => {
              timedOut = true;
              child.kill('SIGKILL');
            }, timeoutMs);
            child.stdout.on('data', (b: Buffer) => out.push(b));
            child.stderr.on('data', (b: Buffer) => err.push(b));
            child.on('error', (e) => err.push(Buffer.from(`spawn error: ${e.message}\n`)));
            child.on('close', (code, signal) => {
              clearTimeout(timer);
              const stdout = Buffer.concat(out).toString('utf8');
              const stderr = Buffer.concat(err).toString('utf8');
              resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
            });
          }),
      ),
  };
}
