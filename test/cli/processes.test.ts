/**
 * The CLI watches every Node process and worker thread a command starts: a
 * real process tree (spawn, fork, exec, execSync, execFileSync, worker threads,
 * cluster, ES modules, children given an environment of their own, options
 * after a left-out args), each member holding a race of
 * its own. Every race is in the merged report, the exit code is 66, and the
 * program's own output is the same as without asyncrace.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/asyncrace.js');
const built = fs.existsSync(path.join(root, 'dist/register/register.js'));
if (!built) throw new Error('dist/ is missing: run npm run build first (npm test does)');

// A check-then-act across an await: a race in whichever file holds it. The
// program's output does not depend on the interleaving.
const RACE = `
const cache = new Map();
const turn = () => new Promise((resolve) => setImmediate(resolve));
async function load(key) {
  if (!cache.has(key)) {
    await turn();
    cache.set(key, key.length);
  }
}
const raced = Promise.all([load('k'), load('k')]);
`;

// Each member prints one line once its race happened; the parent prints its
// children's lines in a fixed order, so the whole output is deterministic.
const MEMBERS: Record<string, string> = {
  'spawned.cjs': `${RACE}raced.then(() => console.log('spawned ok'));`,
  'forked.cjs': `${RACE}raced.then(() => console.log('forked ok'));`,
  'execed.cjs': `${RACE}raced.then(() => console.log('execed ok'));`,
  'exec-file-sync.cjs': `${RACE}raced.then(() => console.log('execFileSync ok'));`,
  'own-env.cjs': `${RACE}raced.then(() => console.log('own env ok'));`,
  'worker.cjs': `${RACE}raced.then(() => console.log('worker ok'));`,
  'worker-own-env.cjs': `${RACE}raced.then(() => console.log('worker with own env ok'));`,
  'exec-sync-own-env.cjs': `${RACE}raced.then(() => console.log('execSync with own env ok'));`,
  'stdin-own-env.cjs': `${RACE}raced.then(() => console.log('spawnSync without args, cwd ' + process.cwd()));`,
  'esm-own-env.cjs': `${RACE}raced.then(() => console.log('ESM-started with own env ok'));`,
  // Named imports of node:child_process see the same functions as require().
  'esm-starter.mjs': `import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
${RACE}
const child = fileURLToPath(new URL('./esm-own-env.cjs', import.meta.url));
const line = execFileSync(process.execPath, [child], { env: { PATH: process.env.PATH }, encoding: 'utf8' }).trim();
raced.then(() => console.log(line + '; esm starter ok'));`,
  'cluster-member.cjs': `${RACE}raced.then(() => { console.log('cluster member ok'); require('node:cluster').worker.disconnect(); });`,
  'parent.cjs': `
const { spawn, spawnSync, fork, exec, execSync, execFileSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const cluster = require('node:cluster');
const path = require('node:path');
if (!cluster.isPrimary) {
  require('./cluster-member.cjs');
} else {
  const here = (f) => path.join(__dirname, f);
  const output = (child) => new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve(out.trim() + (code ? ' (exit ' + code + ')' : '')));
  });
  ${RACE}
  console.error('parent stderr line');
  const lines = [];
  lines.push(execFileSync(process.execPath, [here('exec-file-sync.cjs')], { encoding: 'utf8' }).trim());
  lines.push(execSync(JSON.stringify(process.execPath) + ' ' + JSON.stringify(here('exec-sync-own-env.cjs')), { env: {}, encoding: 'utf8' }).trim());
  lines.push(execFileSync(process.execPath, [here('esm-starter.mjs')], { encoding: 'utf8' }).trim());
  // args left out (undefined), as Node allows: the options after it must all still apply.
  lines.push(spawnSync(process.execPath, undefined, {
    input: 'require(' + JSON.stringify(here('stdin-own-env.cjs')) + ')',
    cwd: '/',
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  }).stdout.trim());
  Promise.all([
    raced.then(() => 'parent ok'),
    output(spawn(process.execPath, [here('spawned.cjs')])),
    output(fork(here('forked.cjs'), { silent: true })),
    new Promise((resolve) => exec(JSON.stringify(process.execPath) + ' ' + JSON.stringify(here('execed.cjs')), (err, out) => resolve(err ? 'exec failed' : out.trim()))),
    output(spawn(process.execPath, [here('own-env.cjs')], { env: { PATH: process.env.PATH } })),
    output(new Worker(here('worker.cjs'), { stdout: true })),
    output(new Worker(here('worker-own-env.cjs'), { stdout: true, env: {} })),
    (cluster.setupPrimary({ silent: true }), output(cluster.fork().process)),
  ]).then((more) => console.log([...lines, ...more].join('\\n')));
}
`,
};

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-tree-'));
  for (const [name, source] of Object.entries(MEMBERS)) fs.writeFileSync(path.join(dir, name), source);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'GITHUB_ACTIONS']) delete env[name];
  return env;
}

describe('asyncrace -- <command> over a process tree', () => {
  it('reports the race of every process and worker, exits 66, and leaves the output alone', () => {
    const plain = spawnSync(process.execPath, [path.join(dir, 'parent.cjs')], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(plain.stderr).toBe('parent stderr line\n');
    expect(plain.status).toBe(0);

    const json = path.join(dir, 'report.json');
    const r = spawnSync(process.execPath, [bin, '--json', json, '--', process.execPath, 'parent.cjs'], {
      cwd: dir,
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stdout.split('\n')).toContain('worker with own env ok');
    expect(r.stderr.startsWith('parent stderr line\n')).toBe(true);
    expect(r.status).toBe(66);

    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
    const files = report.races.map((race) => path.basename(race.current.frames[0]!.file)).sort();
    expect(files).toEqual(Object.keys(MEMBERS).sort());
    expect(r.stderr).toContain(`asyncrace: found ${files.length} race(s)`);
  });
});
