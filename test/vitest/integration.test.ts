/**
 * The vitest integration end to end: real vitest 4.1 runs examples/vitest-app
 * and a fixture project with hooks and concurrent tests, in both pools, with
 * and without detection, with v8 coverage alongside, and under the CLI; and
 * Node's own test runner through the register hook.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { NODES, REGISTER } from '../register/helpers';
import { cleanEnv, ROOT, runVitest, VITEST, type VitestRun } from './run-vitest';

const APP = path.join(ROOT, 'examples', 'vitest-app');
const HOOKS = path.join(__dirname, 'fixtures', 'hooks');
const RACY = 'UserDirectory get: two callers at once';
const CLEAN = ['UserDirectory get: one caller', 'UserDirectory getShared: two callers at once'];

/** `file:line:col` of the first occurrence of `needle` in an example source, as the report prints it (column of `at` within it). */
function where(file: string, needle: string, at: string): string {
  const lines = fs.readFileSync(path.join(APP, file), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`${needle} not in ${file}`);
  const column = lines[line]!.indexOf(needle) + needle.indexOf(at) + 1;
  return `${file}:${line + 1}:${column}`;
}

function expectOnlyTheRacyTestFails(r: VitestRun): string {
  expect(r.status, r.output).toBe(1);
  expect(r.tests.get(RACY)?.status, r.output).toBe('failed');
  for (const name of CLEAN) expect(r.tests.get(name)?.status, `${name}\n${r.output}`).toBe('passed');
  expect(r.tests.size).toBe(3);
  const message = r.tests.get(RACY)!.failureMessages.join('\n');
  expect(message).toContain('AsyncRaceError: 1 async race(s) detected during test "UserDirectory > get: two callers at once"');
  expect(message).toContain('WARNING: ASYNC RACE (atomicity violation)');
  return message;
}

for (const node of NODES) {
  describe(`examples/vitest-app (${node.name})`, () => {
    for (const pool of ['forks', 'threads']) {
      test(`with ASYNCRACE=1 exactly the racy test fails, its message the report in .ts lines (${pool} pool)`, () => {
        const message = expectOnlyTheRacyTestFails(runVitest(node, APP, { on: true, args: ['--pool', pool] }));
        // The check and the write of the racy method, and the test's own line, in the original TypeScript.
        expect(message).toContain(`at UserDirectory.get (${where('src/users.ts', 'this.users.get(id)', 'get')})`);
        expect(message).toContain(`at UserDirectory.get (${where('src/users.ts', 'this.users.set(id, user)', 'set')})`);
        // Each task was created in the test's own function.
        expect(message).toContain(`at ${where('test/users.test.ts', "test('get: two callers at once', async () =>", 'async')}`);
      });
    }

    test('on GitHub Actions the failure message (an annotation there) shows keys redacted', () => {
      const key = /key "([^"]+)" on Map/;
      const plain = expectOnlyTheRacyTestFails(runVitest(node, APP, { on: true }));
      const shownKey = key.exec(plain)?.[1];
      expect(shownKey).toBeDefined();
      const message = expectOnlyTheRacyTestFails(runVitest(node, APP, { on: true, env: { GITHUB_ACTIONS: 'true' } }));
      expect(message).not.toContain(`key "${shownKey!}"`);
      expect(message).toMatch(/key redacted:[0-9a-f]{12} on Map/);
    });

    test('without ASYNCRACE every test passes and no race is reported', () => {
      const r = runVitest(node, APP, { on: false });
      expect(r.status, r.output).toBe(0);
      expect([...r.tests.values()].map((t) => t.status)).toEqual(['passed', 'passed', 'passed']);
      expect(r.output).not.toContain('ASYNC RACE');
    });

    test('v8 coverage works alongside: the same racy test fails, and coverage counts the same functions and uncovered lines', () => {
      const summaries: Record<string, { lines: { total: number; covered: number }; functions: { total: number; covered: number } }>[] = [];
      for (const on of [false, true]) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-coverage-'));
        try {
          const args = ['--coverage.enabled', '--coverage.provider=v8', '--coverage.reporter=json-summary', '--coverage.reportOnFailure', `--coverage.reportsDirectory=${dir}`];
          const r = runVitest(node, APP, { on, args });
          if (on) expectOnlyTheRacyTestFails(r);
          else expect(r.status, r.output).toBe(0);
          summaries.push(JSON.parse(fs.readFileSync(path.join(dir, 'coverage-summary.json'), 'utf8')));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
      const [plain, detected] = summaries.map((s) => s[path.join(APP, 'src', 'users.ts')]!);
      expect(plain).toBeDefined();
      expect(detected!.functions).toEqual(plain!.functions);
      // The one line asyncrace adds to a module (its first, where the runtime is looked up) runs
      // whenever the module loads: at most one more line, always covered; the uncovered lines are the same.
      expect(detected!.lines.total - plain!.lines.total).toBeGreaterThanOrEqual(0);
      expect(detected!.lines.total - plain!.lines.total).toBeLessThanOrEqual(1);
      expect(detected!.lines.total - detected!.lines.covered).toBe(plain!.lines.total - plain!.lines.covered);
    });

    test('under `asyncrace -- vitest run` the CLI gets the race: exit 66 and the JSON report', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-cli-'));
      try {
        const json = path.join(dir, 'races.json');
        const r = spawnSync(node.path, [path.join(ROOT, 'bin', 'asyncrace.js'), '--json', json, '--', node.path, VITEST, 'run'], {
          cwd: APP,
          env: cleanEnv({}),
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(66);
        const report = JSON.parse(fs.readFileSync(json, 'utf8')) as { command: unknown; races: { current: { frames: { file: string }[] } }[] };
        expect(report.races).toHaveLength(1);
        expect(report.races[0]!.current.frames[0]!.file).toBe(path.join(APP, 'src', 'users.ts'));
        // vitest failed the racy test: the summary and the report say so, as the exit code (66) does not.
        expect(r.stderr).toContain('asyncrace: found 1 race(s); the command exited with code 1\n');
        expect(report.command).toEqual({ exitCode: 1, signal: null });
        // The plugin instrumented the files: no warning that nothing was.
        expect(r.stderr).not.toContain('no file was instrumented');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe(`races outside tests and in concurrent tests (${node.name})`, () => {
    test('a race in a hook fails its file and says where it was found; a clean file passes', () => {
      const r = runVitest(node, HOOKS, { on: true });
      expect(r.status, r.output).toBe(1);
      const file = (name: string) => r.files.find((f) => f.name.endsWith(`/test/${name}`))!;

      const before = file('before-all.test.ts');
      expect(before.status).toBe('failed');
      expect(before.message).toContain('1 async race(s) detected outside any test, in test/before-all.test.ts before its first test');
      expect(before.message).toContain('WARNING: ASYNC RACE');
      expect(before.assertionResults.map((t) => t.status)).toEqual(['passed']);

      const after = file('after-all.test.ts');
      expect(after.status).toBe('failed');
      expect(after.message).toContain('in test/after-all.test.ts after test "loads one key" ended');
      expect(after.assertionResults.map((t) => t.status)).toEqual(['passed']);

      expect(file('clean.test.ts').status).toBe('passed');

      // A beforeEach belongs to its test.
      const each = file('each.test.ts').assertionResults;
      expect(each.map((t) => t.status)).toEqual(['failed']);
      expect(each[0]!.failureMessages.join('\n')).toContain('1 async race(s) detected during test "runs after a racy beforeEach"');

      // The race is detected at the write of whichever test resumes second; every failure is that report.
      const concurrent = file('concurrent.test.ts').assertionResults;
      const failed = concurrent.filter((t) => t.status === 'failed');
      expect(failed.length).toBeGreaterThanOrEqual(1);
      for (const t of failed) expect(t.failureMessages.join('\n')).toMatch(/async race\(s\) detected during test "two tests at once > (first|second)"[^]*key "same"/);
    });
  });

  describe(`node --test with the register hook (${node.name})`, () => {
    const dir = path.join(__dirname, 'fixtures', 'node-test');
    test('a racy test file fails the run with the report; a clean one passes', () => {
      const racy = spawnSync(node.path, ['--test', '--test-reporter=tap', '--import', REGISTER, path.join(dir, 'racy.test.mjs')], { env: cleanEnv({}), encoding: 'utf8', timeout: 60_000 });
      const output = `${racy.stdout}\n${racy.stderr}`;
      expect(racy.status, output).not.toBe(0);
      expect(output).toContain('WARNING: ASYNC RACE (atomicity violation)');
      expect(output).toMatch(/at load \(.*cache\.mjs:\d+:\d+\)/);
      expect(output).toMatch(/racy\.test\.mjs:\d+:\d+/);
      // The file's process exits with asyncrace's exit code; the runner reports it as failed.
      expect(output).toMatch(/exitCode: 66/);

      const clean = spawnSync(node.path, ['--test', '--import', REGISTER, path.join(dir, 'clean.test.mjs')], { env: cleanEnv({}), encoding: 'utf8', timeout: 60_000 });
      expect(clean.status, `${clean.stdout}\n${clean.stderr}`).toBe(0);
      expect(clean.stdout + clean.stderr).not.toContain('ASYNC RACE');
    });
  });
}
