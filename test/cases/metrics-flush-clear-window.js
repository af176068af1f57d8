// expect: race
// why: flush walks the live counters Map and awaits each push; the window reset clears the Map in
// why: between, so the iterator stops early and the rest of the window's counts are silently dropped.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const counters = new Map();
const pushed = [];

function count(route) {
  counters.set(route, (counters.get(route) ?? 0) + 1);
}

async function pushToCollector(name, value) {
  await sleep(6); // StatsD over UDP with back-pressure
  pushed.push(`${name}=${value}`);
}

async function flush() {
  for (const [route, value] of counters) { // RACE
    await pushToCollector(route, value);
  }
}

function startWindowTimer(ms) {
  setTimeout(() => {
    counters.clear(); // RACE
  }, ms);
}

for (const route of ['GET /', 'GET /', 'POST /login', 'GET /cart', 'GET /cart', 'GET /about']) count(route);
startWindowTimer(9);
flush().then(() => console.log(`pushed ${pushed.length} of 4 routes: ${pushed.join(' ')}`));
