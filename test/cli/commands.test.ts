/**
 * What a CI job reads: SARIF (schema-valid, fingerprints stable across runs
 * and directories), JUnit, GitHub annotations, `merge` and `report`, and the
 * reports of processes that never reach their 'exit' (killed, terminated).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types';
import { sarifErrors } from '../report/sarif-schema';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/asyncrace.js');
const built = fs.existsSync(path.join(root, 'dist/register/register.js'));
if (!built) throw new Error('dist/ is missing: run npm run build first (npm test does)');

const CACHE = `const users = new Map();
const tick = () => new Promise((resolve) => setImmediate(resolve));
async function getUser(id) {
  if (!users.has(id)) {
    await tick();
    users.set(id, { id });
  }
  return users.get(id);
}
Promise.all([getUser('u1'), getUser('u1')]).then(() => console.log('cache ok'));
`;

const COUNTER = `const hits = new Map();
const tick = () => new Promise((resolve) => setImmediate(resolve));
async function hit(page) {
  const n = hits.get(page) ?? 0;
  await tick();
  hits.set(page, n + 1);
}
Promise.all([hit('/'), hit('/')]).then(() => console.log('counter ok'));
`;

// Members that race, tell their parent, and are then ended without an 'exit'
// event of their own: a child by SIGTERM, a worker by terminate().
const KILLED = `const { fork } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const path = require('node:path');
const child = fork(path.join(__dirname, 'wait-after-race.cjs'));
child.on('message', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => console.log('child ended by', signal));
const worker = new Worker(path.join(__dirname, 'wait-after-race-worker.cjs'));
worker.on('message', () => worker.terminate());
worker.on('exit', () => console.log('worker terminated'));
`;

const WAIT_AFTER_RACE = (tell: string): string => `${COUNTER.replace("console.log('counter ok')", tell)}
setInterval(() => {}, 1000);
`;

let dir: string;

function write(sub: string, name: string, source: string): string {
  const file = path.join(dir, sub, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, source);
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-commands-'));
  for (const project of ['one', 'two']) {
    write(project, 'src/cache.cjs', CACHE);
    write(project, 'src/counter.cjs', COUNTER);
  }
  write('one', 'src/killed.cjs', KILLED);
  write('one', 'src/wait-after-race.cjs', WAIT_AFTER_RACE('process.send("raced")'));
  write('one', 'src/wait-after-race-worker.cjs', WAIT_AFTER_RACE('require("node:worker_threads").parentPort.postMessage("raced")'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function asyncrace(cwd: string, args: string[], extra: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ['NODE_OPTIONS', 'ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'GITHUB_ACTIONS']) if (!(name in extra)) delete env[name];
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(name: string): string {
  return path.join(dir, name);
}

function readSarif(file: string): sarif.Log {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as sarif.Log;
}

function fingerprints(log: sarif.Log): string[] {
  return log.runs[0]!.results!.map((r) => r.partialFingerprints!['asyncraceSites/v1']!).sort();
}

describe('CI outputs', () => {
  it('writes schema-valid SARIF with the same fingerprints in two runs and in another checkout', () => {
    const run = (name: string, out: string) => {
      const r = asyncrace(project(name), ['--sarif', out, '--', process.execPath, 'src/cache.cjs']);
      expect(r.code).toBe(66);
      return readSarif(out);
    };
    const first = run('one', path.join(dir, 'first.sarif'));
    const second = run('one', path.join(dir, 'second.sarif'));
    const elsewhere = run('two', path.join(dir, 'elsewhere.sarif'));
    expect(sarifErrors(first)).toEqual([]);
    const result = first.runs[0]!.results![0]!;
    expect(result.ruleId).toBe('atomicity-violation');
    expect(result.locations![0]!.physicalLocation!.artifactLocation).toEqual({ uri: 'src/cache.cjs', uriBaseId: '%SRCROOT%' });
    expect(result.relatedLocations!.length).toBeGreaterThanOrEqual(2);
    expect(result.codeFlows![0]!.threadFlows.length).toBe(2);
    expect(fingerprints(first)).toHaveLength(1);
    expect(fingerprints(second)).toEqual(fingerprints(first));
    expect(fingerprints(elsewhere)).toEqual(fingerprints(first));
  });

  it('writes a JUnit testcase per race, and an empty suite without races', () => {
    const xml = path.join(dir, 'races.xml');
    const r = asyncrace(project('one'), ['--junit', xml, '--', process.execPath, '-e', 'require("./src/cache.cjs"); require("./src/counter.cjs")']);
    expect(r.code).toBe(66);
    const text = fs.readFileSync(xml, 'utf8');
    expect(text).toContain('<testsuites name="asyncrace" tests="2" failures="2">');
    expect(text.match(/<testcase /g)).toHaveLength(2);
    expect(text).toContain('file="src/cache.cjs" line="6"');
    expect(text).toContain('file="src/counter.cjs" line="6"');

    const clean = asyncrace(project('one'), ['--junit', xml, '--', process.execPath, '-e', '0']);
    expect(clean.code).toBe(0);
    expect(fs.readFileSync(xml, 'utf8')).toContain('tests="0" failures="0"');
  });

  it('prints GitHub annotations on standard output when GITHUB_ACTIONS=true, only then', () => {
    const on = asyncrace(project('one'), ['--', process.execPath, 'src/cache.cjs'], { GITHUB_ACTIONS: 'true' });
    expect(on.stdout).toMatch(/^::error file=src\/cache\.cjs,line=6,col=\d+,title=asyncrace%3A atomicity violation on Map#\d+::/m);
    expect(on.stdout.startsWith('cache ok\n')).toBe(true);
    // Annotations are public where the repository is: the key is redacted, as in SARIF.
    expect(on.stdout).not.toContain('u1');
    const off = asyncrace(project('one'), ['--', process.execPath, 'src/cache.cjs']);
    expect(off.stdout).toBe('cache ok\n');
    // Run from a package's directory, annotations still name files from the repository's root.
    const below = asyncrace(path.join(project('one'), 'src'), ['--', process.execPath, 'cache.cjs'], { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir });
    expect(below.stdout).toMatch(/^::error file=one\/src\/cache\.cjs,line=6,/m);
  });

  it('merges shard reports and prints them again with report', () => {
    const a = path.join(dir, 'shard-1.json');
    const b = path.join(dir, 'shard-2.json');
    asyncrace(project('one'), ['--json', a, '--', process.execPath, 'src/cache.cjs']);
    asyncrace(project('one'), ['--json', b, '--', process.execPath, '-e', 'require("./src/cache.cjs"); require("./src/counter.cjs")']);
    const all = path.join(dir, 'all.json');
    const merged = asyncrace(project('one'), ['merge', all, a, b]);
    expect(merged.code).toBe(0);
    expect(merged.stderr).toContain('merged 2 report(s)');
    const report = JSON.parse(fs.readFileSync(all, 'utf8')) as Report;
    // The cache race is in both shards: once in the merge.
    expect(report.races.map((r) => path.basename(r.current.frames[0]!.file)).sort()).toEqual(['cache.cjs', 'counter.cjs']);

    const sarifFile = path.join(dir, 'all.sarif');
    const again = asyncrace(project('one'), ['report', all, '--sarif', sarifFile]);
    expect(again.code).toBe(66);
    expect(again.stderr).toContain('WARNING: ASYNC RACE');
    expect(again.stderr).toContain('(src/cache.cjs:6:');
    expect(again.stderr).toContain('asyncrace: found 2 race(s)\n');
    expect(readSarif(sarifFile).runs[0]!.results).toHaveLength(2);

    const empty = path.join(dir, 'empty.json');
    fs.writeFileSync(empty, '{"version":1,"races":[]}');
    expect(asyncrace(project('one'), ['report', empty]).code).toBe(0);
  });

  it('names a report it cannot read, and writes nothing', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"version":2}');
    const out = path.join(dir, 'never.json');
    const r = asyncrace(project('one'), ['merge', out, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read ${bad}: not a report of version 1`);
    expect(fs.existsSync(out)).toBe(false);
    expect(asyncrace(project('one'), ['report', path.join(dir, 'missing.json')]).stderr).toContain('missing.json');
  });

  it('keeps the races of a child killed by SIGTERM and of a terminated worker', () => {
    const json = path.join(dir, 'killed.json');
    const r = asyncrace(project('one'), ['--json', json, '--', process.execPath, 'src/killed.cjs']);
    expect(r.stdout.split('\n').sort()).toEqual(['', 'child ended by SIGTERM', 'worker terminated']);
    expect(r.code).toBe(66);
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
    expect(report.races.map((race) => path.basename(race.current.frames[0]!.file)).sort()).toEqual([
      'wait-after-race-worker.cjs',
      'wait-after-race.cjs',
    ]);
  });

  it('ends with the command\'s signal after the whole report, read through a slow pipe', async () => {
    // 300 races: a report far larger than a pipe's buffer.
    const lines = ['const tick = () => new Promise((resolve) => setImmediate(resolve));'];
    const calls: string[] = [];
    for (let i = 0; i < 300; i++) {
      lines.push(`const m${i} = new Map();`, `async function f${i}(k) { if (!m${i}.has(k)) { await tick(); m${i}.set(k, 1); } }`);
      calls.push(`f${i}('k')`, `f${i}('k')`);
    }
    lines.push(`Promise.all([${calls.join(', ')}]);`);
    write('one', 'src/many.cjs', lines.join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['NODE_OPTIONS', 'ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'GITHUB_ACTIONS']) delete env[name];
    const child = spawn(process.execPath, [bin, '--', 'bash', '-c', `${JSON.stringify(process.execPath)} src/many.cjs; kill -TERM $$`], {
      cwd: project('one'),
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Nobody reads for a while: the pipe fills and asyncrace's writes wait.
    child.stderr.pause();
    setTimeout(() => child.stderr.resume(), 500);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    expect(end).toEqual({ code: null, signal: 'SIGTERM' });
    expect(stderr.match(/^WARNING: ASYNC RACE/gm)).toHaveLength(300);
    expect(stderr.endsWith('asyncrace: found 300 race(s); the command was killed by SIGTERM\n')).toBe(true);
  });

  it('exits 128 + n for a signal that Node gives a meaning of its own (SIGUSR1: the inspector)', () => {
    const r = asyncrace(project('one'), ['--', 'bash', '-c', 'kill -USR1 $$']);
    expect(r.code).toBe(128 + os.constants.signals.SIGUSR1);
    expect(r.stderr).not.toContain('Assertion failed');
  });
});
