// Node's ordering guarantees as happens-before (docs/semantics.md): one pair per
// rule. In each, one callback writes a key blindly and another reads it and uses
// the value (an order race if nothing orders them). The ordered program gives no
// report; its twin, where Node guarantees nothing, gives one at the two lines.
import { describe, expect, it } from 'vitest';
import { detect, lineOf, linePairs } from './run';

const head = "const m = new Map();\nconst fs = require('node:fs');\n";

function expectOrdered(name: string, body: string, stdout: string | RegExp): void {
  const run = detect(name, head + body);
  expect(run.races, run.stderr).toEqual([]);
  expect(run.status).toBe(0);
  if (typeof stdout === 'string') expect(run.stdout).toBe(stdout);
  else expect(run.stdout).toMatch(stdout);
}

function expectRace(name: string, body: string): void {
  const src = head + body;
  const run = detect(name, src);
  expect(run.status).toBe(66);
  const lines = [lineOf(src, '// R'), lineOf(src, '// W')].sort();
  const i = linePairs(run).findIndex((pair) => [...pair].sort().join() === lines.join());
  expect(i, JSON.stringify(linePairs(run))).toBeGreaterThanOrEqual(0);
  expect(run.races[i]!.kind).toBe('order-race');
}

describe('queue-order edges', () => {
  it('nextTick FIFO orders ticks queued in order', () => {
    expectOrdered('tick-fifo.js', `
process.nextTick(() => m.set('k', 'v'));
process.nextTick(() => console.log(m.get('k')));
`, 'v\n');
  });
  it('does not order ticks queued by independent I/O callbacks', () => {
    expectRace('tick-io.js', `
fs.readFile(__filename, () => process.nextTick(() => m.set('k', 'v'))); // W
fs.readFile(__filename, () => process.nextTick(() => console.log(m.get('k')))); // R
`);
  });

  it('runs ticks and reactions queued in an event before its timers and immediates', () => {
    expectOrdered('micro-before-macro.js', `
Promise.resolve().then(() => m.set('k', 'v'));
setImmediate(() => console.log(m.get('k')));
setTimeout(() => console.log(m.get('k')), 0);
`, 'v\nv\n');
  });
  it('runs ticks and reactions queued in an event before the I/O callbacks it started', () => {
    expectOrdered('micro-before-io.js', `
fs.readFile(__filename, () => console.log(m.get('k')));
Promise.resolve().then(() => m.set('k', 'v'));
process.nextTick(() => m.set('j', 'w'));
fs.stat(__filename, () => console.log(m.get('j')));
`, /^(w\nv|v\nw)\n$/); // Which I/O callback runs first is the disk's and Node's affair (26 often reads before it stats).
  });
  it('orders ticks queued by two events of one drain in the order those ran', () => {
    expectOrdered('tick-fifo-drain.js', `
Promise.resolve().then(() => process.nextTick(() => m.set('k', 'v')));
Promise.resolve().then(() => process.nextTick(() => console.log(m.get('k'))));
`, 'v\n');
  });
  it('does not order a reaction queued in another event before an immediate', () => {
    expectRace('micro-elsewhere.js', `
fs.readFile(__filename, () => Promise.resolve().then(() => m.set('k', 'v'))); // W
setTimeout(() => setImmediate(() => console.log(m.get('k'))), 20); // R
`);
  });

  it('keeps immediates of one event in order', () => {
    expectOrdered('immediate-fifo.js', `
setImmediate(() => m.set('k', 'v'));
setImmediate(() => console.log(m.get('k')));
`, 'v\n');
  });
  it('does not order immediates queued by independent I/O callbacks', () => {
    expectRace('immediate-io.js', `
fs.readFile(__filename, () => setImmediate(() => m.set('k', 'v'))); // W
fs.stat(__filename, () => setTimeout(() => setImmediate(() => console.log(m.get('k'))), 20)); // R
`);
  });

  it('keeps timers of one event in order when the earlier delay is not longer', () => {
    expectOrdered('timers-fifo.js', `
setTimeout(() => m.set('k', 'v'), 1);
setTimeout(() => console.log(m.get('k')), 5);
`, 'v\n');
  });
  it('does not order timers registered in different events', () => {
    expectRace('timers-ticks.js', `
setTimeout(() => m.set('k', 'v'), 1); // W
fs.readFile(__filename, () => setTimeout(() => console.log(m.get('k')), 30)); // R
`);
  });

  it('orders successive runs of one interval', () => {
    expectOrdered('interval.js', `
let runs = 0;
const h = setInterval(() => {
  if (runs++ === 0) m.set('k', 'v');
  else { console.log(m.get('k')); clearInterval(h); }
}, 1);
`, 'v\n');
  });
  it('does not order runs of two intervals', () => {
    expectRace('intervals.js', `
const a = setInterval(() => { m.set('k', 'v'); clearInterval(a); }, 1); // W
fs.readFile(__filename, () => { const b = setInterval(() => { console.log(m.get('k')); clearInterval(b); }, 20); }); // R
`);
  });

  it('runs the reactions of one promise in the order they were registered', () => {
    expectOrdered('then-order.js', `
const p = new Promise((r) => fs.readFile(__filename, r));
p.then(() => m.set('k', 'v'));
p.then(() => console.log(m.get('k')));
`, 'v\n');
  });
  it('does not order reactions of two promises settled by independent I/O', () => {
    expectRace('then-two.js', `
const p = new Promise((r) => fs.readFile(__filename, r));
const q = new Promise((r) => fs.stat(__filename, r));
p.then(() => m.set('k', 'v')); // W
q.then(() => setTimeout(() => console.log(m.get('k')), 20)); // R
`);
  });

  it('orders listeners of a synchronous emit within the emitting event', () => {
    expectOrdered('emit.js', `
const { EventEmitter } = require('node:events');
const e = new EventEmitter();
e.on('ready', () => m.set('k', 'v'));
fs.readFile(__filename, () => { e.emit('ready'); console.log(m.get('k')); });
`, 'v\n');
  });

  it('does not order setTimeout(f, 0) against setImmediate(g) from the main module', () => {
    expectRace('timeout-immediate.js', `
setTimeout(() => m.set('k', 'v'), 0); // W
setImmediate(() => console.log(m.get('k') ?? 'none')); // R
`);
  });

  it('does not order the branches of Promise.race', () => {
    expectRace('race-branches.js', `
const fast = new Promise((r) => fs.stat(__filename, r));
// slow starts its I/O only once fast settled, so it loses the race on every Node and disk.
const slow = fast.then(() => new Promise((r) => fs.readFile(__filename, r))).then(() => m.set('k', 'v')); // W
Promise.race([slow, fast]).then(() => setTimeout(() => console.log(m.get('k')), 20)); // R
`);
  });
});
