// expect: none
// why: jobs are appended to one promise chain, so each job's read -> await -> write of the quota runs
// why: only after the previous job finished; the results Map gets a distinct key per job.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const quota = new Map([['tenant-a', 5]]);
const results = new Map();

class SerialQueue {
  constructor() {
    this.tail = Promise.resolve();
  }

  push(job) {
    const run = this.tail.then(job);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

const queue = new SerialQueue();

function enqueueExport(id, tenant, cost) {
  return queue.push(async () => {
    const left = quota.get(tenant);
    if (left < cost) {
      results.set(id, 'over quota');
      return;
    }
    await sleep(5); // render the export
    quota.set(tenant, left - cost);
    results.set(id, `done (cost ${cost})`);
  });
}

async function main() {
  await Promise.all([
    enqueueExport('e1', 'tenant-a', 2),
    enqueueExport('e2', 'tenant-a', 2),
    enqueueExport('e3', 'tenant-a', 2),
  ]);
  console.log([...results].map(([id, r]) => `${id}: ${r}`).join('; '), `| quota left ${quota.get('tenant-a')}`);
}

main();
