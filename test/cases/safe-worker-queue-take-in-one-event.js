// expect: none
// why: a worker takes a job by reading and deleting the first pending entry in one event, so no two
// why: workers get the same job; results go to distinct keys, and main reads them after the join.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const pending = new Map();
const results = new Map();
for (let i = 1; i <= 7; i++) pending.set(`job-${i}`, { pages: i });

function take() {
  for (const [id, job] of pending) {
    pending.delete(id);
    return { id, job };
  }
  return null;
}

async function render(job) {
  await sleep(2 + job.pages); // headless browser renders the PDF
  return job.pages * 1024;
}

async function worker(name) {
  let done = 0;
  for (let next = take(); next; next = take()) {
    const bytes = await render(next.job);
    results.set(next.id, { worker: name, bytes });
    done++;
  }
  return done;
}

async function main() {
  const perWorker = await Promise.all([worker('w1'), worker('w2'), worker('w3')]);
  const total = perWorker.reduce((a, b) => a + b, 0);
  console.log(`rendered ${total} jobs (${results.size} results), pending left ${pending.size}`);
}

main();
