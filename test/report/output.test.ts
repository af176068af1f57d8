import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readReport } from '../../src/report/json';
import { emitProcessReport, type ReportOptions } from '../../src/report/output';
import { cacheRace } from './fixtures';

let dir: string;

function options(logPath: string): ReportOptions {
  return { log_path: logPath, strip_path_prefix: '' };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-output-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('emitProcessReport', () => {
  it('keeps one JSON file per thread in the report directory, even without races, and prints nothing', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(emitProcessReport({ races: [] }, options('stderr'), dir)).toBe(false);
    const [file] = fs.readdirSync(dir);
    expect(file).toMatch(new RegExp(`^race-${process.pid}-0-[0-9a-f]{8}\\.json$`));
    expect(readReport(path.join(dir, file!)).races).toEqual([]);
    expect(emitProcessReport({ races: [cacheRace()], omitted: 2 }, options('stderr'), dir)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([file]);
    expect(readReport(path.join(dir, file!))).toMatchObject({ races: [cacheRace()], omitted: 2 });
    expect(stderr).not.toHaveBeenCalled();
  });

  it('appends the text report to log_path.PID and asks for the exit code when there are races', () => {
    const log = path.join(dir, 'races.log');
    fs.writeFileSync(`${log}.${process.pid}`, 'before\n');
    expect(emitProcessReport({ races: [cacheRace()] }, options(log), undefined)).toBe(true);
    expect(fs.existsSync(log)).toBe(false);
    const text = fs.readFileSync(`${log}.${process.pid}`, 'utf8');
    expect(text.startsWith('before\n==================\nWARNING: ASYNC RACE (atomicity violation)\n')).toBe(true);
    expect(text.endsWith('==================\nasyncrace: found 1 race(s)\n')).toBe(true);
  });

  it('prints to stderr or stdout', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(emitProcessReport({ races: [cacheRace()] }, options('stderr'), undefined)).toBe(true);
    expect(String(stderr.mock.calls[0]?.[0])).toContain('asyncrace: found 1 race(s)');
    expect(emitProcessReport({ races: [cacheRace()] }, options('stdout'), undefined)).toBe(true);
    expect(String(stdout.mock.calls[0]?.[0])).toContain('asyncrace: found 1 race(s)');
  });

  it('prints nothing and keeps the exit code without races', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(emitProcessReport({ races: [] }, options('stderr'), undefined)).toBe(false);
    expect(stderr).not.toHaveBeenCalled();
  });

  it('falls back to the text report when the report directory is gone', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const gone = path.join(dir, 'gone');
    expect(emitProcessReport({ races: [cacheRace()] }, options('stderr'), gone)).toBe(true);
    const out = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(out).toContain('cannot write the report');
    expect(out).toContain('WARNING: ASYNC RACE');
  });
});
