/**
 * Models the popular lock libraries as synchronisation (Go's annotated sync
 * primitives): a holder's release happens before the next acquire of the
 * same lock, on the uncontended path too, where the library only flips a
 * field and no promise links the two holders.
 *
 * Given a loaded module's exports (or, for an ES module, the bindings the
 * load hook hands over) and its package name, `modelLocks` wraps the methods
 * through which a holder gets and gives back the lock:
 * - async-mutex: `Semaphore.prototype.acquire` / `release` (Mutex, runExclusive,
 *   the releaser returned by acquire, withTimeout and tryAcquire all go through
 *   them). A grant at once takes the lock in the caller's event; a contended
 *   grant is a promise resolution by the releaser already.
 * - async-lock: `AsyncLock.prototype.acquire(key, fn, ...)`, one lock per
 *   (instance, key): the holder `fn` acquires as it starts and releases when
 *   its promise settles or it calls its `done` callback.
 * - p-limit: the limit function (and its `map`): each `fn` acquires as it
 *   starts and releases when its promise settles. With a concurrency above 1
 *   a task taking a free slot is ordered after every task that finished before.
 * - p-queue: `PQueue.prototype.add` (`addAll` calls it), likewise.
 *
 * Results, errors, `this`, timing and async stacks stay the library's:
 * acquire runs synchronously as the holder starts; release runs in the event
 * that settles the holder's promise, so before the library hands the lock
 * on; no property is added to any object the program sees (the sync objects
 * live in weak maps) and no reaction to any promise.
 */
import { types } from 'node:util';
import { acquire, release, releaseOnSettle } from './sync';
import { internalError } from './internal-error';
import { SafeMap, SafeWeakMap } from './safe-collections';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

const { apply, defineProperty, getOwnPropertyDescriptor, getPrototypeOf, ownKeys } = Reflect;
const promiseThen = Promise.prototype.then;
const PromiseProto = Promise.prototype;
const isArray = Array.isArray;

function take(sync: object): void {
  try {
    acquire(sync);
  } catch (err) {
    internalError('a lock acquire', err);
  }
}

function give(sync: object): void {
  try {
    release(sync);
  } catch (err) {
    internalError('a lock release', err);
  }
}

/** The sync object of a lock instance. */
const syncs = new SafeWeakMap<object, object>();
function syncOf(lock: object): object {
  let s = syncs.get(lock);
  if (!s) syncs.set(lock, (s = {}));
  return s;
}

/** async-lock: one sync object per (instance, key), keyed as the library keys its queues. */
const keyed = new SafeWeakMap<object, SafeMap<unknown, object>>();
function keyedSyncOf(lock: object, key: unknown): object {
  let m = keyed.get(lock);
  if (!m) keyed.set(lock, (m = new SafeMap()));
  const k = typeof key === 'symbol' ? key : String(key);
  let s = m.get(k);
  if (!s) m.set(k, (s = {}));
  return s;
}

/** Copies of arguments, without the array iterator a spread would use. */
function argsWith(args: ArrayLike<unknown>, index: number, value: unknown): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < args.length; i++) out[i] = i === index ? value : args[i];
  return out;
}

const COPIED = ['length', 'name'] as const;

/** Gives `name` and `length` of `original` to its wrapper. */
function likeOriginal<F extends object>(wrapper: F, original: object): F {
  for (let i = 0; i < COPIED.length; i++) {
    const key = COPIED[i]!;
    const d = getOwnPropertyDescriptor(original, key);
    if (d) defineProperty(wrapper, key, d);
  }
  // The wrappers are methods, which have no prototype: one only where the original had it.
  const proto = getOwnPropertyDescriptor(original, 'prototype');
  if (proto && !getOwnPropertyDescriptor(wrapper, 'prototype')) defineProperty(wrapper, 'prototype', proto);
  return wrapper;
}

/**
 * Releases `sync` once the holder's work settles: in the event that settles
 * its (native) promise, which comes before any reaction through which the
 * library hands the lock on, or at once for a value or any other thenable
 * (which asyncrace does not call). No reaction is added to the promise: V8
 * follows async stack frames only through a promise with one reaction.
 */
function releaseWhenSettled(result: unknown, sync: object): void {
  try {
    if (types.isPromise(result) && releaseOnSettle(result, sync)) return;
  } catch (err) {
    internalError('a lock release', err);
    return;
  }
  if (types.isPromise(result) && getPrototypeOf(result) === PromiseProto) {
    // A promise made before tracking started: a reaction of its own, registered before the library's.
    const done = (): void => give(sync);
    apply(promiseThen, result, [done, done]);
  } else {
    give(sync);
  }
}

/** The holder `fn`, acquiring `sync` as it starts and releasing it when its result settles. */
function holder(fn: AnyFn, sync: object): AnyFn {
  const wrapped = {
    m(this: unknown, ...args: unknown[]): unknown {
      take(sync);
      let result: unknown;
      try {
        result = apply(fn, this, args);
      } catch (err) {
        give(sync);
        throw err;
      }
      releaseWhenSettled(result, sync);
      return result;
    },
  }.m;
  return likeOriginal(wrapped, fn);
}

/** async-lock's callback-mode holder `fn(done)`: releases when `done` is first called (or `fn` throws). */
function callbackHolder(fn: AnyFn, sync: object): AnyFn {
  const wrapped = {
    m(this: unknown, done: unknown): unknown {
      take(sync);
      let released = false;
      const giveOnce = (): void => {
        if (released) return;
        released = true;
        give(sync);
      };
      const cb =
        typeof done === 'function'
          ? function (this: unknown, ...args: unknown[]): unknown {
              giveOnce();
              return apply(done as AnyFn, this, args);
            }
          : done;
      try {
        return apply(fn, this, [cb]);
      } catch (err) {
        giveOnce();
        throw err;
      }
    },
  }.m;
  return likeOriginal(wrapped, fn);
}

/** Patched prototypes (each library copy once). */
const patched = new SafeWeakMap<object, true>();

/** Replaces `proto[name]` by `make(original)`, keeping the property's attributes. */
function patchMethod(proto: object, name: string, make: (original: AnyFn) => { m: AnyFn }): void {
  const d = getOwnPropertyDescriptor(proto, name);
  if (!d || typeof d.value !== 'function' || (!d.writable && !d.configurable)) return;
  const original = d.value as AnyFn;
  defineProperty(proto, name, { ...d, value: likeOriginal(make(original).m, original) });
}

function firstPatch(proto: unknown): proto is object {
  if ((typeof proto !== 'object' && typeof proto !== 'function') || proto === null || patched.has(proto)) return false;
  patched.set(proto, true);
  return true;
}

function prototypeOf(ctor: unknown): unknown {
  return typeof ctor === 'function' ? (ctor as { prototype?: unknown }).prototype : undefined;
}

/** async-mutex's Semaphore (Mutex holds one). */
function modelSemaphore(Semaphore: unknown): void {
  const proto = prototypeOf(Semaphore);
  if (!firstPatch(proto)) return;
  patchMethod(proto, 'acquire', (original) => ({
    m(this: unknown, ...args: unknown[]): unknown {
      const self = this as { _value?: unknown } | null | undefined;
      const before = self?._value;
      // Without the field (another version), acquire on every call: a coarser order.
      if (typeof before !== 'number' && self) take(syncOf(self));
      const result = apply(original, this, args);
      // Granted at once: the value dropped inside the call (the dispatch runs in the promise executor).
      // The holder's continuation is a reaction registered after this returns, so it sees the edge.
      if (typeof before === 'number' && self && typeof self._value === 'number' && self._value < before) take(syncOf(self));
      return result;
    },
  }));
  patchMethod(proto, 'release', (original) => ({
    m(this: unknown, ...args: unknown[]): unknown {
      if ((typeof this === 'object' && this !== null) || typeof this === 'function') give(syncOf(this));
      return apply(original, this, args);
    },
  }));
}

/** async-lock's AsyncLock. */
function modelAsyncLock(AsyncLock: unknown): void {
  const proto = prototypeOf(AsyncLock);
  if (!firstPatch(proto)) return;
  patchMethod(proto, 'acquire', (original) => ({
    m(this: unknown, key: unknown, fn: unknown): unknown {
      // A batch of keys comes back here one key at a time.
      if (isArray(key) || typeof fn !== 'function' || (typeof this !== 'object' && typeof this !== 'function') || this === null) {
        return apply(original, this, arguments);
      }
      const sync = keyedSyncOf(this, key);
      // The library runs fn(done) when fn takes one parameter, else awaits fn().
      const wrapped = (fn as AnyFn).length === 1 ? callbackHolder(fn as AnyFn, sync) : holder(fn as AnyFn, sync);
      return apply(original, this, argsWith(arguments, 1, wrapped));
    },
  }));
}

/** p-queue's PQueue. */
function modelPQueue(PQueue: unknown): void {
  const proto = prototypeOf(PQueue);
  if (!firstPatch(proto)) return;
  patchMethod(proto, 'add', (original) => ({
    m(this: unknown, fn: unknown): unknown {
      if (typeof fn !== 'function' || (typeof this !== 'object' && typeof this !== 'function') || this === null) {
        return apply(original, this, arguments);
      }
      return apply(original, this, argsWith(arguments, 0, holder(fn as AnyFn, syncOf(this))));
    },
  }));
}

/** A p-limit limit function, its holders wrapped; its own properties (activeCount, clearQueue, ...) carried over. */
function modelLimit(limit: unknown): unknown {
  if (typeof limit !== 'function') return limit;
  const sync = syncOf(limit);
  const wrap = (fn: unknown): unknown => (typeof fn === 'function' ? holder(fn as AnyFn, sync) : fn);
  const limited = {
    m(this: unknown, fn: unknown): unknown {
      return apply(limit, this, argsWith(arguments, 0, wrap(fn)));
    },
  }.m;
  const keys = ownKeys(limit);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === 'prototype') continue;
    const d = getOwnPropertyDescriptor(limit, key)!;
    if (key === 'map' && typeof d.value === 'function') {
      // limit.map calls the limit's inner function directly.
      const map = d.value as AnyFn;
      d.value = likeOriginal(
        {
          m(this: unknown, _iterable: unknown, fn: unknown): unknown {
            return apply(map, this === limited ? limit : this, argsWith(arguments, 1, wrap(fn)));
          },
        }.m,
        map,
      );
    }
    defineProperty(limited, key, d);
  }
  return limited;
}

/** p-limit's default export pLimit(concurrency): its limits modelled. */
const limitFactories = new SafeWeakMap<object, AnyFn>();
function modelPLimit(pLimit: unknown): unknown {
  if (typeof pLimit !== 'function') return pLimit;
  const known = limitFactories.get(pLimit);
  if (known) return known;
  const factory = likeOriginal(
    {
      m(this: unknown, ...args: unknown[]): unknown {
        return modelLimit(apply(pLimit as AnyFn, this, args));
      },
    }.m,
    pLimit,
  );
  // Its other own properties (a CommonJS `default`, for one).
  const keys = ownKeys(pLimit);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === 'prototype' || key === 'length' || key === 'name') continue;
    const d: PropertyDescriptor = getOwnPropertyDescriptor(pLimit, key)!;
    if (key === 'default' && d.value === pLimit) d.value = factory;
    defineProperty(factory, key, d);
  }
  limitFactories.set(pLimit, factory);
  limitFactories.set(factory, factory);
  return factory;
}

const defaultOf = (exports: unknown): unknown =>
  exports !== null && (typeof exports === 'object' || typeof exports === 'function') ? (exports as { default?: unknown }).default : undefined;

/**
 * Models the locks of package `pkg` in `exports` (a module's exports, or the
 * bindings an ES module hands over); returns what the module should export
 * in place of `exports`: itself, unless it is a factory that had to be
 * replaced (p-limit).
 *
 * @example
 *   module.exports = modelLocks('async-lock', module.exports); // AsyncLock.prototype.acquire wrapped
 *   pLimit = modelLocks('p-limit', pLimit);                   // a pLimit whose limits are modelled
 */
export function modelLocks(pkg: string, exports: unknown): unknown {
  switch (pkg) {
    case 'async-mutex': {
      const ns = exports as { Semaphore?: unknown } | null | undefined;
      modelSemaphore(ns?.Semaphore);
      return exports;
    }
    case 'async-lock':
      modelAsyncLock(typeof exports === 'function' ? exports : defaultOf(exports));
      return exports;
    case 'p-queue':
      modelPQueue(typeof exports === 'function' ? exports : defaultOf(exports));
      return exports;
    case 'p-limit':
      if (typeof exports === 'function') return modelPLimit(exports);
      {
        // A CommonJS build that exports { default: pLimit }.
        const d = getOwnPropertyDescriptor(Object(exports), 'default');
        if (d && typeof d.value === 'function' && (d.writable || d.configurable)) defineProperty(exports as object, 'default', { ...d, value: modelPLimit(d.value) });
      }
      return exports;
    default:
      return exports;
  }
}
