import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';

// Runs src/worker.js in a worker thread and resolves with the answers it posts.
function runLimiter(workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../src/worker.js', import.meta.url), { workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('worker exited without answering')));
  });
}

test('hit: requests under the limit are allowed', async () => {
  // Under the limit either way, so the lost counts do not change the answers.
  const answers = await runLimiter({ client: 'c1', hits: 2, limit: 10, fixed: false });
  assert.deepEqual(answers, [true, true]);
});

test('hitCounted: the request over the limit is refused', async () => {
  const answers = await runLimiter({ client: 'c1', hits: 3, limit: 2, fixed: true });
  assert.deepEqual(answers, [true, true, false]);
});
