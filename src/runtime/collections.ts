/**
 * The entry points for collection calls (api.ts ENTRY: chooseCall,
 * chooseLateCall, chooseJoinCall, lateHook, joinHook, callOriginal,
 * readWhole, readSize, recordCreation). The method itself tells which
 * operation runs: a call is tracked only when the looked-up function is this
 * realm's original Map/Set/WeakMap/WeakSet method (or Promise.all/allSettled)
 * and the receiver really is such a collection; anything else takes the
 * original call unchanged. The operation always runs first, so its result and
 * exceptions are the original's; bookkeeping follows and never throws.
 */
import { types } from 'node:util';
import { joinPromise } from './node-hooks';
import { KEY_IN, type KeyIn } from './api';
import { clearAll, read, write, writeKeySet } from './detector';
import { internalError } from './internal-error';
import { trackIterator } from './iterate';
import { collectionType, shadowOf, trackedType, type CollectionType, type Shadow } from './shadow-state';
import { currentFrame } from './shadow-stack';
import { argsSuspend, notFunctionMessage } from './sites';
import { SafeMap, SafeWeakMap } from './safe-collections';
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
  /** Calls program code or can throw, so a late hook records it (`isLate`): a weak collection's set or add, forEach. */
  late: boolean;
}

const ops = new SafeMap<unknown, Op>();
function def(type: CollectionType, proto: object, kinds: Partial<Record<string, Kind>>): void {
  for (const [method, kind] of Object.entries(kinds)) {
    const f = (proto as Record<string, unknown>)[method];
    const late = kind === 'forEach' || ((kind === 'set' || kind === 'add') && (type === 'WeakMap' || type === 'WeakSet'));
    if (typeof f === 'function' && !ops.has(f)) ops.set(f, { f, kind: kind!, type, method, late });
  }
}
def('Map', Map.prototype, { get: 'get', has: 'has', set: 'set', delete: 'delete', clear: 'clear', forEach: 'forEach', keys: 'iterator', values: 'iterator', entries: 'iterator' });
def('Set', Set.prototype, { has: 'has', add: 'add', delete: 'delete', clear: 'clear', forEach: 'forEach', values: 'iterator', keys: 'iterator', entries: 'iterator' });
def('WeakMap', WeakMap.prototype, { get: 'get', has: 'has', set: 'set', delete: 'delete' });
def('WeakSet', WeakSet.prototype, { has: 'has', add: 'add', delete: 'delete' });
ops.set(Promise.all, { f: Promise.all, kind: 'join', type: 'Promise', method: 'all', late: false });
ops.set(Promise.allSettled, { f: Promise.allSettled, kind: 'join', type: 'Promise', method: 'allSettled', late: false });

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
export const callOriginal = call;

/** Per-site entry points of tracked calls, made on first use. */
const entries: Array<(f: unknown, o: unknown, a?: unknown, b?: unknown) => unknown> = [];
/** The op of the latest tracked call chosen at each site. */
const siteOps: Op[] = [];

/** What a call whose callee is not callable yields in place of throwing where V8 words the error at the iteration that takes it (yield*). */
const NOT_ITERABLE = Object.freeze(Object.create(null) as object);
const notIterable = (): object => NOT_ITERABLE;

/** The TypeErrors of late throwers (see `thrower`), to be given the stack of the moment of the call. */
const lateErrors = new SafeWeakMap<object, TypeError>();

/**
 * The thrower of V8's "is not a function" TypeError at `site`: a builtin that
 * throws it from the user's frame (so an uncaught one names the user's
 * line). The error is made here, before the arguments run; where they can
 * suspend (await, yield), the stack of this moment is not the call's, and the
 * late hook (lateHook) gives it the stack of the call. At the operand of yield*, V8
 * words the error by what follows in the function: the call yields a value
 * that is not iterable, and V8 throws at the yield*.
 */
function thrower(site: number, entry: Function): (...args: unknown[]) => unknown {
  const message = notFunctionMessage(site);
  if (message === '') return notIterable;
  const err = notFunction(entry, message);
  const fn = throwing(err);
  if (argsSuspend(site)) lateErrors.set(fn, err);
  return fn;
}

function entryOf(site: number): (f: unknown, o: unknown, a?: unknown, b?: unknown) => unknown {
  let fn = entries[site];
  if (!fn) fn = entries[site] = (f, o, a, b) => run(site, f, o, a, b);
  return fn;
}

/** The op of a tracked call `o.f(...)` at `site`, undefined for an untracked one. */
function chosenOp(site: number, o: unknown, f: unknown): Op | undefined {
  try {
    const op = opFor(site, o, f);
    if (op !== undefined) siteOps[site] = op;
    return op;
  } catch (err) {
    // The call is made untracked, as the program wrote it.
    internalError('choosing a call', err);
    return undefined;
  }
}

/** Whether a tracked op is left to the late hooks: `op.late`, and a join where joinHook follows. */
function isLate(op: Op, join: boolean): boolean {
  return op.late || (join && op.kind === 'join');
}

/**
 * The function that makes the call `o.f(...)` at `site`, chosen before its
 * arguments run (the choice depends only on `o` and `f`). Generated code calls
 * the result with `(f, o, ...args)`:
 * - callOriginal (the original `call`) for every untracked call, and for
 *   forEach (its key-set read is recorded here), so user code it runs sees
 *   the original stack;
 * - the site's tracked entry for an original method on a receiver it tracks
 *   (none of them runs program code or throws, except as chooseLateCall says);
 * - a thrower of V8's "is not a function" TypeError when `f` is not callable.
 */
export function chooseCall(site: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown {
  if (typeof f !== 'function') return thrower(site, chooseCall);
  const op = chosenOp(site, o, f);
  if (op === undefined) return callOriginal;
  if (op.kind === 'forEach') {
    // No late hook follows: its arguments cannot suspend. Record now, and let the callbacks run under the user's frame.
    record(op, site, o as object, undefined, false, undefined);
    return callOriginal;
  }
  // A weak collection's set or add under another name (`wm.get = WeakMap.prototype.set`) has no
  // hook to record it: it is made untracked, so that what it throws comes from the user's frame.
  if (isLate(op, false)) return callOriginal;
  return entryOf(site);
}

/**
 * chooseCall for a call whose last argument goes through lateHook (a call
 * of `set` or `add`, or whose arguments can suspend): an op that calls
 * program code or can throw (`isLate`) is made by callOriginal from the
 * user's frame, and lateHook records it once the arguments ran, just before
 * the call.
 */
export function chooseLateCall(site: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown {
  return chooseHooked(site, o, f, false, chooseLateCall);
}

/** chooseLateCall for a `Promise.all(...)` or `Promise.allSettled(...)` whose result goes through joinHook, which records the join. */
export function chooseJoinCall(site: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown {
  return chooseHooked(site, o, f, true, chooseJoinCall);
}

/** The choice of chooseLateCall (`join`: of chooseJoinCall); `entry` is the one the generated code called, left out of a thrower's stack. */
function chooseHooked(site: number, o: unknown, f: unknown, join: boolean, entry: Function): (f: unknown, o: unknown, ...args: unknown[]) => unknown {
  if (typeof f !== 'function') return thrower(site, entry);
  const op = chosenOp(site, o, f);
  if (op === undefined) return callOriginal;
  return isLate(op, join) ? callOriginal : entryOf(site);
}

// The originals, taken before any program code runs.
const isArray = Array.isArray;
const { getOwnPropertyDescriptor, getPrototypeOf } = Object;
const ArrayProto = Array.prototype;
const arrayValues = ArrayProto[Symbol.iterator];
const ArrayIteratorProto = getPrototypeOf(arrayValues.call([])) as object;
const arrayIteratorNext = getOwnPropertyDescriptor(ArrayIteratorProto, 'next')?.value as unknown;
const symbolKeyFor = Symbol.keyFor;

/** Whether `o[key]` is the data property `value` (read without running a getter). */
function holdsOwn(o: object, key: PropertyKey, value: unknown): boolean {
  const d = getOwnPropertyDescriptor(o, key);
  return d !== undefined && 'value' in d && d.value === value;
}

const NO_KEY = Symbol('no key');

/**
 * The first element a spread of `xs` yields, when it can be read without
 * running program code (a plain array or an `arguments` object whose
 * iteration is the original), else `NO_KEY`.
 */
function firstOf(xs: unknown): unknown {
  if (typeof xs !== 'object' || xs === null || types.isProxy(xs)) return NO_KEY;
  if (isArray(xs)) {
    if (getPrototypeOf(xs) !== ArrayProto || getOwnPropertyDescriptor(xs, Symbol.iterator) !== undefined) return NO_KEY;
    if (!holdsOwn(ArrayProto, Symbol.iterator, arrayValues)) return NO_KEY;
  } else if (!types.isArgumentsObject(xs) || !holdsOwn(xs, Symbol.iterator, arrayValues)) {
    return NO_KEY;
  }
  if (!holdsOwn(ArrayIteratorProto, 'next', arrayIteratorNext)) return NO_KEY;
  const length = getOwnPropertyDescriptor(xs, 'length');
  if (length === undefined || !('value' in length) || typeof length.value !== 'number') return NO_KEY;
  if (length.value < 1) return undefined;
  const d = getOwnPropertyDescriptor(xs, 0);
  return d !== undefined && 'value' in d ? d.value : NO_KEY;
}

/** Whether a weak collection can hold `k` (its set or add throws otherwise). */
const SYMBOL_KEYS = (() => {
  try {
    new WeakSet().add(Symbol() as unknown as object);
    return true;
  } catch {
    return false;
  }
})();
function holdable(k: unknown): boolean {
  if (typeof k === 'object') return k !== null;
  if (typeof k === 'function') return true;
  return SYMBOL_KEYS && typeof k === 'symbol' && symbolKeyFor(k) === undefined;
}

/**
 * The late hook of a call `o.f(...)` chosen by chooseLateCall or
 * chooseJoinCall, given the value of its last argument, evaluated just before
 * the call; returns that value. Records what chooseLateCall left to the call
 * itself: a weak collection's set or add of a key it can hold (`how` says
 * where the key is, KEY_IN), forEach's read of the key set. `c`, given where
 * the arguments can suspend, is what chooseLateCall chose: a thrower gets the
 * stack of the call.
 *
 * @example
 *   // wm.set(k, await v) ->
 *   // (_f = wm.set, _t = _f, _t2 = _ar.tl(S, wm, _t))(_t, wm, _t3 = k, _ar.k(S, _t, wm, await v, 1, _t3, _t2))
 */
export function lateHook(site: number, f: unknown, o: unknown, last: unknown, how: KeyIn, key?: unknown, c?: unknown): unknown {
  // The common case, a Map's or Set's set or add (recorded by the entry chooseLateCall chose): nothing to do.
  const cached = siteOps[site];
  if (cached !== undefined && cached.f === f && !cached.late) return last;
  try {
    lateRecord(site, f, o, last, how, key, c);
  } catch (err) {
    internalError('recording a call', err);
  }
  return last;
}

function lateRecord(site: number, f: unknown, o: unknown, last: unknown, how: KeyIn, key: unknown, c: unknown): void {
  if (typeof f !== 'function') {
    const err = c !== undefined && c !== null ? lateErrors.get(c as object) : undefined;
    // The stack of the call, starting at the user's frame, as V8's own would be.
    if (err !== undefined) Error.captureStackTrace(err, lateHook);
    return;
  }
  const op = opFor(site, o, f);
  if (op === undefined || !op.late) return;
  if (op.kind === 'forEach') {
    record(op, site, o as object, undefined, false, undefined);
    return;
  }
  const held = how === KEY_IN.last ? last : how === KEY_IN.key ? key : firstOf(how === KEY_IN.firstOfLast ? last : key);
  // A key the collection cannot hold: the call throws, and nothing happened.
  if (held === NO_KEY || !holdable(held)) return;
  record(op, site, o as object, held, op.kind === 'add' && hasKey(op.type as CollectionType, o, held), undefined);
}

/**
 * The result of a `Promise.all(...)` or `Promise.allSettled(...)` chosen by
 * chooseJoinCall, made by the original from the user's frame; `input` its
 * first argument (`how` KEY_IN.firstOfKey: the iterable of a spread there).
 * Records the join; returns `result`.
 */
export function joinHook(result: unknown, site: number, f: unknown, o: unknown, input: unknown, how: KeyIn): unknown {
  try {
    if (typeof f !== 'function') return result;
    const op = opFor(site, o, f);
    if (op === undefined || op.kind !== 'join') return result;
    const xs = how === KEY_IN.firstOfKey ? firstOf(input) : input;
    if (xs !== NO_KEY) record(op, site, o as object, xs, false, result);
  } catch (err) {
    internalError('recording a join', err);
  }
  return result;
}

/** A tracked call: the original operation first (its result and exceptions are the original's), then the bookkeeping. */
function run(site: number, f: unknown, o: unknown, a: unknown, b: unknown): unknown {
  // The op chosen for this site; looked up again when a nested call at the site chose another since.
  let op = siteOps[site]!;
  if (op.f !== f) op = ops.get(f)!;
  const had = prepared(op, o, a);
  const r = call(f, o, a, b);
  record(op, site, o as object, a, had, r);
  return r;
}

/** An argument a builtin iterates whole within this event (`Array.from(x)`): a read of its key set; returns it. */
export function readWhole(site: number, x: unknown): unknown {
  return readSize(site, x, x);
}

/** `o.size`, already read as `v`. */
export function readSize(site: number, o: unknown, v: unknown): unknown {
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
export function recordCreation<T>(site: number, c: T): T {
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
