// Happens-before from Node's own hooks: creation, resolution and joins order
// accesses; conflicting accesses that nothing orders are reported. One program
// per rule, each with its unordered twin.
import { describe, expect, it } from 'vitest';
import { detect, lineOf, linePairs, unorderedPairs } from './run';

const sleep = "const sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n";
// Independent I/O completions: nothing in Node orders one against another.
const io = "const io = () => require('node:fs').promises.readFile(__filename);\n";

describe('happens-before', () => {
  it('orders sequential awaits in one task (no report)', () => {
    const run = detect('seq.js', `${sleep}
const m = new Map();
async function main() {
  m.set('k', 1);
  await sleep(2);
  m.set('k', m.get('k') + 1);
  await sleep(2);
  console.log(m.get('k'));
}
main();
`);
    expect(run.races).toEqual([]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('2\n');
  });

  it('reports two unordered writes of one key from concurrent tasks', () => {
    const src = `${io}
const m = new Map();
async function put(v) {
  await io();
  m.set('k', v); // W
}
Promise.all([put(1), put(2)]).then(() => console.log(m.has('k')));
`;
    const run = detect('ww.js', src);
    expect(run.status).toBe(66);
    expect(linePairs(run)).toEqual([[lineOf(src, '// W'), lineOf(src, '// W')]]);
    expect(run.races[0]!.current.op).toBe('write');
    expect(run.races[0]!.previous.op).toBe('write');
    expect(run.stdout).toBe('true\n');
  });

  it('orders a callback after the event that registered it (creation)', () => {
    const run = detect('creation.js', `
const m = new Map();
m.set('k', 1);
setTimeout(() => { m.set('k', 2); setImmediate(() => console.log(m.get('k'))); }, 1);
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('2\n');
  });

  it('orders a reaction after the event that resolved its promise (resolution)', () => {
    const run = detect('resolution.js', `
const m = new Map();
let resolve;
const ready = new Promise((r) => { resolve = r; });
ready.then(() => console.log(m.get('config')));
setTimeout(() => { m.set('config', 'loaded'); resolve(); }, 2);
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('loaded\n');
  });

  it('reports a read that nothing orders after a write in another callback', () => {
    const src = `
const m = new Map();
require('node:fs').readFile(__filename, () => { m.set('config', 'loaded'); }); // W
setTimeout(() => { console.log(m.get('config')); }, 50); // R
`;
    const run = detect('unordered.js', src);
    expect(run.status).toBe(66);
    // Which callback runs first depends on the disk and the machine's load: either order is the race.
    expect(unorderedPairs(run)).toEqual([[lineOf(src, '// W'), lineOf(src, '// R')]]);
  });

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

  it('reports a reader that waits for only one of two writers', () => {
    const src = `${io}
const m = new Map();
async function load(k, v) { await io(); m.set(k, v); } // W
const first = load('a', 1);
load('a', 2);
first.then(() => console.log(m.has('a'))); // R
`;
    const run = detect('half-join.js', src);
    expect(run.status).toBe(66);
    // Which file read completes first is up to the OS: when the unawaited writer
    // writes last, the reader races with it; when it writes first, the awaited
    // writer overwrites it and the two writes race. A race is reported either way.
    const w = lineOf(src, '// W');
    const pairs = linePairs(run);
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) expect([[w, lineOf(src, '// R')], [w, w]]).toContainEqual(pair);
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
  it('does not report different keys, or the same key on different collections', () => {
    const run = detect('disjoint.js', `${sleep}
const a = new Map();
const b = new Map();
async function put(m, k, ms) { await sleep(ms); m.set(k, ms); }
Promise.all([put(a, 'x', 1), put(a, 'y', 3), put(b, 'x', 2)]).then(() => console.log(a.size + b.size));
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('3\n');
  });

  it('reports iteration against an insert that nothing orders', () => {
    const src = `${io}
const m = new Map([['a', 1]]);
async function add() { await io(); m.set('b', 2); } // INSERT
async function sum() { await io(); await io(); let s = 0; for (const [, v] of m) s += v; return s; } // ITER
Promise.all([add(), sum()]).then(([, s]) => console.log(s));
`;
    const run = detect('iter.js', src);
    expect(run.status).toBe(66);
    expect(linePairs(run)).toEqual([[lineOf(src, '// ITER'), lineOf(src, '// INSERT')]]);
    expect(run.races[0]!.object.key).toBe('(keys)');
  });

  it('reports size against a delete that nothing orders', () => {
    const src = `
const s = new Set(['a', 'b']);
require('node:fs').readFile(__filename, () => s.delete('a')); // DEL
setTimeout(() => console.log(s.size), 50); // SIZE
`;
    const run = detect('size.js', src);
    // Which callback runs first depends on the disk and the machine's load: either order is the race.
    expect(unorderedPairs(run)).toEqual([[lineOf(src, '// DEL'), lineOf(src, '// SIZE')]]);
    expect(run.races[0]!.object.type).toBe('Set');
  });

  it('tracks WeakMap and WeakSet keys', () => {
    const src = `${io}
const wm = new WeakMap();
const ws = new WeakSet();
const key = {};
async function mark(v) { await io(); wm.set(key, v); ws.add(key); } // MARK
Promise.all([mark(1), mark(4)]).then(() => console.log(typeof wm.get(key), ws.has(key)));
`;
    const run = detect('weak.js', src);
    expect(run.status).toBe(66);
    expect(run.races.map((r) => r.object.type).sort()).toEqual(['WeakMap', 'WeakSet']);
    expect(run.stdout).toBe('number true\n');
  });

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

  it('reports one race per pair of access sites, however often it happens', () => {
    const run = detect('dedupe.js', `${io}
const m = new Map();
async function put(k) { await io(); m.set(k, 1); }
const all = [];
for (let i = 0; i < 20; i++) all.push(put('k' + (i % 5)));
Promise.all(all).then(() => console.log(m.size));
`);
    expect(run.races).toHaveLength(1);
    expect(run.stdout).toBe('5\n');
  });
});
