// expect: none
// why: the health sweep awaits inside for..of over the live Map, but the reload that changes the Map
// why: awaits the running sweep first (kept as a promise), so its deletes and inserts follow the loop.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const backends = new Map([
  ['10.0.0.1', { healthy: true }],
  ['10.0.0.2', { healthy: true }],
  ['10.0.0.3', { healthy: true }],
]);
let sweeping = Promise.resolve([]);

async function probe(address) {
  await sleep(4); // TCP connect + GET /healthz
  return !address.endsWith('.2');
}

async function sweepOnce() {
  const results = [];
  for (const [address, state] of backends) {
    state.healthy = await probe(address);
    results.push(`${address}:${state.healthy ? 'up' : 'down'}`);
  }
  return results;
}

function startSweep() {
  sweeping = sweepOnce();
  return sweeping;
}

async function reload(nextAddresses) {
  await sleep(6); // the new pool arrives from service discovery
  await sweeping; // never reshape the pool under a running sweep
  for (const address of [...backends.keys()]) {
    if (!nextAddresses.includes(address)) backends.delete(address);
  }
  for (const address of nextAddresses) {
    if (!backends.has(address)) backends.set(address, { healthy: true });
  }
}

async function main() {
  const [swept] = await Promise.all([startSweep(), reload(['10.0.0.1', '10.0.0.3', '10.0.0.4'])]);
  console.log(`swept ${swept.join(' ')}`);
  console.log(`pool now: ${[...backends.keys()].join(',')}`);
}

main();
