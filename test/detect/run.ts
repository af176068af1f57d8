// Runs a small program through the real `asyncrace` CLI and returns its JSON report.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Report, ReportRace } from '../../src/report/types';

export const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/asyncrace.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  races: ReportRace[];
  file: string;
}

/** Writes `source` to a fresh temp file named `name` and runs it with detection. */
export function detect(name: string, source: string, options = '', runner: string[] = ['node']): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-detect-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  const json = path.join(dir, 'report.json');
  const env: NodeJS.ProcessEnv = { ...process.env, ASYNCRACE_OPTIONS: options };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [bin, '--json', json, '--', ...runner.map((w) => (w === 'node' ? process.execPath : w)), file], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, races: report.races, file };
}

/** The line numbers of `current` and `previous` access sites of each race. */
export function linePairs(run: Run): Array<[number, number]> {
  return run.races.map((r) => [r.current.frames[0]!.line, r.previous.frames[0]!.line]);
}

/** linePairs with each pair in line order: for two accesses whose order depends on the disk and the machine's load. */
export function unorderedPairs(run: Run): Array<[number, number]> {
  return linePairs(run).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
}

/** 1-based line of the first line of `source` containing `marker`. */
export function lineOf(source: string, marker: string): number {
  const i = source.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not found`);
  return i + 1;
}
