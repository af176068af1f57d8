/**
 * When the command failed and races were found, the exit code (66) says only
 * the races: the summary line says both, and the JSON report records how the
 * command ended (`command: { exitCode, signal }`), which `report` prints
 * again and `merge` keeps when every input agrees on it.
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

// A check-then-act across an await; `then` runs once both tasks are done, the race found.
const RACY = (then: string): string => `const cache = new Map();
const turn = () => new Promise((resolve) => setImmediate(resolve));
async function load(key) {
  if (!cache.has(key)) {
    await turn();
    cache.set(key, key.length);
  }
}
Promise.all([load('k'), load('k')]).then(() => { ${then} });
`;

let dir: string;
const file = (name: string): string => path.join(dir, name);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-command-end-'));
  fs.writeFileSync(file('passes.cjs'), RACY("console.log('done')"));
  fs.writeFileSync(file('fails.cjs'), RACY("console.log('done'); process.exitCode = 1"));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function asyncrace(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'GITHUB_ACTIONS']) delete env[name];
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const readJson = (name: string): Report => JSON.parse(fs.readFileSync(file(name), 'utf8')) as Report;

describe.skipIf(!built)('how the command ended, beside the races', () => {
  it('a failing command with a race: exit 66, a summary that says both, and the exit code in the JSON', () => {
    const r = asyncrace(['--json', file('fails.json'), '--', process.execPath, 'fails.cjs']);
    expect(r.stdout).toBe('done\n');
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('WARNING: ASYNC RACE');
    expect(r.stderr.endsWith('asyncrace: found 1 race(s); the command exited with code 1\n')).toBe(true);
    const report = readJson('fails.json');
    expect(report.command).toEqual({ exitCode: 1, signal: null });
    expect(report.races).toHaveLength(1);

    // `report` prints the same summary again.
    const again = asyncrace(['report', file('fails.json')]);
    expect(again.code).toBe(66);
    expect(again.stderr.endsWith('asyncrace: found 1 race(s); the command exited with code 1\n')).toBe(true);
  });

  it('a command killed by a signal after its race: the summary names the signal, the JSON records it', () => {
    // The shell that ran the racy program is killed (as a CI runner's timeout would).
    const r = asyncrace(['--json', file('killed.json'), '--', 'bash', '-c', `${JSON.stringify(process.execPath)} passes.cjs; kill -TERM $$`]);
    expect(r.stdout).toBe('done\n');
    // asyncrace ends the way the command did.
    expect(r.signal).toBe('SIGTERM');
    expect(r.stderr.endsWith('asyncrace: found 1 race(s); the command was killed by SIGTERM\n')).toBe(true);
    expect(readJson('killed.json').command).toEqual({ exitCode: null, signal: 'SIGTERM' });
  });

  it('a command that passed: the summary is the count alone, the JSON records exit code 0', () => {
    const r = asyncrace(['--json', file('passes.json'), '--', process.execPath, 'passes.cjs']);
    expect(r.code).toBe(66);
    expect(r.stderr.endsWith('\n==================\nasyncrace: found 1 race(s)\n')).toBe(true);
    expect(readJson('passes.json').command).toEqual({ exitCode: 0, signal: null });

    const clean = asyncrace(['--json', file('clean.json'), '--', process.execPath, '-e', 'process.exitCode = 4']);
    expect(clean.code).toBe(4);
    expect(readJson('clean.json')).toEqual({ version: 1, command: { exitCode: 4, signal: null }, races: [] });
  });

  it('merge keeps the command when every report agrees on it, else leaves it out; old reports still read', () => {
    asyncrace(['--json', file('fails-again.json'), '--', process.execPath, 'fails.cjs']);
    expect(asyncrace(['merge', file('same.json'), file('fails.json'), file('fails-again.json')]).code).toBe(0);
    expect(readJson('same.json').command).toEqual({ exitCode: 1, signal: null });

    expect(asyncrace(['merge', file('mixed.json'), file('fails.json'), file('passes.json')]).code).toBe(0);
    const mixed = readJson('mixed.json');
    expect(mixed.command).toBeUndefined();
    expect(mixed.races).toHaveLength(2);

    // A report written before the field existed.
    const { command: _, ...old } = readJson('passes.json');
    fs.writeFileSync(file('old.json'), JSON.stringify(old));
    expect(asyncrace(['merge', file('with-old.json'), file('old.json'), file('fails.json')]).code).toBe(0);
    expect(readJson('with-old.json').command).toBeUndefined();
    const printed = asyncrace(['report', file('old.json')]);
    expect(printed.code).toBe(66);
    expect(printed.stderr.endsWith('asyncrace: found 1 race(s)\n')).toBe(true);
  });

  it('names a report whose command field is malformed', () => {
    fs.writeFileSync(file('bad-command.json'), JSON.stringify({ version: 1, command: { exitCode: 'one' }, races: [] }));
    const r = asyncrace(['report', file('bad-command.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read ${file('bad-command.json')}: command is not { exitCode, signal }`);
  });
});
