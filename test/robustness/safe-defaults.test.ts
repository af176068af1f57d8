/**
 * Safe by default: the instrumented code evaluates no strings, the runtime's
 * global cannot be listed, replaced or deleted by the program, and with the
 * default options asyncrace writes no file anywhere (the working directory,
 * the temp directory, the home directory), with or without the CLI. (Key
 * redaction is tested with the CLI's options, test/cli/options.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from '@babel/parser';
import traverse from '@babel/traverse';
import type { Node } from '@babel/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrument } from '../../src/instrument/index';

const ROOT = path.resolve(__dirname, '..', '..');
const REGISTER = path.join(ROOT, 'dist', 'register', 'register.js');
const BIN = path.join(ROOT, 'bin', 'asyncrace.js');
const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus', 'cases');
const CASES = path.join(ROOT, 'test', 'cases');
if (!fs.existsSync(REGISTER)) throw new Error(`${REGISTER} is missing: run npm run build first`);

/** Calls of eval or Function, and `new Function`, in a program's text. */
function evaluations(code: string, file: string): number {
  const ast = parse(code, { sourceType: 'unambiguous', sourceFilename: file, plugins: file.endsWith('.ts') ? ['typescript'] : [] });
  let n = 0;
  const evaluates = (callee: Node): boolean => callee.type === 'Identifier' && (callee.name === 'eval' || callee.name === 'Function');
  // @babel/traverse's default export, as CommonJS interop hands it over.
  const walk = ((traverse as unknown as { default?: typeof traverse }).default ?? traverse) as typeof traverse;
  walk(ast, {
    CallExpression(p) {
      if (evaluates(p.node.callee)) n++;
    },
    NewExpression(p) {
      if (evaluates(p.node.callee)) n++;
    },
  });
  return n;
}

/** Every .js, .mjs, .cjs and .ts file under `dir`. */
function programs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(c|m)?(j|t)s$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('the instrumented code', () => {
  const files = [...programs(CORPUS), ...programs(CASES)];

  it('evaluates no string: no eval, Function or new Function beyond the program\'s own', () => {
    expect(files.length).toBeGreaterThan(40);
    let checked = 0;
    for (const file of files) {
      const code = fs.readFileSync(file, 'utf8');
      const out = instrument(code, file);
      if (!out) continue;
      checked++;
      expect(evaluations(out.code, file), file).toBe(evaluations(code, file));
    }
    expect(checked).toBeGreaterThan(40);
  });
});

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-safe-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function node(args: string[], opts: { cwd: string; env?: Record<string, string> }): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  for (const key of ['ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'NODE_OPTIONS', 'NODE_V8_COVERAGE']) delete env[key];
  const r = spawnSync(process.execPath, args, { cwd: opts.cwd, env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the runtime global', () => {
  it('is not listed, replaced or deleted by the program', () => {
    const file = path.join(dir, 'global.cjs');
    fs.writeFileSync(
      file,
      `const key = Symbol.for('asyncrace');
const before = globalThis[key];
const listed = Object.keys(globalThis).concat(Object.getOwnPropertyNames(globalThis).filter((n) => n.includes('asyncrace')));
const inLoop = [];
for (const k in globalThis) inLoop.push(k);
globalThis[key] = 'overwritten';
const deleted = delete globalThis[key];
const d = Object.getOwnPropertyDescriptor(globalThis, key);
console.log(JSON.stringify({
  installed: typeof before === 'object' && before !== null,
  kept: globalThis[key] === before,
  deleted,
  listed: listed.filter((n) => /asyncrace|_ar/.test(n)),
  inLoop: inLoop.filter((n) => /asyncrace|_ar/.test(n)),
  enumerable: d && d.enumerable, writable: d && d.writable, configurable: d && d.configurable,
  frozen: Object.isFrozen(before),
  stillWorks: new Map([[1, 2]]).get(1),
}));
`,
    );
    const r = node(['--require', REGISTER, file], { cwd: dir, env: { ASYNCRACE_OPTIONS: 'cache_dir=0' } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      installed: true,
      kept: true,
      deleted: false,
      listed: [],
      inLoop: [],
      enumerable: false,
      writable: false,
      configurable: false,
      frozen: true,
      stillWorks: 2,
    });
  });
});

describe('files', () => {
  /** Every path under `d`, relative. */
  const tree = (d: string): string[] => fs.readdirSync(d, { recursive: true }).map(String).sort();

  it('none is written with the default options, with or without the CLI, race or not', () => {
    const cwd = path.join(dir, 'app');
    const tmp = path.join(dir, 'tmp');
    const home = path.join(dir, 'home');
    for (const d of [cwd, tmp, home]) fs.mkdirSync(d);
    fs.writeFileSync(
      path.join(cwd, 'racy.js'),
      `const m = new Map();
async function load(k) { if (!m.has(k)) { await null; m.set(k, 1); } }
Promise.all([load('a'), load('a')]).then(() => console.log('done'));
`,
    );
    const env = { TMPDIR: tmp, TMP: tmp, TEMP: tmp, HOME: home };
    const direct = node(['--require', REGISTER, 'racy.js'], { cwd, env });
    expect(direct.status).toBe(66);
    const viaCli = node([BIN, '--', process.execPath, 'racy.js'], { cwd, env });
    expect(viaCli.status).toBe(66);
    expect(viaCli.stderr).toContain('WARNING: ASYNC RACE');
    expect(tree(cwd)).toEqual(['racy.js']);
    expect(tree(tmp)).toEqual([]);
    expect(tree(home)).toEqual([]);
  });
});
