// Runs a rate limiter in a worker thread, off the thread that serves requests.
// Its race happens in the worker, not in the test's process: asyncrace watches
// worker threads and child processes as well.
import { parentPort, workerData } from 'node:worker_threads';
import { RateLimiter } from './rate-limiter.js';

const { client, hits, limit, fixed } = workerData;
const audit = () => new Promise((resolve) => setImmediate(resolve));
const limiter = new RateLimiter(limit, audit);

// All hits arrive at once, as concurrent requests would.
const answers = await Promise.all(
  Array.from({ length: hits }, () => (fixed ? limiter.hitCounted(client) : limiter.hit(client))),
);
parentPort.postMessage(answers);
