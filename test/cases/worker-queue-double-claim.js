// expect: race
// why: a worker checks claimed.has(id), awaits the lease write, and only then adds the id; the other
// why: workers check the same job during that await, so every job is claimed and run several times.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const jobs = new Map([
  ['job-1', { kind: 'thumbnail', file: 'a.png' }],
  ['job-2', { kind: 'thumbnail', file: 'b.png' }],
  ['job-3', { kind: 'transcode', file: 'c.mov' }],
]);
const claimed = new Set();
const runs = [];

async function acquireLease(jobId, worker) {
  await sleep(5); // INSERT INTO leases ...
  return { jobId, worker };
}

async function runJob(jobId, worker) {
  await sleep(2);
  runs.push(`${worker}:${jobId}`);
}

async function worker(name) {
  for (const jobId of [...jobs.keys()]) {
    if (claimed.has(jobId)) continue; // RACE
    await acquireLease(jobId, name);
    claimed.add(jobId); // RACE
    await runJob(jobId, name);
  }
}

async function main() {
  await Promise.all([worker('w1'), worker('w2'), worker('w3')]);
  console.log(`${jobs.size} jobs, ${runs.length} runs (expected ${jobs.size})`);
}

main();
