import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readReport } from '../../src/report/json';
import { emitProcessReport } from '../../src/report/output';
import { cacheRace } from './fixtures';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-output-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('emitProcessReport', () => {
  it('writes a JSON file per call into ASYNCRACE_REPORT_DIR, even without races, and prints nothing', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const env = { ASYNCRACE_REPORT_DIR: dir };
    expect(emitProcessReport([], { log_path: 'stderr' }, env)).toBe(false);
    expect(emitProcessReport([cacheRace()], { log_path: 'stderr' }, env)).toBe(false);
    const files = fs.readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    for (const f of files) expect(f).toMatch(new RegExp(`^race-${process.pid}-\\d+\\.json$`));
    const races = files.map((f) => readReport(path.join(dir, f)).races.length).sort();
    expect(races).toEqual([0, 1]);
    expect(stderr).not.toHaveBeenCalled();
  });

  it('appends the text report to log_path and asks for the exit code when there are races', () => {
    const log = path.join(dir, 'races.log');
    fs.writeFileSync(log, 'before\n');
    expect(emitProcessReport([cacheRace()], { log_path: log }, {})).toBe(true);
    const text = fs.readFileSync(log, 'utf8');
    expect(text.startsWith('before\n==================\nWARNING: ASYNC RACE (atomicity violation)\n')).toBe(true);
    expect(text.endsWith('==================\nasyncrace: found 1 race(s)\n')).toBe(true);
  });

  it('prints to stderr or stdout', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(emitProcessReport([cacheRace()], { log_path: 'stderr' }, {})).toBe(true);
    expect(String(stderr.mock.calls[0]?.[0])).toContain('asyncrace: found 1 race(s)');
    expect(emitProcessReport([cacheRace()], { log_path: 'stdout' }, {})).toBe(true);
    expect(String(stdout.mock.calls[0]?.[0])).toContain('asyncrace: found 1 race(s)');
  });

  it('prints nothing and keeps the exit code without races', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(emitProcessReport([], { log_path: 'stderr' }, {})).toBe(false);
    expect(stderr).not.toHaveBeenCalled();
  });

  it('falls back to the text report when the report directory is gone', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const gone = path.join(dir, 'gone');
    expect(emitProcessReport([cacheRace()], { log_path: 'stderr' }, { ASYNCRACE_REPORT_DIR: gone })).toBe(true);
    const out = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(out).toContain('cannot write the report');
    expect(out).toContain('WARNING: ASYNC RACE');
  });
});
