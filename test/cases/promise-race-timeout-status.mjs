// expect: race
// why: the export and the timeout race through Promise.race and both write jobStatus for the same job;
// why: the loser's write still lands, so the status a client polls depends on which branch finishes last.
import { setTimeout as sleep } from 'node:timers/promises';

const jobStatus = new Map();

async function runExport(jobId) {
  await sleep(30); // render the CSV
  jobStatus.set(jobId, 'done'); // RACE
  return 'done';
}

async function deadline(jobId, ms) {
  await sleep(ms);
  jobStatus.set(jobId, 'timed-out'); // RACE
  return 'timed-out';
}

const exportJob = runExport('exp-9');
const answer = await Promise.race([exportJob, deadline('exp-9', 10)]);
console.log(`told the client: ${answer}`);
await exportJob; // drain before shutdown
console.log(`status a poller sees now: ${jobStatus.get('exp-9')}`);
