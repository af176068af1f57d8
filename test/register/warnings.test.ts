/**
 * asyncrace makes Node print no warning of its own (deprecation, experimental
 * or any other `(node:PID)` line) in any way it runs: `--require` and
 * `--import` of the register module, before and after tsx, with Node's own
 * type stripping, under the CLI with child processes and worker threads, in
 * Node's test runner and in vitest with the plugin. Each program runs plain
 * and with asyncrace, and the warning lines of the two must be the same: the
 * program's own warnings still show, and asyncrace adds none. On Node 26,
 * for instance, `module.register()` would add DEP0205; asyncrace uses
 * `module.registerHooks()` wherever Node has it.
 *
 * The test runs on the Node that runs the suite; `.ci/run` runs the suite on
 * each supported line.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, VITEST } from '../vitest/run-vitest';
import { NODES, REGISTER, REGISTER_URL, ROOT, fixture, lacks, run, type NodeBinary } from './helpers';

const BIN = path.join(ROOT, 'bin', 'asyncrace.js');
const APP = path.join(ROOT, 'examples', 'vitest-app');
const NODE_TEST = path.join(__dirname, '..', 'vitest', 'fixtures', 'node-test');
const w = (file: string): string => fixture('warnings', file);

/** The lines Node prints for a warning, with the process id blanked: `(node:PID) [DEP0205] DeprecationWarning: ...` and its hint. */
export function warningLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /\(node:\d+\)|\b\w*Warning: |--trace-(?:deprecation|warnings)\b/.test(l) && !/^WARNING: ASYNC RACE/.test(l))
    .map((l) => l.replace(/\(node:\d+\)/g, '(node:PID)'));
}

interface Way {
  name: string;
  /** The program without asyncrace. */
  plain: string[];
  /** The same with asyncrace. */
  ours: string[];
  cwd?: string;
}

const WAYS: Way[] = [
  { name: '--require asyncrace app.cjs', plain: [w('app.cjs')], ours: ['--require', REGISTER, w('app.cjs')] },
  { name: '--import asyncrace app.mjs', plain: [w('app.mjs')], ours: ['--import', REGISTER_URL, w('app.mjs')] },
  { name: '--import tsx --import asyncrace app.mts', plain: ['--import', 'tsx', w('app.mts')], ours: ['--import', 'tsx', '--import', REGISTER_URL, w('app.mts')] },
  { name: '--import asyncrace --import tsx app.mts', plain: ['--import', 'tsx', w('app.mts')], ours: ['--import', REGISTER_URL, '--import', 'tsx', w('app.mts')] },
  { name: 'asyncrace -- node parent.cjs (child processes and worker threads)', plain: [w('parent.cjs')], ours: [BIN, '--', 'NODE', w('parent.cjs')] },
  { name: 'asyncrace -- node --import tsx app.mts', plain: ['--import', 'tsx', w('app.mts')], ours: [BIN, '--', 'NODE', '--import', 'tsx', w('app.mts')] },
  { name: 'node --test --import asyncrace', plain: ['--test', 'clean.test.mjs'], ours: ['--test', '--import', REGISTER_URL, 'clean.test.mjs'], cwd: NODE_TEST },
];

const STRIPPING: Way[] = [
  { name: '--import asyncrace app.mts', plain: [w('app.mts')], ours: ['--import', REGISTER_URL, w('app.mts')] },
  { name: '--require asyncrace app.mts', plain: [w('app.mts')], ours: ['--require', REGISTER, w('app.mts')] },
  { name: 'asyncrace -- node app.mts', plain: [w('app.mts')], ours: [BIN, '--', 'NODE', w('app.mts')] },
];

interface Run {
  stdout: string;
  stderr: string;
}

/** Runs `file ...args` without blocking, so that the plain and the instrumented run overlap. */
function start(file: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: opts.cwd ?? ROOT, env: cleanEnv(opts.env ?? {}), encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ stdout, stderr });
    });
  });
}

async function expectSameWarnings(node: NodeBinary, way: Way): Promise<void> {
  const args = (a: string[]): string[] => a.map((x) => (x === 'NODE' ? node.path : x));
  const [plain, ours] = await Promise.all([start(node.path, args(way.plain), way), start(node.path, args(way.ours), way)]);
  expect(ours.stdout, ours.stderr).not.toBe('');
  expect(warningLines(ours.stderr), ours.stderr).toEqual(warningLines(plain.stderr));
}

describe.each(NODES)('$name', (node) => {
  describe('prints no warning of its own', () => {
    it.each(WAYS)('$name', (way) => expectSameWarnings(node, way));

    // Type stripping is on by default from Node 22.18 and 23.6.
    const stripping = "with Node's type stripping";
    describe.skipIf(!node.stripsTypes)(node.stripsTypes ? stripping : `${stripping} (skipped: ${lacks(node, 'type stripping')})`, () => {
      it.each(STRIPPING)('$name', (way) => expectSameWarnings(node, way));
    });

    let plainVitest: Promise<Run> | undefined;
    it.each(['forks', 'threads'])('ASYNCRACE=1 vitest run with the plugin (%s pool)', async (pool) => {
      const vitest = (env: Record<string, string>): Promise<Run> => start(node.path, [VITEST, 'run', '--pool', pool], { cwd: APP, env });
      // Without ASYNCRACE the plugin does nothing: one plain run serves both pools.
      plainVitest ??= vitest({});
      const [plain, ours] = await Promise.all([plainVitest, vitest({ ASYNCRACE: '1' })]);
      expect(plain.stdout).toContain('Tests');
      expect(ours.stderr).toContain('ASYNC RACE');
      expect(warningLines(ours.stderr), ours.stderr).toEqual(warningLines(plain.stderr));
    });
  });

  it("keeps the program's own warning, and adds none", () => {
    const plain = run(node, [w('user-warns.cjs')]);
    expect(warningLines(plain.stderr)).toEqual([
      '(node:PID) [DEP_ASYNCRACE_TEST] DeprecationWarning: the program warns about itself',
      '(Use `node --trace-deprecation ...` to show where the warning was created)',
    ]);
    for (const args of [['--require', REGISTER], ['--import', REGISTER_URL], [BIN, '--', node.path]]) {
      const ours = run(node, [...args, w('user-warns.cjs')]);
      expect(ours.stdout).toBe(plain.stdout);
      expect(warningLines(ours.stderr), args.join(' ')).toEqual(warningLines(plain.stderr));
    }
  });

  it('sees the warning a program gets for calling module.register() where Node deprecates it (26+)', () => {
    // Guards the matcher, and shows what asyncrace avoids by using module.registerHooks() there.
    const r = run(node, ['-e', "require('node:module').register('data:text/javascript,export{}')"]);
    const deprecated = warningLines(r.stderr).some((l) => l.includes('DEP0205'));
    expect(deprecated).toBe(node.major >= 26);
  });
});
