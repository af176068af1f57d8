// The shared labelled corpus, run through the real CLI exactly as its checker does.
// Racy cases must be found at their marked lines; the race-free count is reported.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const checker = path.resolve(root, '../shared/corpus/check.mjs');

describe.skipIf(!fs.existsSync(checker))('labelled corpus (../shared/corpus)', () => {
  it('finds every racy case at its marked lines', () => {
    const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-corpus-')), 'summary.json');
    const env = { ...process.env };
    delete env.ASYNCRACE_OPTIONS;
    const r = spawnSync(process.execPath, [checker, '--summary', summaryFile], { cwd: root, env, encoding: 'utf8', timeout: 600_000 });
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as {
      racy: number;
      racyDetected: number;
      safe: number;
      safeClean: number;
      results: Array<{ name: string; expect: string; ok: boolean; reason: string }>;
    };
    const missed = summary.results.filter((x) => x.expect === 'race' && !x.ok);
    expect(missed, r.stdout).toEqual([]);
    expect(summary.racy).toBeGreaterThan(0);
    console.log(`corpus: racy detected ${summary.racyDetected}/${summary.racy}, race-free clean ${summary.safeClean}/${summary.safe}`);
  }, 600_000);
});
