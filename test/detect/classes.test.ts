// The two report classes, what stays silent by default, and strict=1.
import { describe, expect, it } from 'vitest';
import { detect, lineOf } from './run';

const io = "const io = () => require('node:fs').promises.readFile(__filename);\n";

/** The race whose current and previous accesses are at the two marked lines. */
function raceAt(run: ReturnType<typeof detect>, src: string, current: string, previous: string) {
  return run.races.find((r) => r.current.frames[0]!.line === lineOf(src, current) && r.previous.frames[0]!.line === lineOf(src, previous));
}

describe('atomicity violations', () => {
  it('reports check-then-act across an await (R W W), with the interleaved access', () => {
    const src = `${io}
const cache = new Map();
async function load(k) {
  if (!cache.has(k)) { // CHECK
    const v = await io();
    cache.set(k, v.length); // ACT
  }
}
Promise.all([load('a'), load('a')]).then(() => console.log(cache.size));
`;
    const run = detect('check-act.js', src);
    expect(run.status).toBe(66);
    const r = raceAt(run, src, '// ACT', '// CHECK');
    expect(r?.kind).toBe('atomicity-violation');
    expect(r?.interleaved?.op).toBe('write');
    expect(r?.current.task).toBe(r?.previous.task);
    expect(r?.interleaved?.task).not.toBe(r?.current.task);
  });

  it('reports a stale read (R W R): a delete between a check and a use', () => {
    const src = `${io}
const sessions = new Map([['s', { user: 'ada' }]]);
async function touch() {
  if (!sessions.has('s')) return; // CHECK
  await io();
  await io();
  return sessions.get('s'); // USE
}
async function logout() { await io(); sessions.delete('s'); }
Promise.all([touch(), logout()]).then(([s]) => console.log(s === undefined));
`;
    const run = detect('stale.js', src);
    expect(raceAt(run, src, '// USE', '// CHECK')?.kind).toBe('atomicity-violation');
  });

  it('reports a callback continuation: a check, then the set in the callback the same call passed', () => {
    const src = `
const fs = require('node:fs');
const templates = new Map();
function render(name, done) {
  if (templates.has(name)) return done(templates.get(name)); // CHECK
  fs.readFile(__filename, 'utf8', (err, text) => {
    templates.set(name, text.length); // ACT
    done(text.length);
  });
}
let n = 0;
render('t', () => n++);
render('t', () => n++);
`;
    const run = detect('callback.js', src);
    expect(raceAt(run, src, '// ACT', '// CHECK')?.kind).toBe('atomicity-violation');
  });

  it('stays silent on a coalescing in-flight entry (set, await, delete; others join it)', () => {
    const run = detect('inflight.js', `${io}
const inflight = new Map();
async function get(k) {
  const pending = inflight.get(k);
  if (pending) return pending;
  const p = io().then((b) => b.length);
  inflight.set(k, p);
  try { return await p; } finally { inflight.delete(k); }
}
setTimeout(() => get('q'), 1);
setImmediate(() => get('q'));
require('node:fs').readFile(__filename, () => get('q'));
`);
    expect(run.races).toEqual([]);
  });

  it('does not treat the start-up code of an async main as a span with the handlers it forks', () => {
    const run = detect('main-fork.js', `${io}
const stats = new Map();
async function handle() { await io(); stats.set('hits', stats.get('hits') + 1); }
async function main() {
  stats.set('hits', 0);
  await Promise.all([1, 2, 3].map(() => handle()));
  console.log(stats.get('hits'));
}
main();
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('3\n');
  });
});

describe('order races', () => {
  it('reports a read that assumes a value an unordered callback writes', () => {
    const src = `
const services = new Map();
require('node:fs').readFile(__filename, () => services.set('db', { ok: true })); // W
setTimeout(() => console.log(services.get('db')?.ok ?? 'not ready'), 30); // R
`;
    const run = detect('assume.js', src);
    // Which runs first depends on the disk and the machine's load: either order is the race.
    expect((raceAt(run, src, '// R', '// W') ?? raceAt(run, src, '// W', '// R'))?.kind).toBe('order-race');
  });

  it('stays silent on read-modify-write and get-or-create inside one event', () => {
    const run = detect('one-event.js', `${io}
const counts = new Map();
const memo = new Map();
function memoized(k) {
  let p = memo.get(k);
  if (!p) { p = io().then((b) => b.length); memo.set(k, p); }
  return p;
}
async function handle() {
  await io();
  counts.set('n', (counts.get('n') ?? 0) + 1);
  await memoized('x');
}
Promise.all([handle(), handle(), handle()]).then(() => console.log(counts.get('n')));
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('3\n');
  });

  it('stays silent on a get-or-create whose miss is read at two sites before the write (a cache class: get, then set)', () => {
    const run = detect('two-reads.js', `${io}
const m = new Map();
function get(k) { if (m.has(k)) return m.get(k); }
function set(k, v) { if (!m.has(k)) m.set(k, v); }
function getOrCreate(k) {
  let v = get(k);
  if (v === undefined) { v = { k }; set(k, v); }
  return v;
}
async function task() { await io(); return getOrCreate('a'); }
Promise.all([task(), task()]).then(([a, b]) => console.log(a === b));
`);
    expect(run.races).toEqual([]);
    expect(run.stdout).toBe('true\n');
  });

  it('strict=1 reports the single-event patterns the default mode stays silent on', () => {
    const src = `${io}
const counts = new Map();
async function handle() {
  await io();
  counts.set('n', (counts.get('n') ?? 0) + 1); // RMW
}
Promise.all([handle(), handle()]).then(() => console.log(counts.get('n')));
`;
    expect(detect('strict-off.js', src).races).toEqual([]);
    const run = detect('strict-on.js', src, 'strict=1');
    expect(run.status).toBe(66);
    expect(run.races.map((r) => r.kind)).toContain('data-race');
    expect(run.races.every((r) => r.current.frames[0]!.line === lineOf(src, '// RMW'))).toBe(true);
  });
});
