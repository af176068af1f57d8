// The counts of one or more suite runs, from vitest's JSON reporter, for .ci/run.
//
//   node .ci/counts.mjs line NAME RESULTS.json EXIT SECONDS
//     prints one line with that run's counts and records them in RESULTS.json.line
//   node .ci/counts.mjs table A.json.line B.json.line ...
//     prints the table of all runs, then a closing `total: N passed, N failed, N skipped`
//     line; exits 1 when any run failed (or wrote no results).
import fs from 'node:fs';

const [mode, ...args] = process.argv.slice(2);

/** Counts of a vitest JSON report; a missing or unreadable one counts as a failed run. */
function countsOf(file) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const files = { passed: 0, failed: 0, skipped: 0 };
  for (const f of report.testResults ?? []) {
    const tests = f.assertionResults ?? [];
    if (f.status === 'failed' || tests.some((t) => t.status === 'failed')) files.failed++;
    else if (tests.length > 0 && tests.every((t) => t.status !== 'passed')) files.skipped++;
    else files.passed++;
  }
  return {
    files,
    tests: {
      passed: report.numPassedTests ?? 0,
      failed: report.numFailedTests ?? 0,
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    },
  };
}

const minutes = (s) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
const three = (c) => `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

if (mode === 'line') {
  const [name, file, exit, seconds] = args;
  const counts = countsOf(file);
  const ok = Number(exit) === 0 && counts !== undefined && counts.tests.failed === 0 && counts.files.failed === 0;
  const row = { name, ok, exit: Number(exit), seconds: Number(seconds), counts };
  fs.writeFileSync(`${file}.line`, JSON.stringify(row));
  const what = counts ? `files ${three(counts.files)}; tests ${three(counts.tests)}` : 'no results written';
  console.log(`=== ${name}: ${ok ? 'PASS' : 'FAIL'} (exit ${exit}, ${minutes(Number(seconds))}): ${what}`);
} else if (mode === 'table') {
  const rows = args.map((f) => {
    try {
      return JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch {
      return { name: f, ok: false, exit: NaN, seconds: 0, counts: undefined };
    }
  });
  const table = [['node', 'result', 'files passed/failed/skipped', 'tests passed/failed/skipped', 'time']];
  for (const r of rows) {
    const c = r.counts;
    table.push([
      r.name,
      r.ok ? 'PASS' : 'FAIL',
      c ? `${c.files.passed}/${c.files.failed}/${c.files.skipped}` : '-',
      c ? `${c.tests.passed}/${c.tests.failed}/${c.tests.skipped}` : '-',
      minutes(r.seconds),
    ]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  console.log('\n=== the suite on each Node line');
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const r of rows) {
    if (!r.counts) continue;
    for (const k of Object.keys(total)) total[k] += r.counts.tests[k];
  }
  console.log(`total: ${three(total)}`);
  process.exit(rows.length > 0 && rows.every((r) => r.ok) ? 0 : 1);
} else {
  console.error('usage: counts.mjs line NAME RESULTS.json EXIT SECONDS | table ROW...');
  process.exit(2);
}
