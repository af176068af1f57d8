// Happens-before through Node's own hooks and the real CLI, for what only a real process shows: servers
// and their connections, Promise.all over real promises, exit listeners, the exported acquire/release,
// and late hooks of calls whose arguments await. The rules themselves, and what conflicts, are tested
// in-process against simulated events (test/runtime/happens-before.test.ts, classes.test.ts).
import { describe, expect, it } from 'vitest';
import { detect, lineOf, linePairs } from './run';

const sleep = "const sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n";
// Independent I/O completions: nothing in Node orders one against another.
const io = "const io = () => require('node:fs').promises.readFile(__filename);\n";

describe('happens-before', () => {
  it('orders a request on a new connection after what happened before its server listened', () => {
    const run = detect('listen-then-serve.js', `
const http = require('node:http');
const m = new Map();
setTimeout(() => {
  m.set('mode', 'ready');
  const server = http.createServer((req, res) => res.end(String(m.get('mode'))));
  server.listen(0, '127.0.0.1', () => {
    http.get({ host: '127.0.0.1', port: server.address().port, agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => console.log(d));
      res.on('end', () => server.close());
    });
  });
}, 1);
`);
    expect(run.races, run.stderr).toEqual([]);
    expect(run.stdout).toBe('ready\n');
  });

  it('does not order a request after a write the server side never waited for', () => {
    // The write runs before the client even connects, but the connection comes from outside the process:
    // Node accepts it outside any callback, after the server listened and after nothing else.
    const src = `
const http = require('node:http');
const m = new Map();
const server = http.createServer((req, res) => res.end(String(m.get('mode')))); // R
server.listen(0, '127.0.0.1', () => {
  setTimeout(() => m.set('mode', 'late'), 1); // W
  setTimeout(() => {
    http.get({ host: '127.0.0.1', port: server.address().port, agent: false }, (res) => {
      res.resume();
      res.on('end', () => server.close());
    });
  }, 50);
});
`;
    const run = detect('request-vs-timer.js', src);
    expect(run.status).toBe(66);
    expect(linePairs(run)).toEqual([[lineOf(src, '// R'), lineOf(src, '// W')]]);
    expect(run.races[0]!.kind).toBe('order-race');
  });

  it('orders the result of Promise.all after every input (join)', () => {
    const run = detect('join.js', `${sleep}
const m = new Map();
async function load(k, ms) { await sleep(ms); m.set(k, ms); }
Promise.all([load('a', 3), load('b', 1)]).then(() => {
  console.log(m.get('a'), m.get('b'), [...m.keys()].sort().join());
});
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('3 1 a,b\n');
  });

  it("orders 'beforeExit' and 'exit' listeners after every event", () => {
    const run = detect('exit.js', `${io}
const m = new Map();
let rounds = 0;
process.on('beforeExit', () => {
  console.log('beforeExit', m.get('phase'));
  if (++rounds === 1) setImmediate(() => m.set('phase', 'again'));
});
process.on('exit', () => console.log('exit', m.get('phase')));
io().then(() => m.set('phase', 'loaded'));
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('beforeExit loaded\nbeforeExit again\nexit again\n');
  });

  it('orders a release before the next acquire (exported acquire/release)', () => {
    const src = `${sleep}
const { acquire, release } = require(${JSON.stringify(require.resolve('../../dist/index.js'))});
const m = new Map();
const lock = {};
async function step(v, ms) {
  await sleep(ms);
  acquire(lock);
  m.set('k', v);
  release(lock);
}
Promise.all([step(1, 1), step(2, 5)]).then(() => console.log(m.get('k')));
`;
    const run = detect('acquire.js', src);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('2\n');
  });
});

describe('what conflicts', () => {
  it("records a weak collection's set in the event of the call when its arguments await, and through a spread of an array or of arguments", () => {
    const racy = `${io}
const wm = new WeakMap();
const key = {};
class Tags extends WeakSet { add(...xs) { return super.add(...xs); } } // ADD
class Seen extends WeakMap { set() { return super.set(...arguments); } } // SEEN
const seen = new Seen();
const tags = new Tags();
async function put(v) { wm.set(key, await io().then(() => v)); tags.add(key); seen.set(key, v); } // PUT
Promise.all([put(1), put(2)]).then(() => console.log(wm.get(key) > 0, tags.has(key)));
`;
    const run = detect('weak-late.js', racy);
    expect(run.status).toBe(66);
    expect(linePairs(run).sort((x, y) => x[0]! - y[0]!)).toEqual([
      [lineOf(racy, '// ADD'), lineOf(racy, '// ADD')],
      [lineOf(racy, '// SEEN'), lineOf(racy, '// SEEN')],
      [lineOf(racy, '// PUT'), lineOf(racy, '// PUT')],
    ]);
    // The set happens after the await that the other task's release ordered: no race, as without the await in its argument.
    const ordered = `${io}
const wm = new WeakMap();
const key = {};
let release;
const gate = new Promise((r) => (release = r));
async function a() { wm.set(key, await gate); }
async function b() { await io(); wm.set(key, 0); release(1); }
Promise.all([a(), b()]).then(() => console.log(wm.get(key)));
`;
    const clean = detect('weak-late-ordered.js', ordered);
    expect(clean.races).toEqual([]);
    expect(clean.stdout).toBe('1\n');
  });

  it('reads the key set when forEach runs, also when its argument awaited', () => {
    const run = detect('foreach-await.js', `${io}
const m = new Map();
async function writer() { await io(); m.set(1, 1); return (v, k) => console.log('visit', k); }
async function reader(w) { await io(); m.forEach(await w); }
const w = writer();
reader(w);
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('visit 1\n');
  });

});
