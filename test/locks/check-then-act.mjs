// Check-then-act on a Map key by two tasks under a lock from p-limit, p-queue
// or async-mutex (ES modules). Usage: node check-then-act.mjs STYLE contended|uncontended
// STYLE 'none' runs the same tasks without a lock.
import fs from 'node:fs';
import { Mutex } from 'async-mutex';
import pLimit, { limitFunction } from 'p-limit';
import PQueue from 'p-queue';

const [style, timing] = process.argv.slice(2);
const limit = pLimit(1);
const queue = new PQueue({ concurrency: 1 });
const mutex = new Mutex();

const styles = {
  none: (fn) => fn(),
  'p-limit': (fn) => limit(fn),
  'p-limit-function': (() => {
    const limited = limitFunction((fn) => fn(), { concurrency: 1 });
    return (fn) => limited(fn);
  })(),
  'p-limit-map': (fn) => limit.map([fn], (f) => f()).then((r) => r[0]),
  'p-queue': (fn) => queue.add(fn),
  'p-queue-addAll': (fn) => queue.addAll([fn]).then((r) => r[0]),
  'mutex-esm': (fn) => mutex.runExclusive(fn),
};

const guard = styles[style];
if (!guard) throw new Error(`unknown style ${style}`);

const m = new Map();
const io = () => fs.promises.readFile(new URL(import.meta.url));

async function task(v) {
  if (!m.has('k')) {
    await io();
    m.set('k', v);
  }
}

const run = (v) => guard(() => task(v));

if (timing === 'contended') {
  run(1);
  run(2);
} else {
  // The second task starts once the first has finished, from a timer chain
  // that nothing orders after the first task: only the lock orders them.
  let firstDone = false;
  run(1).then(() => {
    firstDone = true;
  });
  const later = () => {
    if (!firstDone) {
      setTimeout(later, 5);
      return;
    }
    run(2);
  };
  setTimeout(later, 5);
}
