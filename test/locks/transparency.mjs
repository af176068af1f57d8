// Prints what the lock libraries return, throw and pass, and when (against a
// microtask ticker): the output must be the same with and without asyncrace.
import { createRequire } from 'node:module';
import { Mutex as EsmMutex, Semaphore as EsmSemaphore } from 'async-mutex';
import pLimit, { limitFunction } from 'p-limit';
import PQueue from 'p-queue';

const require = createRequire(import.meta.url);
const { Mutex, Semaphore, withTimeout, tryAcquire } = require('async-mutex');
const AsyncLock = require('async-lock');

const out = [];
const log = (...a) => out.push(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x) ?? String(x))).join(' '));

// Logs t0, t1, ... one per microtask, to show where each step falls.
function ticker(label, n) {
  let i = 0;
  const step = () => {
    log(`${label}${i}`);
    if (++i < n) Promise.resolve().then(step);
  };
  Promise.resolve().then(step);
}

const errorText = (e) => (e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e));

async function scenario(name, body) {
  log(`== ${name}`);
  ticker('t', 14);
  try {
    log('result', await body());
  } catch (e) {
    log('error', errorText(e));
  }
  await new Promise((r) => setTimeout(r, 5));
}

function holder(name, value, fail) {
  return async function (...args) {
    log(name, 'start', typeof this, args.length);
    await null;
    log(name, 'end');
    if (fail) throw new Error(`${name} failed`);
    return value;
  };
}

await scenario('p-limit', async () => {
  log('pLimit', pLimit.name, pLimit.length);
  const limit = pLimit(1);
  log('limit', limit.name, limit.length, Object.keys(limit), Object.getOwnPropertyNames(limit).sort());
  const a = limit(holder('a', 1), 'x', 'y');
  const b = limit(holder('b', 2, true));
  const c = limit(() => 3);
  log('counts', limit.activeCount, limit.pendingCount, limit.concurrency);
  const r = await Promise.allSettled([a, b, c]);
  log('settled', r.map((x) => x.status + ':' + (x.value ?? x.reason.message)));
  log('map', await limit.map([1, 2, 3], async (v, i) => v * 10 + i));
  const f = limitFunction(async (v) => v + 1, { concurrency: 1 });
  log('limitFunction', await f(41), typeof f.clearQueue);
  try {
    await limit(42);
  } catch (e) {
    log('not a function', errorText(e));
  }
  limit.concurrency = 2;
  log('concurrency', limit.concurrency);
  return 'done';
});

await scenario('p-queue', async () => {
  const q = new PQueue({ concurrency: 1 });
  q.on('completed', (v) => log('completed', v));
  q.on('error', (e) => log('error event', errorText(e)));
  log('add', PQueue.prototype.add.name, PQueue.prototype.add.length, Object.keys(PQueue.prototype));
  const a = q.add(holder('a', 1));
  const b = q.add(holder('b', 2, true));
  const c = q.addAll([holder('c', 3), () => 4]);
  log('sizes', q.size, q.pending);
  const r = await Promise.allSettled([a, b, c]);
  log('settled', r.map((x) => x.status + ':' + JSON.stringify(x.value ?? x.reason.message)));
  await q.onIdle();
  return 'idle';
});

for (const [label, M, S] of [
  ['cjs', Mutex, Semaphore],
  ['esm', EsmMutex, EsmSemaphore],
]) {
  await scenario(`async-mutex ${label}`, async () => {
    log('proto', Object.keys(S.prototype).sort(), S.prototype.acquire.length, S.prototype.release.length);
    const m = new M();
    const a = m.runExclusive(holder('a', 1));
    const b = m.runExclusive(holder('b', 2, true));
    log('locked', m.isLocked());
    const r = await Promise.allSettled([a, b]);
    log('settled', r.map((x) => x.status + ':' + (x.value ?? x.reason.message)));
    const release = await m.acquire();
    log('acquired', typeof release, m.isLocked());
    release();
    release();
    log('released', m.isLocked());
    const s = new S(2);
    const [v1, r1] = await s.acquire();
    const [v2, r2] = await s.acquire(1, 5);
    log('semaphore', v1, v2, s.getValue(), s.isLocked());
    r1();
    s.release();
    log('semaphore', s.getValue());
    r2();
    log('semaphore again', s.getValue());
    try {
      await s.acquire(0);
    } catch (e) {
      log('weight', errorText(e));
    }
    const t = tryAcquire(new M());
    log('tryAcquire', await t.runExclusive(() => 'tried'));
    const w = withTimeout(new M(), 50);
    log('withTimeout', await w.runExclusive(async () => 'timed'));
    return 'ok';
  });
}

await scenario('async-lock', async () => {
  const lock = new AsyncLock();
  log('acquire', AsyncLock.prototype.acquire.name, AsyncLock.prototype.acquire.length, Object.keys(AsyncLock.prototype));
  const a = lock.acquire('k', holder('a', 1));
  const b = lock.acquire('k', holder('b', 2, true));
  log('busy', lock.isBusy('k'), lock.isBusy('other'));
  const c = new Promise((resolve) =>
    lock.acquire(
      'k',
      function (done) {
        log('c start', typeof this, arguments.length);
        setTimeout(() => done(new Error('c failed'), 'ignored'), 1);
      },
      (err, ret) => resolve(`cb ${err && err.message} ${ret}`),
    ),
  );
  const d = lock.acquire(['j', 'k'], holder('d', 4));
  const r = await Promise.allSettled([a, b, c, d]);
  log('settled', r.map((x) => x.status + ':' + (x.value ?? x.reason.message)));
  try {
    lock.acquire('k', 'nope');
  } catch (e) {
    log('not a function', errorText(e));
  }
  try {
    await lock.acquire('k', () => {
      throw new Error('sync throw');
    });
  } catch (e) {
    log('sync throw', errorText(e));
  }
  return 'ok';
});

console.log(out.join('\n'));
