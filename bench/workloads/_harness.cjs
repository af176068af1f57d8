'use strict';
/**
 * The few lines every workload shares (not a workload itself).
 *
 * - `size(full, quick)`: the workload's size; bench/run.mjs sets
 *   BENCH_SIZE=quick for `--quick` (a smoke run), anything else is full size.
 * - `report(fields, probe)`: prints the one JSON line bench/run.mjs reads, last
 *   on stdout: the workload's own fields (`ms`, the timed section, measured with
 *   performance.now()), plus `maxRSS` (peak resident set size in KB, from
 *   process.resourceUsage()) and `instrumented`: whether the workload's own file
 *   was rewritten by asyncrace. `probe` is a function in the workload file
 *   that calls Map#get: once instrumented, its source text is no longer what
 *   was written, so the runner can tell a plain run that was instrumented by
 *   accident (NODE_OPTIONS) or an instrumented one that was not (a filter).
 */
// bench/run.mjs fills asyncrace's transform cache before the timed runs with
// BENCH_LOAD_ONLY=1: the workload's files are loaded (so instrumented), then
// nothing runs.
if (process.env.BENCH_LOAD_ONLY === '1') process.exit(0);

const quick = process.env.BENCH_SIZE === 'quick';

function size(full, quickSize) {
  return quick ? quickSize : full;
}

const PROBE_SOURCE = 'function probe(m, k) { return m.get(k); }';

function report(fields, probe) {
  const out = {
    ...fields,
    maxRSS: process.resourceUsage().maxRSS,
    instrumented: typeof probe === 'function' ? probe.toString() !== PROBE_SOURCE : null,
    size: quick ? 'quick' : 'full',
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

module.exports = { size, report, quick };
