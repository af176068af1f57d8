'use strict';
/**
 * http-service: an HTTP server on 127.0.0.1 (an ephemeral port) whose handler
 * reads through a promise cache (a Map of key -> Promise, get-or-create in one
 * synchronous step: the race-free pattern asyncrace's hint recommends), keeps
 * per-key hit counts and evicts the oldest entry when the cache is full. A
 * client in the same process sends the requests over keep-alive connections
 * (node:http Agent, keepAlive), 20 at a time. The measured time covers all
 * requests; requests/s is reported too.
 *
 * Why: this is the program asyncrace is meant to run on in tests: a service
 * where most time goes to Node's HTTP stack, sockets and the event loop (not
 * instrumented: asyncrace rewrites application files only) and a little to
 * application code that touches Maps across many concurrent requests, each a
 * task of its own. Target: <= 1.3x.
 *
 * Client and server share the process (and core) so the number is not at the
 * mercy of how the OS schedules two processes on a busy machine; the client
 * loop is a few lines and does no Map access.
 */
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { size, report } = require('./_harness.cjs');

function probe(m, k) { return m.get(k); }

const REQUESTS = size(8000, 200);
const CONCURRENCY = 20;
const KEYS = 2000;       // distinct URLs
const CACHE_MAX = 1000;  // entries before the oldest is evicted

// --- the service -----------------------------------------------------------

const cache = new Map();   // key -> Promise<object>
const hits = new Map();    // key -> number of requests

async function loadItem(key) {
  // Stands in for a database or upstream call: a few async steps.
  await null;
  const item = { key, name: `item ${key}`, tags: [key % 7, key % 11, key % 13] };
  await Promise.resolve();
  return item;
}

function getItem(key) {
  let p = cache.get(key);
  if (p === undefined) {
    p = loadItem(key);
    cache.set(key, p);
    if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value);
  }
  return p;
}

async function handle(req, res) {
  const key = Number(req.url.slice('/item/'.length));
  const count = (hits.get(key) ?? 0) + 1; // read and write in one step
  hits.set(key, count);
  const item = await getItem(key);
  const body = JSON.stringify({ ...item, hits: count });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    res.statusCode = 500;
    res.end(String(err));
  });
});
// A slow (instrumented) run must not see the server close a keep-alive
// connection the client is about to reuse (ECONNRESET): idle sockets stay open.
server.keepAliveTimeout = 60000;

// --- the client ------------------------------------------------------------

function get(agent, port, path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`));
        else resolve(Buffer.concat(chunks).length);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function main() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  let next = 0;
  let bytes = 0;
  async function worker() {
    while (next < REQUESTS) {
      const i = next++;
      // A skewed key mix: most requests hit a hot set, the rest miss and evict.
      const key = i % 4 === 0 ? (i * 7919) % KEYS : (i * 31) % 100;
      const n = await get(agent, port, `/item/${key}`);
      bytes += n; // not \`bytes += await ...\`: that would lose updates across workers
    }
  }

  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - t0;

  agent.destroy();
  server.close();
  report({ ms, requests: REQUESTS, reqPerSec: (REQUESTS / ms) * 1000, bytes }, probe);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
