/**
 * Fault injection: asyncrace's own functions are made to throw, in the
 * runtime (access checks, shadow state, clocks and the promise and async
 * hooks that use them, iteration tracking, report making) and in the
 * transform, while a racy program runs (fixtures/faults/). Whatever fails,
 * the program must print what it prints plain, keep its own stderr and exit
 * code (66 may replace only its zero), and asyncrace must say so once:
 * `asyncrace: internal error ...`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const REGISTER = path.join(ROOT, 'dist', 'register', 'register.js');
const FIXTURES = path.join(__dirname, 'fixtures', 'faults');
const PROGRAM = path.join(FIXTURES, 'program.cjs');
const INJECT = path.join(FIXTURES, 'inject.cjs');
if (!fs.existsSync(REGISTER)) throw new Error(`${REGISTER} is missing: run npm run build first`);

/** `module:export` under dist/: each throws on every call once injected. */
const FAULTS = [
  // Access checks and shadow state, reached from each tracked call.
  'runtime/detector:read',
  'runtime/detector:write',
  'runtime/detector:writeKeySet',
  'runtime/detector:clearAll',
  'runtime/shadow-state:shadowOf',
  'runtime/shadow-state:trackedType',
  // Clocks and frames, reached from the promise and async hooks.
  'runtime/clock:stamped',
  'runtime/clock:join',
  'runtime/chains:nextEpoch',
  'runtime/shadow-stack:currentFrame',
  'runtime/node-hooks:joinPromise',
  'runtime/events:currentEvent',
  // Iteration tracking, and the making of a report.
  'runtime/iterate:trackIterator',
  'runtime/live-stack:captureLive',
  'report/collect:reportRace',
  'report/output:processReport',
  // The transform: the program runs uninstrumented.
  'instrument/instrument:instrument',
];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], env: Record<string, string> = {}): Run {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'NODE_OPTIONS', 'NODE_V8_COVERAGE', 'FAULT']) delete base[key];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const OPTIONS = 'exclude=**/faults/inject.cjs cache_dir=0';
const instrumented = (fault: string): Run =>
  node(['--require', REGISTER, '--require', INJECT, PROGRAM], { ASYNCRACE_OPTIONS: OPTIONS, FAULT: fault });

const plain = node([PROGRAM]);
const count = (text: string, what: string): number => text.split(what).length - 1;

describe('fault injection', () => {
  it('the program, plain and instrumented with no fault: the same output, and the race found', () => {
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/\ndone\n$/);
    expect(plain.stderr).toBe('program stderr line\n');
    const r = instrumented('');
    expect(r.stdout).toBe(plain.stdout);
    expect(r.status).toBe(66);
    expect(r.stderr).toContain('WARNING: ASYNC RACE');
    expect(r.stderr).not.toContain('internal error');
  });

  it.each(FAULTS)('%s throws: the program runs on unchanged, and one internal error is reported', (fault) => {
    const r = instrumented(fault);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toContain('program stderr line\n');
    // 66 replaces only a zero exit, when detection still found the race.
    expect([0, 66]).toContain(r.status);
    expect(count(r.stderr, 'asyncrace: internal error')).toBe(1);
    expect(r.stderr).toContain(`injected fault in ${fault}`);
  });
});
