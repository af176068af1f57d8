import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearCollected, reportRace } from '../../src/report/collect';
import { parseRaceLines } from '../../src/report/json';
import { emitProcessReport, processReport, reportToCliAsFound, type ReportOptions } from '../../src/report/output';
import type { RawRace } from '../../src/runtime/race';
import { registerFile } from '../../src/runtime/sites';
import { cacheRace } from './fixtures';

// A module with two racing pairs of sites: set at line 12 after has at 10, set at 30 after has at 28.
const base = registerFile({
  file: '/virtual/output/app.js',
  sources: ['/virtual/output/app.js'],
  sites: [
    ['set', 0, 12, 5, 'load'],
    ['has', 0, 10, 5, 'load'],
    ['set', 0, 30, 5, 'save'],
    ['has', 0, 28, 5, 'save'],
  ],
});

/** A race whose current access is at `line` (12 or 30). */
function rawRace(line: 12 | 30): RawRace {
  const at = line === 12 ? base : base + 2;
  return {
    kind: 'order-race',
    object: { type: 'Map', id: 1, key: 'k', keySet: false, createdSite: 0, createdFrame: null },
    current: { op: 'write', method: 'set', task: 2, site: at, frame: null },
    previous: { op: 'read', method: 'has', task: 3, site: at + 1, frame: null },
    tasks: [],
  };
}

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
  it('under the CLI, appends each new race to one file per thread as it is found, and prints nothing at exit', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    clearCollected();
    reportToCliAsFound(dir);
    const [file] = fs.readdirSync(dir);
    expect(file).toMatch(new RegExp(`^race-${process.pid}-0-[0-9a-f]{8}\\.ndjson$`));
    expect(fs.readFileSync(path.join(dir, file!), 'utf8')).toBe('');
    reportRace(rawRace(12));
    reportRace(rawRace(12));
    reportRace(rawRace(30));
    expect(fs.readdirSync(dir)).toEqual([file]);
    const stream = parseRaceLines(fs.readFileSync(path.join(dir, file!), 'utf8'));
    expect(stream.races.map((r) => r.current.frames[0]!.line)).toEqual([12, 30]);
    expect(emitProcessReport(processReport(), options('stderr'), dir)).toBe(false);
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
