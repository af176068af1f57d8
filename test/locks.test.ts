/**
 * The lock libraries modelled as synchronisation (src/runtime/locks.ts), with
 * the real packages through the real CLI: a check-then-act on a Map key by two
 * tasks under a lock is silent whether the second task waits for the lock
 * (contended: a promise edge already) or finds it free after the first
 * released it (uncontended: only the model orders them), while the same code
 * without the lock is reported. Also asyncrace's own acquire / release on a
 * hand-made lock, and that the models change nothing the program sees.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/types';
import { THIS_NODE, lacks } from './support/nodes';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin/asyncrace.js');
const fixtures = path.join(__dirname, 'locks');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-locks-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * p-limit (an ES module) from CommonJS: needs require() of ES modules (Node
 * 20.19+, 22.12+) and module hooks that see those (module.registerHooks, 22.15+;
 * Node 20's module.register hooks do not, so p-limit's entry is not modelled there).
 */
const pLimitRequireLacks = !THIS_NODE.requiresEsm ? 'require() of ES modules' : !THIS_NODE.registerHooks ? 'module.registerHooks (require() of an ES module passes by module.register hooks)' : '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let runs = 0;

function exec(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'NODE_OPTIONS', 'NODE_V8_COVERAGE']) delete env[key];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/** Runs `node FIXTURE ...args` under `asyncrace --json`. */
async function detect(fixture: string, ...args: string[]): Promise<Run & { report: Report }> {
  const json = path.join(tmp, `report-${++runs}.json`);
  const run = await exec([bin, '--json', json, '--', process.execPath, path.join(fixtures, fixture), ...args]);
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
  return { ...run, report };
}

const TIMINGS = ['contended', 'uncontended'] as const;

function silent(fixture: string, style: string): void {
  it.concurrent.each(TIMINGS)(`${style}: %s check-then-act is not reported`, async (timing) => {
    const r = await detect(fixture, style, timing);
    expect(r.stderr).not.toContain('internal error');
    expect(r.report.races).toEqual([]);
    expect(r.code).toBe(0);
  });
}

function reported(fixture: string, style: string): void {
  it.concurrent.each(TIMINGS)(`${style}: %s check-then-act is reported`, async (timing) => {
    const r = await detect(fixture, style, timing);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(66);
    expect(r.report.races.length).toBeGreaterThan(0);
    const src = fs.readFileSync(path.join(fixtures, fixture), 'utf8').split('\n');
    const lines = new Set(r.report.races.flatMap((race) => [race.current.frames[0]!.line, race.previous.frames[0]!.line]));
    for (const line of lines) expect(src[line - 1]).toMatch(/m\.(has|set)\('k'/);
  });
}

describe('CommonJS: async-mutex, async-lock, hand-made locks', () => {
  const fixture = 'check-then-act.cjs';
  reported(fixture, 'none');
  for (const style of [
    'mutex-runExclusive',
    'mutex-releaser',
    'mutex-release',
    'semaphore-runExclusive',
    'semaphore-acquire',
    'semaphore-release',
    'async-lock',
    'async-lock-callback',
    'async-lock-batch',
  ]) {
    silent(fixture, style);
  }

  // asyncrace's acquire / release on a lock whose free path flips a field.
  silent(fixture, 'hand');
  it.concurrent('hand-bare: without acquire / release, the uncontended path is reported', async () => {
    const contended = await detect(fixture, 'hand-bare', 'contended');
    expect(contended.report.races).toEqual([]);
    const uncontended = await detect(fixture, 'hand-bare', 'uncontended');
    expect(uncontended.code).toBe(66);
    expect(uncontended.report.races.length).toBeGreaterThan(0);
  });

  if (!pLimitRequireLacks) silent(fixture, 'p-limit-require');
  else it.skip(`p-limit-require (skipped: ${lacks(THIS_NODE, pLimitRequireLacks)})`, () => {});
});

describe('ES modules: p-limit, p-queue, async-mutex', () => {
  const fixture = 'check-then-act.mjs';
  reported(fixture, 'none');
  for (const style of ['p-limit', 'p-limit-function', 'p-limit-map', 'p-queue', 'p-queue-addAll', 'mutex-esm']) silent(fixture, style);
});

describe('transparency', () => {
  it('results, errors, this, arguments, properties and timing are the libraries\' own', async () => {
    const file = path.join(fixtures, 'transparency.mjs');
    const [plain, detected] = await Promise.all([exec([file]), exec([bin, '--', process.execPath, file])]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('== async-lock');
    expect(detected.stderr).toBe('');
    expect(detected.code).toBe(0);
    expect(detected.stdout).toBe(plain.stdout);
  });
});
