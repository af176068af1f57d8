// The project's own labelled cases (test/cases, shared corpus format), run through the real CLI by the
// shared checker. Every case must pass: racy ones found at their marked lines, race-free ones clean.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const checker = path.resolve(root, '../shared/corpus/check.mjs');

interface Summary {
  cases: number;
  racy: number;
  racyDetected: number;
  safe: number;
  safeClean: number;
  results: Array<{ name: string; expect: string; ok: boolean; reason: string }>;
}

describe.skipIf(!fs.existsSync(checker))('labelled cases (test/cases)', () => {
  it('passes every case', () => {
    const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-cases-')), 'summary.json');
    const env = { ...process.env };
    delete env.ASYNCRACE_OPTIONS;
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, [checker, '--dir', 'test/cases', '--summary', summaryFile], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(fs.existsSync(summaryFile), `checker wrote no summary\n${r.stdout}\n${r.stderr}`).toBe(true);
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as Summary;
    const failed = summary.results.filter((x) => !x.ok);
    expect(failed, r.stdout).toEqual([]);
    expect(summary.cases, r.stdout).toBeGreaterThan(0);
    expect(r.status, r.stdout).toBe(0);
  }, 600_000);
});
