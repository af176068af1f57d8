'use strict';
/**
 * many-tasks: a long run that creates a million short-lived tasks (async
 * functions that await once or twice and end), in batches of 100 so only
 * about 100 are alive at once, touching a Map now and then. Reports the peak
 * RSS and the RSS after a full GC (when run with --expose-gc, as bench/run.mjs
 * does for both runs) at 10%, 50% and 100% of the run, and the JS heap in use
 * at the same points. bench/run.mjs also fixes the young generation's size in
 * both runs (--min/--max-semi-space-size=16): V8 otherwise grows it part way
 * through and RSS takes a step of several MB that is not retained memory.
 *
 * Why: a detector keeps state per task (clocks, where it came from) and per
 * key (recent accesses). A long test run or a service creates millions of
 * tasks; if anything of a finished task stays reachable, memory grows with
 * the run's length rather than with the number of live tasks. Targets: peak
 * RSS <= 1.5x plain, and flat: RSS after GC grows less than 10% between the
 * 50% and 100% samples. The time is printed but has no target.
 *
 * No race: the keys a batch touches are distinct, and batches are ordered by
 * awaiting Promise.all.
 */
const { performance } = require('node:perf_hooks');
const { size, report } = require('./_harness.cjs');

function probe(m, k) { return m.get(k); }

const TASKS = size(1000000, 2000);
const BATCH = 100;
const KEYS = 1000;

const recent = new Map();  // key -> last value written (bounded: KEYS keys)

async function step(x) {
  await null;
  return x * 2;
}

async function shortTask(i) {
  let x = await step(i);
  if (i % 10 === 0) {                       // touch a Map now and then
    const k = i % KEYS;
    recent.set(k, (recent.get(k) ?? 0) + x);
  }
  if (i % 3 === 0) x = await Promise.resolve(x + 1);
  return x;
}

let gcMs = 0;
function sample() {
  const t = performance.now();
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  const { rss, heapUsed } = process.memoryUsage();
  gcMs += performance.now() - t;
  return { rss: Math.round(rss / 1024), heapUsed: Math.round(heapUsed / 1024) }; // KB
}

async function main() {
  const batches = TASKS / BATCH;
  const at = new Map([[Math.round(batches * 0.1), 'p10'], [Math.round(batches * 0.5), 'p50']]);
  const samples = {};
  let sum = 0;
  const t0 = performance.now();
  for (let b = 1; b <= batches; b++) {
    const tasks = [];
    for (let j = 0; j < BATCH; j++) tasks.push(shortTask((b - 1) * BATCH + j));
    const done = await Promise.all(tasks);
    for (const x of done) sum += x;
    const label = at.get(b);
    if (label) samples[label] = sample();
  }
  samples.p100 = sample();
  const ms = performance.now() - t0 - gcMs;
  report({
    ms,
    tasks: TASKS,
    gc: typeof global.gc === 'function',
    samples, // KB, after GC
    growth50to100: (samples.p100.rss - samples.p50.rss) / samples.p50.rss,
    checksum: sum % 1e9,
  }, probe);
}

main();
