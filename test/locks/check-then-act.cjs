// Check-then-act on a Map key by two tasks under a lock from async-mutex or
// async-lock (CommonJS). Usage: node check-then-act.cjs STYLE contended|uncontended
// STYLE 'none' runs the same tasks without a lock; 'hand' under a hand-made
// lock annotated with asyncrace's acquire / release, 'hand-bare' without them.
const fs = require('node:fs');
const { Mutex, Semaphore } = require('async-mutex');
const AsyncLock = require('async-lock');
const asyncrace = require('asyncrace');

const [style, timing] = process.argv.slice(2);
const mutex = new Mutex();
const semaphore = new Semaphore(1);
const lock = new AsyncLock();

// A lock whose uncontended path only flips a field.
class HandLock {
  constructor() {
    this.locked = false;
    this.waiters = [];
  }
  async take() {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise((resolve) => this.waiters.push(resolve));
  }
  give() {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}
const hand = new HandLock();
const withHandLock = async (fn, annotate) => {
  await hand.take();
  if (annotate) asyncrace.acquire(hand);
  try {
    return await fn();
  } finally {
    if (annotate) asyncrace.release(hand);
    hand.give();
  }
};

const styles = {
  none: (fn) => fn(),
  'mutex-runExclusive': (fn) => mutex.runExclusive(fn),
  'mutex-releaser': async (fn) => {
    const releaser = await mutex.acquire();
    try {
      return await fn();
    } finally {
      releaser();
    }
  },
  'mutex-release': async (fn) => {
    await mutex.acquire();
    try {
      return await fn();
    } finally {
      mutex.release();
    }
  },
  'semaphore-runExclusive': (fn) => semaphore.runExclusive(fn),
  'semaphore-acquire': async (fn) => {
    const [, releaser] = await semaphore.acquire();
    try {
      return await fn();
    } finally {
      releaser();
    }
  },
  'semaphore-release': async (fn) => {
    await semaphore.acquire();
    try {
      return await fn();
    } finally {
      semaphore.release();
    }
  },
  'async-lock': (fn) => lock.acquire('k', fn),
  'async-lock-callback': (fn) =>
    new Promise((resolve, reject) => {
      lock.acquire(
        'k',
        (done) => {
          fn().then((v) => done(null, v), done);
        },
        (err, v) => (err ? reject(err) : resolve(v)),
      );
    }),
  'async-lock-batch': (fn) => lock.acquire(['j', 'k'], fn),
  hand: (fn) => withHandLock(fn, true),
  'hand-bare': (fn) => withHandLock(fn, false),
  // require(esm): Node >= 22.12.
  'p-limit-require': (() => {
    let limit;
    return (fn) => (limit ??= require('p-limit').default(1))(fn);
  })(),
};

const guard = styles[style];
if (!guard) throw new Error(`unknown style ${style}`);

const m = new Map();
const io = () => fs.promises.readFile(__filename);

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
