import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaults } from '../../src/options';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(__dirname, 'fixtures');
const cliEntry = path.join(fixtures, 'run-cli.ts');
const racy = path.join(fixtures, 'racy.cjs');

let work: string;
let register: string;

beforeAll(() => {
  // A register path with a space: NODE_OPTIONS must quote it.
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace cli '));
  register = path.join(work, 'fake register.cjs');
  fs.copyFileSync(path.join(fixtures, 'fake-register.cjs'), register);
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.ASYNCRACE_OPTIONS;
  delete env.ASYNCRACE_REPORT_DIR;
  env.TEST_REGISTER = register;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function cli(args: string[], extra: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
    cwd: root,
    env: cleanEnv(extra),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function readJson(file: string): { version: number; command?: unknown; races: { current: { frames: { line: number }[] } }[] } {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('asyncrace CLI', () => {
  it('exits with the command\'s own code and writes an empty JSON report when there is no race', () => {
    const json = path.join(work, 'clean.json');
    const r = cli(['--json', json, '--', process.execPath, '-e', 'process.exit(3)']);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('ASYNC RACE');
    // The fake register loaded (through a quoted NODE_OPTIONS path) and reported.
    expect(r.stderr).not.toContain('no Node process reported');
    expect(readJson(json)).toEqual({ version: 1, command: { exitCode: 3, signal: null }, races: [] });
  });

  it('exits 66, prints the text report and writes the JSON when a race was found', () => {
    const json = path.join(work, 'racy.json');
    const r = cli(['--json', json, '--', process.execPath, racy]);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('==================\nWARNING: ASYNC RACE (atomicity violation)\n');
    expect(r.stderr).toContain(`Write of key "user:1" on Map#1 (created at ${path.relative(root, racy)}:3:15) by task 2:\n`);
    expect(r.stderr).toContain('asyncrace: found 1 race(s)\n');
    const report = readJson(json);
    expect(report.version).toBe(1);
    expect(report.races).toHaveLength(1);
  });

  it('merges the reports of child processes, deduplicated by site pair', () => {
    const json = path.join(work, 'nested.json');
    const r = cli([`--json=${json}`, '--', process.execPath, racy, 'spawn']);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('asyncrace: found 2 race(s)\n');
    expect(readJson(json).races.map((x) => x.current.frames[0]!.line)).toEqual(expect.arrayContaining([12, 30]));
  });

  it('uses the exitcode option', () => {
    const r = cli(['--', process.execPath, racy], { ASYNCRACE_OPTIONS: 'exitcode=7' });
    expect(r.code).toBe(7);
  });

  it('writes the text report to log_path', () => {
    const r = cli(['--', process.execPath, racy], { ASYNCRACE_OPTIONS: 'log_path=stdout' });
    expect(r.code).toBe(66);
    expect(r.stdout).toContain('WARNING: ASYNC RACE');
    expect(r.stderr).not.toContain('WARNING: ASYNC RACE');
  });

  it('rejects an unknown flag, naming it, with exit 2 and the usage', () => {
    const r = cli(['--frobnicate', '--', 'node', '-e', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--frobnicate');
    expect(r.stderr).toContain('Usage: asyncrace');
  });

  it('rejects a missing command', () => {
    const r = cli(['--json', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no command');
  });

  it.each([
    ['bogus=1', 'bogus'],
    ['strict=maybe', 'strict'],
  ])('rejects ASYNCRACE_OPTIONS=%s up front, naming the option', (value, name) => {
    const marker = path.join(work, `ran-${name}`);
    const r = cli(['--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], {
      ASYNCRACE_OPTIONS: value,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(name);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('--help lists every command, option and ASYNCRACE_OPTIONS key', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['--json FILE', '--sarif FILE', '--junit FILE', '--help', 'merge OUT.json IN.json...', 'report FILE.json...', 'GITHUB_ACTIONS']) {
      expect(r.stdout).toContain(word);
    }
    for (const key of Object.keys(defaults)) expect(r.stdout).toMatch(new RegExp(`^  ${key}\\s`, 'm'));
  });

  it('ends with the signal that killed the command', () => {
    const r = cli(['--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"]);
    expect(r.signal).toBe('SIGTERM');
    expect(r.code).toBe(null);
  });

  it('exits 127 when the command cannot be started', () => {
    const r = cli(['--', path.join(work, 'no-such-command')]);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('cannot run');
  });

  it('warns when no Node process reported', () => {
    const r = cli(['--', 'sh', '-c', 'exit 0']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no Node process reported');
  });

  it('fails clearly when the register module is missing', () => {
    const r = cli(['--', process.execPath, '-e', '0'], { TEST_REGISTER: path.join(work, 'missing.js') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.js');
  });

  it('forwards SIGINT to the command', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cliEntry, '--', process.execPath, '-e', "console.log('ready'); setTimeout(() => {}, 20000)"],
      { cwd: root, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      });
    });
    child.kill('SIGINT');
    const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    // The command died of the SIGINT it was passed, and asyncrace ends the same way.
    expect(end).toEqual({ code: null, signal: 'SIGINT' });
  });

  it('runs through bin/asyncrace.js', () => {
    const bin = path.join(root, 'bin/asyncrace.js');
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', env: cleanEnv() });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: asyncrace');
    const bad = spawnSync(process.execPath, [bin, '--nope', '--', 'node'], { encoding: 'utf8', env: cleanEnv() });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--nope');
  });
});
