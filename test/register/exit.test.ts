/**
 * The end of a detected process: the report at exit and exit code 66 in place
 * of a zero exit only, halt_on_error, exitcode and log_path. The programs call
 * the runtime directly (fixtures/hand), so this holds apart from the transform.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ENTRIES, NODES, fixture, run, type NodeBinary } from './helpers';

const BY_HAND = 'exclude=**/hand/**';
const RACE = 'WARNING: ASYNC RACE';
const count = (text: string, what: string): number => text.split(what).length - 1;

/** Runs the racy fixture in `mode`, sends `signal` once it prints 'waiting' (the race is found by then), and waits for its end. */
function signalled(node: NodeBinary, args: string[], mode: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ASYNCRACE_OPTIONS: BY_HAND };
  for (const key of ['ASYNCRACE_REPORT_DIR', 'NODE_OPTIONS', 'NODE_V8_COVERAGE']) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(node.path, [...args, fixture('hand/racy.cjs'), mode], { env });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!sent && stdout.includes('waiting\n')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, stderr }));
  });
}

describe.each(NODES)('$name', (node) => {
  describe.each(ENTRIES)('$name', (entry) => {
    const racy = (mode: string, options = ''): ReturnType<typeof run> =>
      run(node, [...entry.args, fixture('hand/racy.cjs'), mode], { env: { ASYNCRACE_OPTIONS: `${BY_HAND} ${options}` } });

    it('reports a race at exit and exits 66, the output unchanged', () => {
      const res = racy('normal');
      expect(res.status).toBe(66);
      expect(res.stdout).toBe('start\nloaded 1\n');
      expect(count(res.stderr, RACE)).toBe(1);
      expect(res.stderr).toContain('asyncrace: found 1 race(s)');
    });

    it('exits with the exitcode option', () => {
      expect(racy('normal', 'exitcode=7').status).toBe(7);
    });

    it('turns process.exit(0) into 66', () => {
      const res = racy('exit0');
      expect(res.status).toBe(66);
      expect(count(res.stderr, RACE)).toBe(1);
    });

    it('keeps a non-zero exit code, and reports', () => {
      for (const [mode, code] of [['exit3', 3], ['exitcode5', 5]] as const) {
        const res = racy(mode);
        expect(res.status).toBe(code);
        expect(count(res.stderr, RACE)).toBe(1);
      }
    });

    it('keeps the exit code of an uncaught exception, and reports', () => {
      const res = racy('throw');
      expect(res.status).toBe(1);
      expect(res.stderr).toContain('Error: boom');
      expect(count(res.stderr, RACE)).toBe(1);
    });

    it('keeps the exit code of an unhandled rejection, and reports', () => {
      const res = racy('reject');
      expect(res.status).toBe(1);
      expect(res.stderr).toContain('Error: nope');
      expect(count(res.stderr, RACE)).toBe(1);
    });

    it.each(['SIGTERM', 'SIGINT'] as const)('reports before %s ends the process, which still ends by the signal', async (signal) => {
      const res = await signalled(node, entry.args, 'wait', signal);
      expect(res.signal).toBe(signal);
      expect(res.stdout).toBe('start\nloaded 1\nwaiting\n');
      expect(count(res.stderr, RACE)).toBe(1);
      expect(res.stderr).toContain('asyncrace: found 1 race(s)');
    });

    it('leaves SIGTERM to the program that handles it: its exit code, one report', async () => {
      const res = await signalled(node, entry.args, 'handler', 'SIGTERM');
      expect(res.signal).toBeNull();
      expect(res.code).toBe(3);
      expect(res.stdout).toBe('start\nloaded 1\nwaiting\ncleanup\n');
      expect(count(res.stderr, RACE)).toBe(1);
    });

    it('with halt_on_error=1, reports the first race and exits at once', () => {
      const res = racy('late', 'halt_on_error=1');
      expect(res.status).toBe(66);
      expect(res.stdout).toBe('start\n');
      expect(count(res.stderr, RACE)).toBe(1);
    });

    it('writes the report to log_path.PID', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-log-'));
      try {
        const log = path.join(dir, 'races.log');
        const res = racy('normal', `log_path=${log}`);
        expect(res.status).toBe(66);
        expect(res.stderr).not.toContain(RACE);
        const files = fs.readdirSync(dir);
        expect(files).toEqual([expect.stringMatching(/^races\.log\.\d+$/)]);
        expect(fs.readFileSync(path.join(dir, files[0]!), 'utf8')).toContain(RACE);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reports a race in an ES module', () => {
      const res = run(node, [...entry.args, fixture('hand/racy.mjs')], { env: { ASYNCRACE_OPTIONS: BY_HAND } });
      expect(res.status).toBe(66);
      expect(res.stdout).toBe('start\nloaded 1\n');
      expect(count(res.stderr, RACE)).toBe(1);
    });

    it('keeps exit code 13 of a top-level await that never settles, and reports', () => {
      const res = run(node, [...entry.args, fixture('hand/racy.mjs'), 'unsettled'], { env: { ASYNCRACE_OPTIONS: BY_HAND } });
      expect(res.status).toBe(13);
      expect(res.stdout).toBe('start\nloaded 1\n');
      expect(count(res.stderr, RACE)).toBe(1);
    });

    it('exits 66 for a race in a worker thread, whose own exit code the program still sees as 0', () => {
      const res = run(node, [...entry.args, fixture('hand/worker-main.cjs')], { env: { ASYNCRACE_OPTIONS: BY_HAND } });
      expect(res.stdout).toBe('start\nloaded 1\nworker exit 0\n');
      expect(res.status).toBe(66);
      expect(count(res.stderr, RACE)).toBe(1);
    });

    it('exits 0 and prints nothing more without a race', () => {
      const res = run(node, [...entry.args, fixture('hand/safe.cjs')], { env: { ASYNCRACE_OPTIONS: BY_HAND } });
      expect(res).toEqual({ status: 0, stdout: 'loaded 1\n', stderr: '' });
    });
  });
});
