/**
 * await-heavy: a hundred concurrent async tasks, each awaiting thousands of
 * times (plain values, resolved promises, and calls to small async helpers),
 * with a Map access now and then. An ES module, so the ESM loader hook is the
 * path that instruments it.
 *
 * Why: most async code awaits far more often than it touches a Map. asyncrace
 * follows every task switch (v8.promiseHooks, async_hooks, its own rewrite of
 * each await), so this measures what the task tracking costs a program that
 * is mostly awaits. Target: <= 1.5x.
 *
 * There is no race: each task writes only its own keys, and the shared
 * counter is read and written in one synchronous step.
 */
import { performance } from 'node:perf_hooks';
import harness from './_harness.cjs';

const { size, report } = harness;

function probe(m, k) { return m.get(k); }

const TASKS = 100;
const AWAITS = size(60000, 80); // awaits per task (each iteration below awaits 4 times): 6M in all at full size

const state = new Map();   // task id -> progress (each task its own key)
const shared = new Map([['total', 0]]);

async function helper(x) {
  await null;
  return x + 1;
}

async function task(id) {
  let x = 0;
  for (let i = 0; i < AWAITS / 4; i++) {
    x = await x;                     // a plain value
    x = await Promise.resolve(x);    // a resolved promise
    x = await helper(x);             // an async call, which awaits once itself
    if (i % 50 === 0) {              // occasional Map use
      state.set(id, (state.get(id) ?? 0) + 1);
      shared.set('total', shared.get('total') + 1);
    }
  }
  return x;
}

const t0 = performance.now();
const results = await Promise.all(Array.from({ length: TASKS }, (_, id) => task(id)));
const ms = performance.now() - t0;
report({ ms, awaits: TASKS * AWAITS, checksum: results.reduce((a, b) => a + b, 0) + shared.get('total') }, probe);
