/**
 * What the detector keeps follows the tasks alive at once, not every task or
 * promise ever made: a long run of short tasks, and tasks awaiting async
 * calls (V8 reports promises that never run as their reactions), keep the
 * number of clock chains and the heap flat.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const register = path.join(root, 'dist/register/register.js');
const chains = path.join(root, 'dist/runtime/chains.js');
const built = fs.existsSync(register);
if (!built) throw new Error('dist/ is missing: run npm run build first (npm test does)');

// Runs `rounds` rounds of `work`, sampling halfway (by then every key of the
// Map is in use and its history full) and after the last round the number of
// chains (the entries of any clock at most) and the heap after a full GC.
const PROGRAM = (work: string, rounds: number): string => `
const { chainCount } = require(${JSON.stringify(chains)});
const cache = new Map();
${work}
function sample() {
  global.gc();
  global.gc();
  return { chains: chainCount(), heap: process.memoryUsage().heapUsed };
}
(async () => {
  const samples = [];
  for (let r = 0; r < ${rounds}; r++) {
    await round(r);
    if (r === ${Math.floor(rounds / 2)} || r === ${rounds} - 1) samples.push(sample());
  }
  console.log(JSON.stringify(samples));
  if (typeof finish === 'function') finish();
})();
`;

// 100 short tasks a round, joined by Promise.all, each awaiting twice and touching the Map.
const SHORT_TASKS = `
async function step(x) { await null; return x + 1; }
async function short(i) {
  const x = await step(i);
  cache.set(i % 500, x);
  return Promise.resolve(x);
}
async function round(r) {
  const tasks = [];
  for (let i = 0; i < 100; i++) tasks.push(short(r * 100 + i));
  await Promise.all(tasks);
}
`;

// 10 long-lived tasks, each awaiting a plain value, a resolved promise and an async call in a loop.
const AWAITING = `
async function helper(x) { await null; return x + 1; }
const tasks = Array.from({ length: 10 }, (_, id) => ({ id, x: 0 }));
async function run(t) {
  for (let i = 0; i < 100; i++) {
    t.x = await t.x;
    t.x = await Promise.resolve(t.x);
    t.x = await helper(t.x);
  }
  cache.set(t.id, t.x);
}
async function round() {
  await Promise.all(tasks.map(run));
}
`;

// Sessions that come and go: 100 a round, each its own key, set, read after an await, deleted.
const SESSIONS = `
let next = 0;
async function session() {
  const id = next++;
  cache.set(id, { id });
  await null;
  cache.get(id);
  cache.delete(id);
}
async function round() {
  const tasks = [];
  for (let i = 0; i < 100; i++) tasks.push(session());
  await Promise.all(tasks);
}
`;

// A server on 127.0.0.1 and a client in the process: 100 requests a round over 20 keep-alive sockets,
// each request a task of its own that counts hits and reads through a promise cache. Nothing joins
// the requests, and Node accepts connections outside any callback.
const SERVER = `
const http = require('node:http');
const hits = new Map();
async function load(key) { await null; return { key }; }
const server = http.createServer(async (req, res) => {
  const key = Number(req.url.slice(1)) % 200;
  hits.set(key, (hits.get(key) ?? 0) + 1);
  let p = cache.get(key);
  if (!p) { p = load(key); cache.set(key, p); }
  res.end(JSON.stringify(await p));
});
const listening = new Promise((r) => server.listen(0, '127.0.0.1', r));
const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
function get(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.address().port, path, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}
async function round(r) {
  await listening;
  const all = [];
  for (let i = 0; i < 100; i++) all.push(get('/' + (r * 100 + i)));
  await Promise.all(all);
}
function finish() { agent.destroy(); server.close(); }
`;

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-bounded-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function samples(name: string, source: string): Array<{ chains: number; heap: number }> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  const env: NodeJS.ProcessEnv = { ...process.env, ASYNCRACE_OPTIONS: 'cache_dir=0' };
  for (const k of ['NODE_OPTIONS', 'ASYNCRACE_REPORT_DIR']) delete env[k];
  const r = spawnSync(process.execPath, ['--expose-gc', '--require', register, file], { env, encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Array<{ chains: number; heap: number }>;
}

const MB = 1024 * 1024;

describe('bounded state', () => {
  it('a long run of short tasks: chains follow the tasks alive at once, the heap stays flat', () => {
    const [first, last] = samples('short-tasks.cjs', PROGRAM(SHORT_TASKS, 200));
    // 20,000 tasks in all, 100 at a time.
    expect(last!.chains).toBeLessThan(300);
    expect(last!.chains - first!.chains).toBeLessThan(50);
    expect(last!.heap - first!.heap).toBeLessThan(2 * MB);
  });

  it('a Map whose keys come and go keeps state for the recent keys, not for every key it had', () => {
    const [first, last] = samples('sessions.cjs', PROGRAM(SESSIONS, 400));
    // 40,000 keys in all; kept, the state of each took about 4 KB.
    expect(last!.heap - first!.heap).toBeLessThan(2 * MB);
  });

  it('a server keeps chains and heap flat over many requests', () => {
    const { QUARANTINE } = require(chains) as { QUARANTINE: number };
    const [first, last] = samples('server.cjs', PROGRAM(SERVER, 200));
    // 20,000 requests. Before, each request started about 15 chains, every later clock listed them, and
    // the heap grew by kilobytes a request; chains whose events accessed a Map are now taken up again
    // after QUARANTINE others in each order.
    expect(last!.chains).toBeLessThan(2 * QUARANTINE + 1000);
    // Before each resource's callbacks let go of the event that made it, they held every event back to
    // the start: about 50 bytes a request, 0.5 MB over the second half.
    expect(last!.heap - first!.heap).toBeLessThan(0.375 * MB);
  });

  it('tasks awaiting async calls in a loop keep nothing of the awaits that are over', () => {
    const [first, last] = samples('awaiting.cjs', PROGRAM(AWAITING, 30));
    // 90,000 awaits in all: before, each kept about a kilobyte.
    expect(last!.chains).toBeLessThan(100);
    expect(last!.heap - first!.heap).toBeLessThan(2 * MB);
  });
});
