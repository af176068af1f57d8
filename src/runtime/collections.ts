/**
 * The entry points for collection calls. The method itself tells which
 * operation runs: a call is tracked only when the looked-up function is this
 * realm's original Map/Set/WeakMap/WeakSet method (or Promise.all/allSettled)
 * and the receiver really is such a collection; anything else takes the
 * original call unchanged. The operation always runs first, so its result and
 * exceptions are the original's; bookkeeping follows and never throws.
 */
import { types } from 'node:util';
import { joinPromise } from './async-context';
import { clearAll, read, write, writeKeySet } from './detector';
import { internalError } from './internal-error';
import { trackIterator } from './iterate';
import { collectionType, shadowOf, trackedType, type CollectionType, type Shadow } from './shadow-state';
import { currentFrame } from './shadow-stack';
import { argsSuspend, notFunctionMessage } from './sites';
import { SafeMap } from './safe-collections';
import { throwing } from './user-throw';

// f.call(o, ...args) with the original Function.prototype.call, whatever the program does to it.
const call = Function.prototype.call.bind(Function.prototype.call) as (f: unknown, self: unknown, ...args: unknown[]) => unknown;

type Kind = 'get' | 'has' | 'set' | 'delete' | 'add' | 'clear' | 'forEach' | 'iterator' | 'join';

interface Op {
  /** The original method. */
  f: unknown;
  kind: Kind;
  type: CollectionType | 'Promise';
  method: string;
}

const ops = new SafeMap<unknown, Op>();
function def(type: CollectionType, proto: object, kinds: Partial<Record<string, Kind>>): void {
  for (const [method, kind] of Object.entries(kinds)) {
    const f = (proto as Record<string, unknown>)[method];
    if (typeof f === 'function' && !ops.has(f)) ops.set(f, { f, kind: kind!, type, method });
  }
}
def('Map', Map.prototype, { get: 'get', has: 'has', set: 'set', delete: 'delete', clear: 'clear', forEach: 'forEach', keys: 'iterator', values: 'iterator', entries: 'iterator' });
def('Set', Set.prototype, { has: 'has', add: 'add', delete: 'delete', clear: 'clear', forEach: 'forEach', values: 'iterator', keys: 'iterator', entries: 'iterator' });
def('WeakMap', WeakMap.prototype, { get: 'get', has: 'has', set: 'set', delete: 'delete' });
def('WeakSet', WeakSet.prototype, { has: 'has', add: 'add', delete: 'delete' });
ops.set(Promise.all, { f: Promise.all, kind: 'join', type: 'Promise', method: 'all' });
ops.set(Promise.allSettled, { f: Promise.allSettled, kind: 'join', type: 'Promise', method: 'allSettled' });

const mapHas = Map.prototype.has;
const setHas = Set.prototype.has;
const weakMapHas = WeakMap.prototype.has;
const weakSetHas = WeakSet.prototype.has;

function hasKey(type: CollectionType, o: unknown, k: unknown): boolean {
  switch (type) {
    case 'Map': return call(mapHas, o, k) as boolean;
    case 'Set': return call(setHas, o, k) as boolean;
    case 'WeakMap': return call(weakMapHas, o, k) as boolean;
    case 'WeakSet': return call(weakSetHas, o, k) as boolean;
  }
}

/** Whether a collection of each type has a key (the original methods, whatever the program patched). */
const HAS: Record<CollectionType, (o: object, k: unknown) => boolean> = {
  Map: (o, k) => hasKey('Map', o, k),
  Set: (o, k) => hasKey('Set', o, k),
  WeakMap: (o, k) => hasKey('WeakMap', o, k),
  WeakSet: (o, k) => hasKey('WeakSet', o, k),
};

/** The op of `f` when `o` is a receiver it tracks, else undefined; `site` caches the last op it found. */
function opFor(site: number, o: unknown, f: unknown): Op | undefined {
  const cached = siteOps[site];
  const op = cached !== undefined && cached.f === f ? cached : ops.get(f);
  if (op === undefined) return undefined;
  if (op.type === 'Promise') return o === Promise ? op : undefined;
  return trackedType(o) === op.type ? op : undefined;
}

function notFunction(entry: Function, message: string): TypeError {
  const err = new TypeError(message);
  // The error belongs to the user's call site, not to the runtime.
  Error.captureStackTrace(err, entry);
  return err;
}

/** What must be known before the operation runs (whether the key was there). */
function prepare(op: Op, o: unknown, k: unknown): boolean {
  if (op.kind === 'set' || op.kind === 'add') return hasKey(op.type as CollectionType, o, k);
  return false;
}

/** Records the call `o.<op>(k)` that returned `result`; `had`: the key was there before. */
function record(op: Op, site: number, o: object, k: unknown, had: boolean, result: unknown): void {
  try {
    if (op.kind === 'join') {
      const input = k;
      // Only a plain array is read (a Proxy's traps or an accessor would show).
      if (Array.isArray(input) && !types.isProxy(input)) joinPromise(result, input);
      return;
    }
    const type = op.type as CollectionType;
    const shadow: Shadow = shadowOf(o, type);
    const keyed = type === 'Map' || type === 'Set';
    switch (op.kind) {
      case 'get':
      case 'has': {
        const ks = shadow.key(k);
        const miss = op.kind === 'get' ? result === undefined : result === false;
        read(shadow, ks, k, op.method, site, miss);
        if (miss) shadow.noteAbsent(k, ks, o, HAS[type]);
        break;
      }
      case 'set':
      case 'add':
        if (op.kind === 'add' && had) read(shadow, shadow.key(k), k, op.method, site);
        else write(shadow, shadow.key(k), k, op.method, site);
        if (!had && keyed) writeKeySet(shadow, op.method, site);
        break;
      case 'delete':
        // Deleting an absent key changes nothing: it only reads that key.
        if (result === true) {
          write(shadow, shadow.key(k), k, op.method, site);
          if (keyed) writeKeySet(shadow, op.method, site);
        } else read(shadow, shadow.key(k), k, op.method, site, true);
        shadow.noteAbsent(k, shadow.key(k), o, HAS[type]);
        break;
      case 'clear':
        clearAll(shadow, site);
        shadow.forEachPrimitiveKey((ks, key) => shadow.noteAbsent(key, ks, o, HAS[type]));
        break;
      case 'forEach':
        read(shadow, shadow.keySet, undefined, op.method, site);
        break;
      case 'iterator':
        read(shadow, shadow.keySet, undefined, op.method, site);
        trackIterator(result, shadow, type);
        break;
    }
  } catch (err) {
    internalError(`recording ${op.method}`, err);
  }
}

function prepared(op: Op, o: unknown, k: unknown): boolean {
  try {
    return prepare(op, o, k);
  } catch (err) {
    internalError(`checking ${op.method}`, err);
    return false;
  }
}

/** `f.call(o, ...args)`, invisible in stack traces and to `caller`: how every untracked call is made. */
export const fc = call;

/** Per-site entry points of tracked calls and of not-a-function throwers (for arguments that suspend), made on first use. */
const entries: Array<(f: unknown, o: unknown, a?: unknown, b?: unknown) => unknown> = [];
const throwers: Array<() => never> = [];
/** The op of the latest tracked call chosen at each site. */
const siteOps: Op[] = [];

/** What a call whose callee is not callable yields in place of throwing where V8 words the error at the iteration that takes it (yield*). */
const NOT_ITERABLE = Object.freeze(Object.create(null) as object);
const notIterable = (): object => NOT_ITERABLE;

/**
 * The thrower of V8's "is not a function" TypeError at `site`. The error is
 * made here, before the arguments run, and thrown from the user's frame (so
 * an uncaught one names the user's line); where the arguments can suspend
 * (await, yield), the stack of that moment would not be the call's, and the
 * error is made when the call happens, by a thrower of the runtime's. At the
 * operand of yield*, V8 words the error by what follows in the function: the
 * call yields a value that is not iterable, and V8 throws at the yield*.
 */
function thrower(site: number): (...args: unknown[]) => unknown {
  const message = notFunctionMessage(site);
  if (message === '') return notIterable;
  if (!argsSuspend(site)) return throwing(notFunction(t, message));
  let fn = throwers[site];
  if (!fn) {
    const make = (): never => {
      throw notFunction(make, message);
    };
    fn = throwers[site] = make;
  }
  return fn;
}

function entry(site: number): (f: unknown, o: unknown, a?: unknown, b?: unknown) => unknown {
  let fn = entries[site];
  if (!fn) fn = entries[site] = (f, o, a, b) => run(site, f, o, a, b);
  return fn;
}

/**
 * The function that makes the call `o.f(...)` at `site`, chosen before its
 * arguments run (the choice depends only on `o` and `f`). Generated code calls
 * the result with `(f, o, ...args)`:
 * - `fc` (the original `call`) for every untracked call, and for forEach (its
 *   key-set read is recorded here), so user code it runs sees the original stack;
 * - the site's tracked entry for an original method on a receiver it tracks;
 * - a thrower of V8's "is not a function" TypeError when `f` is not callable.
 */
export function t(site: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown {
  if (typeof f !== 'function') return thrower(site);
  let op: Op | undefined;
  try {
    op = opFor(site, o, f);
  } catch (err) {
    // The call is made untracked, as the program wrote it.
    internalError('choosing a call', err);
    return fc;
  }
  if (op === undefined) return fc;
  siteOps[site] = op;
  if (op.kind === 'forEach' && !argsSuspend(site)) {
    // Nothing runs between this choice and the call: record now, and let the callbacks run under the user's frame.
    record(op, site, o as object, undefined, false, undefined);
    return fc;
  }
  return entry(site);
}

/** A tracked call: the original operation first (its result and exceptions are the original's), then the bookkeeping. */
function run(site: number, f: unknown, o: unknown, a: unknown, b: unknown): unknown {
  // The op `t` chose for this site; looked up again when a nested call at the site chose another since.
  let op = siteOps[site]!;
  if (op.f !== f) op = ops.get(f)!;
  if (op.kind === 'forEach') {
    // Its arguments awaited: the read belongs to this event, before the callbacks run.
    record(op, site, o as object, undefined, false, undefined);
    return call(f, o, a, b);
  }
  const had = prepared(op, o, a);
  const r = call(f, o, a, b);
  record(op, site, o as object, a, had, r);
  return r;
}

/** An argument a builtin iterates whole within this event (`Array.from(x)`): a read of its key set; returns it. */
export function whole(site: number, x: unknown): unknown {
  return size(site, x, x);
}

/** `o.size`, already read as `v`. */
export function size(site: number, o: unknown, v: unknown): unknown {
  try {
    const type = trackedType(o);
    if (type === 'Map' || type === 'Set') {
      const shadow = shadowOf(o as object, type);
      read(shadow, shadow.keySet, undefined, 'size', site);
    }
  } catch (err) {
    internalError('recording size', err);
  }
  return v;
}

/** `new Map(...)` and friends: remember where the collection was made. */
export function made<T>(site: number, c: T): T {
  try {
    const type = collectionType(c);
    if (type) {
      const shadow = shadowOf(c as object, type);
      shadow.createdSite = site;
      shadow.createdFrame = currentFrame();
    }
  } catch (err) {
    internalError('recording creation', err);
  }
  return c;
}
