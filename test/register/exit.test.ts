/**
 * The end of a detected process: the report at exit and exit code 66 in place
 * of a zero exit only, halt_on_error, exitcode and log_path. The programs call
 * the runtime directly (fixtures/hand), so this holds apart from the transform.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRIES, NODES, fixture, run } from './helpers';

const BY_HAND = 'exclude=**/hand/**';
const RACE = 'WARNING: ASYNC RACE';
const count = (text: string, what: string): number => text.split(what).length - 1;

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

    it('exits 0 and prints nothing more without a race', () => {
      const res = run(node, [...entry.args, fixture('hand/safe.cjs')], { env: { ASYNCRACE_OPTIONS: BY_HAND } });
      expect(res).toEqual({ status: 0, stdout: 'loaded 1\n', stderr: '' });
    });
  });
});
