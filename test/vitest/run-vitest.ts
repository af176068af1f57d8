/**
 * Runs a real vitest (the project's own 4.1) over a fixture project in a
 * child process and reads its JSON reporter's results.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeBinary } from '../register/helpers';

export const ROOT = path.resolve(__dirname, '..', '..');
export const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

export interface TestResult {
  /** Suite and test names joined with spaces, as vitest's JSON reporter gives them. */
  fullName: string;
  status: string;
  failureMessages: string[];
}

export interface FileResult {
  name: string;
  status: string;
  /** A failure of the file itself (hooks), empty when none. */
  message: string;
  assertionResults: TestResult[];
}

export interface VitestRun {
  status: number | null;
  output: string;
  files: FileResult[];
  /** The tests by full name. */
  tests: Map<string, TestResult>;
}

/** An environment without the outer vitest's and asyncrace's variables. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('VITEST') || k.startsWith('ASYNCRACE') || k === 'NODE_OPTIONS' || k === 'NODE_V8_COVERAGE' || k === 'GITHUB_ACTIONS') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Runs `vitest run` in `root` with `args`, switched on or not; returns its results.
 *
 * @example
 *   const r = runVitest(node, examplesDir, { on: true, args: ['--pool', 'threads'] });
 */
export function runVitest(node: NodeBinary, root: string, opts: { on: boolean; args?: string[]; env?: Record<string, string> }): VitestRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-vitest-'));
  const out = path.join(dir, 'results.json');
  try {
    const env = cleanEnv({ ...(opts.on ? { ASYNCRACE: '1' } : {}), ...opts.env });
    const r = spawnSync(node.path, [VITEST, 'run', '--reporter=json', `--outputFile=${out}`, ...(opts.args ?? [])], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.error) throw r.error;
    const output = `${r.stdout}\n${r.stderr}`;
    if (!fs.existsSync(out)) throw new Error(`vitest wrote no results (exit ${r.status}):\n${output}`);
    const files = (JSON.parse(fs.readFileSync(out, 'utf8')) as { testResults: FileResult[] }).testResults;
    const tests = new Map<string, TestResult>();
    for (const f of files) for (const t of f.assertionResults) tests.set(t.fullName, t);
    return { status: r.status, output, files, tests };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
