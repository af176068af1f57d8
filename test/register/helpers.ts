/**
 * Runs fixture programs in real Node processes, with and without asyncrace's
 * register module, for the register tests.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NodeBinary } from '../support/nodes';

export { NODES, lacks, type NodeBinary } from '../support/nodes';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');
/** The built register module: the tests run what `npm run build` made. */
export const REGISTER = path.join(ROOT, 'dist', 'register', 'register.js');
export const REGISTER_URL = pathToFileURL(REGISTER).href;

if (!fs.existsSync(REGISTER)) throw new Error(`${REGISTER} is missing: run npm run build first`);

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ...args` in `cwd` (default: the repository, so `--import tsx`
 * resolves), with an environment free of any outer asyncrace or NODE_OPTIONS.
 */
export function run(node: NodeBinary, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of ['ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'NODE_OPTIONS', 'NODE_V8_COVERAGE']) delete env[key];
  const out = spawnSync(node.path, args, { cwd: opts.cwd ?? ROOT, env: { ...env, ...opts.env }, encoding: 'utf8', timeout: 60_000 });
  if (out.error) throw out.error;
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

export const fixture = (...parts: string[]): string => path.join(FIXTURES, ...parts);

/** `--require` and `--import` of the register module, the two ways in. */
export const ENTRIES: Array<{ name: string; args: string[] }> = [
  { name: '--require', args: ['--require', REGISTER] },
  { name: '--import', args: ['--import', REGISTER_URL] },
];

/** The text before the first stack frame: what Node prints of an error, without the internals' frames. */
export function errorHead(stderr: string): string {
  const i = stderr.search(/^\s+at /m);
  return (i < 0 ? stderr : stderr.slice(0, i)).trimEnd();
}

/**
 * The fixture's output taken apart: the count N of its `probe N ...` line
 * (how many call sites in the probe function were rewritten), and the output
 * with that count blanked, to compare with an uninstrumented run.
 */
export function splitProbe(stdout: string): { rest: string; probe: number | undefined } {
  const m = /^probe (\d+)\b/m.exec(stdout);
  return { rest: stdout.replace(/^probe \d+\b/m, 'probe #'), probe: m ? Number(m[1]) : undefined };
}
