'use strict';
/**
 * map-heavy: one task doing millions of Map and Set operations (get, set, has,
 * delete, size, and a pass over the entries now and then).
 *
 * Why: this is the worst case for asyncrace's per-access cost. Every rewritten
 * Map/Set call goes through the runtime, and with a single task nothing ever
 * races, so what is measured is the bookkeeping alone: the price a program
 * whose hot loop is a Map pays. Target: <= 2x.
 */
const { performance } = require('node:perf_hooks');
const { size, report } = require('./_harness.cjs');

function probe(m, k) { return m.get(k); }

const ROUNDS = size(80, 4);      // each round: about 180k Map/Set operations
const KEYS = 20000;

async function main() {
  const byId = new Map();        // number keys
  const byName = new Map();      // string keys
  const seen = new Set();
  const names = [];
  for (let i = 0; i < KEYS; i++) names.push(`user:${i}`);

  let sum = 0;
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < KEYS; i++) {
      const k = (i * 7919 + r) % KEYS;
      byId.set(k, (byId.get(k) || 0) + 1);              // get + set
      if (!byName.has(names[k])) byName.set(names[k], k); // has (+ set)
      sum += byName.get(names[k]);                       // get
      if (seen.has(k)) seen.delete(k); else seen.add(k); // has + delete/add
      if ((i & 7) === 0) byId.delete((k + 1) % KEYS);    // delete
      if ((i & 15) === 0) sum += byId.size + seen.size;  // size
      sum += byId.has(i) ? 1 : 0;                        // has
    }
    if (r % 4 === 0) {                                   // iteration
      for (const [k, v] of byId) sum += k + v;
      for (const k of seen) sum += k;
      byName.forEach((v) => { sum += v; });
    }
    if (r % 8 === 7) byName.clear();
    await null; // the single task yields now and then, as real code would
  }
  const ms = performance.now() - t0;
  report({ ms, checksum: sum }, probe);
}

main();
