/**
 * The ASYNCRACE_OPTIONS keys, each through the real CLI (or the register
 * module) on a real program that races.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeOptionsWith } from '../../src/register/node-options';
import type { Report } from '../../src/report/types';
import { detect, lineOf } from '../detect/run';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/asyncrace.js');
const register = path.join(root, 'dist/register/register.js');
const built = fs.existsSync(register);
if (!built) throw new Error('dist/ is missing: run npm run build first (npm test does)');

// Three races at three site pairs, on a key that reads like personal data.
// Prints a line between the races, so halt_on_error can be seen stopping it.
const THREE = `
const tick = () => new Promise((resolve) => setImmediate(resolve));
const sessions = new Map();
const counts = new Map();
const seen = new Set();
async function login(user) {
  if (!sessions.has(user)) {
    await tick();
    sessions.set(user, { user });
  }
}
async function bump(key) {
  const n = counts.get(key) ?? 0;
  await tick();
  counts.set(key, n + 1);
}
async function mark(key) {
  if (!seen.has(key)) {
    await tick();
    seen.add(key);
  }
}
(async () => {
  await Promise.all([login('alice@example.com'), login('alice@example.com')]);
  console.log('after the first race');
  await Promise.all([bump('alice@example.com'), bump('alice@example.com')]);
  await Promise.all([mark('alice@example.com'), mark('alice@example.com')]);
  console.log('end');
})();
`;

// The check (line 4) and the act (line 6) of one task are separated by the
// other loader and by six readers, each in an event of its own: a short
// history forgets the check by the time of the act.
const FAR_APART = `const m = new Map();
const tick = () => new Promise((resolve) => setImmediate(resolve));
async function load(key, wait) {
  if (!m.has(key)) {
    for (let i = 0; i < wait; i++) await tick();
    m.set(key, wait);
  }
}
async function peek(key, wait) {
  for (let i = 0; i < wait; i++) await tick();
  return m.get(key);
}
Promise.all([load('k', 12), load('k', 1), peek('k', 3), peek('k', 4), peek('k', 5), peek('k', 6), peek('k', 7), peek('k', 8)]);
`;

let dir: string;
let three: string;
let farApart: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-options-'));
  fs.mkdirSync(path.join(dir, 'app'));
  three = path.join(dir, 'app', 'three.cjs');
  farApart = path.join(dir, 'app', 'far-apart.cjs');
  fs.writeFileSync(three, THREE);
  fs.writeFileSync(farApart, FAR_APART);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function env(options: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...extra, ASYNCRACE_OPTIONS: options };
  for (const name of ['NODE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'GITHUB_ACTIONS']) if (!(name in extra)) delete e[name];
  return e;
}

/** Runs the CLI in `root` (so the program's paths print absolute) with `args` before `-- node program`. */
function cli(options: string, args: string[], program = three, extra: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args, '--', process.execPath, program], {
    cwd: root,
    env: env(options, extra),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readJson(file: string): Report {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
}

function out(name: string): string {
  return path.join(dir, name);
}

describe('ASYNCRACE_OPTIONS', () => {
  it('strict: every unordered conflicting pair is a data-race, also the single-event patterns the default leaves alone', () => {
    const src = `const io = () => require('node:fs').promises.readFile(__filename);
const counts = new Map();
async function handle() {
  await io();
  counts.set('n', (counts.get('n') ?? 0) + 1); // RMW
}
Promise.all([handle(), handle()]).then(() => console.log(counts.get('n')));
`;
    expect(detect('strict-off.js', src).races).toEqual([]);
    const run = detect('strict-on.js', src, 'strict=1');
    expect(run.status).toBe(66);
    expect(run.stdout).toBe('2\n');
    expect(run.races.map((r) => r.kind)).toContain('data-race');
    expect(run.races.every((r) => r.current.frames[0]!.line === lineOf(src, '// RMW'))).toBe(true);
  });

  it('exitcode: the exit code when a race was found', () => {
    expect(cli('', []).code).toBe(66);
    expect(cli('exitcode=3', []).code).toBe(3);
  });

  it('halt_on_error: the process stops at its first race', () => {
    const json = out('halt.json');
    const r = cli('halt_on_error=1', ['--json', json]);
    expect(r.code).toBe(66);
    expect(r.stdout).not.toContain('after the first race');
    expect(readJson(json).races).toHaveLength(1);
    const whole = cli('', []);
    expect(whole.stdout).toBe('after the first race\nend\n');
  });

  it('log_path: the CLI writes the text report to log_path.PID and says where', () => {
    const log = out('cli.log');
    const r = cli(`log_path=${log}`, []);
    expect(r.code).toBe(66);
    expect(r.stderr).not.toContain('WARNING: ASYNC RACE');
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('cli.log.'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^cli\.log\.\d+$/);
    const text = fs.readFileSync(out(files[0]!), 'utf8');
    expect(text).toContain('WARNING: ASYNC RACE');
    expect(text.endsWith('asyncrace: found 3 race(s)\n')).toBe(true);
    expect(r.stderr).toContain(`3 race(s) reported in ${out(files[0]!)}`);
  });

  it('log_path: without the CLI, each process appends to log_path.<its pid>', async () => {
    const log = out('own.log');
    // A parent and a child, each with a race of its own: two files, named by each pid.
    const parent = out('parent.cjs');
    fs.writeFileSync(
      parent,
      `require('node:child_process').spawnSync(process.execPath, [${JSON.stringify(three)}], { stdio: 'inherit' });\n${THREE}`,
    );
    const child = spawn(process.execPath, [parent], {
      cwd: dir,
      // Through NODE_OPTIONS, which the child inherits.
      env: env(`log_path=${log}`, { NODE_OPTIONS: nodeOptionsWith(undefined, register) }),
      stdio: 'ignore',
    });
    const pid = child.pid;
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(66);
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('own.log.'));
    expect(files).toHaveLength(2);
    expect(files).toContain(`own.log.${pid}`);
    for (const f of files) expect(fs.readFileSync(out(f), 'utf8')).toContain('asyncrace: found 3 race(s)\n');
  });

  it('suppressions: a relative file reaches children that run in another directory', () => {
    fs.writeFileSync(path.join(dir, 'app', 'races.supp'), 'function:login\n');
    const parent = path.join(dir, 'app', 'elsewhere.cjs');
    fs.writeFileSync(parent, `const r = require('node:child_process').spawnSync(process.execPath, [${JSON.stringify(three)}], { cwd: '/', encoding: 'utf8' });\nprocess.stdout.write(r.stdout);\n`);
    const json = out('supp.json');
    const r = spawnSync(process.execPath, [bin, '--json', json, '--', process.execPath, parent], {
      cwd: dir,
      env: env('suppressions=app/races.supp'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout).toBe('after the first race\nend\n');
    expect(r.status).toBe(66);
    // The login race is suppressed; the counter's and the set's remain.
    expect(readJson(json).races.map((race) => race.current.frames[0]!.function).sort()).toEqual(['bump', 'mark']);
  });

  it('cache_dir: a relative directory is where asyncrace runs, also for children in other directories', () => {
    const parent = path.join(dir, 'app', 'in-app-dir.cjs');
    fs.writeFileSync(parent, `require('node:child_process').spawnSync(process.execPath, [${JSON.stringify(three)}], { cwd: __dirname });\n`);
    const r = spawnSync(process.execPath, [bin, '--', process.execPath, parent], { cwd: dir, env: env('cache_dir=transforms'), encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(66);
    expect(fs.readdirSync(path.join(dir, 'transforms')).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dir, 'app', 'transforms'))).toBe(false);
  });

  it('strip_path_prefix: text reports print paths without it', () => {
    const plain = cli('', []);
    expect(plain.stderr).toContain(`(${three}:`);
    const r = cli(`strip_path_prefix=${dir}/`, ['--json', out('strip.json')]);
    expect(r.stderr).toContain('(app/three.cjs:');
    expect(r.stderr).not.toContain(dir);
    // Machine-read reports keep paths that resolve.
    expect(readJson(out('strip.json')).races[0]!.current.frames[0]!.file).toBe(three);
  });

  it('max_reports: records at most that many races and counts the rest', () => {
    const json = out('max.json');
    const r = cli('max_reports=1', ['--json', json]);
    expect(r.code).toBe(66);
    const report = readJson(json);
    expect(report.races).toHaveLength(1);
    expect(report.omitted).toBe(2);
    expect(r.stderr).toContain('asyncrace: found 1 race(s)\nasyncrace: 2 more race(s) not recorded (max_reports)\n');
  });

  it('redact_keys: keys show as hashes in SARIF by default, everywhere with 1, nowhere with 0', () => {
    const outputs = (name: string): string[] => ['--json', out(`${name}.json`), '--sarif', out(`${name}.sarif`), '--junit', out(`${name}.xml`)];
    const read = (name: string): Record<string, string> =>
      Object.fromEntries(['json', 'sarif', 'xml'].map((ext) => [ext, fs.readFileSync(out(`${name}.${ext}`), 'utf8')]));

    const auto = cli('', outputs('auto'));
    const a = read('auto');
    expect(auto.stderr).toContain('"alice@example.com"');
    expect(a.json).toContain('alice@example.com');
    expect(a.xml).toContain('alice@example.com');
    expect(a.sarif).not.toContain('alice@example.com');
    expect(a.sarif).toMatch(/redacted:[0-9a-f]{12}/);

    const all = cli('redact_keys=1', outputs('all'));
    expect(all.stderr).not.toContain('alice@example.com');
    expect(all.stderr).toMatch(/key redacted:[0-9a-f]{12} on Map#\d+/);
    for (const text of Object.values(read('all'))) expect(text).not.toContain('alice@example.com');

    cli('redact_keys=0', outputs('none'));
    expect(read('none').sarif).toContain('alice@example.com');
  });

  it('history_size: a longer history finds a check and an act further apart', () => {
    const kinds = (options: string): string[] => {
      const json = out(`history-${options}.json`);
      cli(options, ['--json', json], farApart);
      return readJson(json).races.map((r) => `${r.kind} ${r.current.frames[0]!.line}/${r.previous.frames[0]!.line}`);
    };
    // Eight events per key by default: the check at line 4 is forgotten, the writes still race.
    expect(kinds('history_size=1')).not.toContain('atomicity-violation 6/4');
    expect(kinds('history_size=2')).toContain('atomicity-violation 6/4');
  });

  it.each([
    ['bogus=1', 'unknown option "bogus"'],
    ['exitcode=300', 'exitcode needs an integer from 0 to 255'],
    ['history_size=8', 'history_size needs an integer from 0 to 7'],
    ['max_reports=-1', 'max_reports needs an integer >= 0'],
    ['redact_keys=maybe', 'redact_keys needs 0, 1 or auto'],
    ['halt_on_error=yes', 'halt_on_error needs 0 or 1'],
    ['log_path', '"log_path" is not key=value'],
  ])('ASYNCRACE_OPTIONS=%s is an error before the command runs', (options, message) => {
    const r = cli(options, []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});
