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
import { collectionType, shadowOf, type CollectionType, type Shadow } from './shadow-state';
import { currentFrame } from './shadow-stack';
import { calleeText } from './sites';

// f.call(o, ...args) with the original Function.prototype.call, whatever the program does to it.
const call = Function.prototype.call.bind(Function.prototype.call) as (f: unknown, self: unknown, ...args: unknown[]) => unknown;
const apply = Reflect.apply;

type Kind = 'get' | 'has' | 'set' | 'delete' | 'add' | 'clear' | 'forEach' | 'iterator' | 'join';

interface Op {
  kind: Kind;
  type: CollectionType | 'Promise';
  method: string;
}

const ops = new Map<unknown, Op>();
function def(type: CollectionType, proto: object, kinds: Partial<Record<string, Kind>>): void {
  for (const [method, kind] of Object.entries(kinds)) {
    const f = (proto as Record<string, unknown>)[method];
    if (typeof f === 'function' && !ops.has(f)) ops.set(f, { kind: kind!, type, method });
  }
}
def('Map', Map.prototype, { get: 'get', has: 'has', set: 'set', delete: 'delete', clear: 'clear', forEach: 'forEach', keys: 'iterator', values: 'iterator', entries: 'iterator' });
def('Set', Set.prototype, { has: 'has', add: 'add', delete: 'delete', clear: 'clear', forEach: 'forEach', values: 'iterator', keys: 'iterator', entries: 'iterator' });
def('WeakMap', WeakMap.prototype, { get: 'get', has: 'has', set: 'set', delete: 'delete' });
def('WeakSet', WeakSet.prototype, { has: 'has', add: 'add', delete: 'delete' });
ops.set(Promise.all, { kind: 'join', type: 'Promise', method: 'all' });
ops.set(Promise.allSettled, { kind: 'join', type: 'Promise', method: 'allSettled' });

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

/** The op of `f` when `o` is a receiver it tracks, else undefined. */
function opFor(o: unknown, f: unknown): Op | undefined {
  const op = ops.get(f);
  if (op === undefined) return undefined;
  if (op.type === 'Promise') return o === Promise ? op : undefined;
  return collectionType(o) === op.type ? op : undefined;
}

function notFunction(site: number, entry: Function): TypeError {
  const err = new TypeError(`${calleeText(site)} is not a function`);
  // The error belongs to the user's call site, not to the runtime.
  Error.captureStackTrace(err, entry);
  return err;
}

/** What must be known before the operation runs (whether the key was there). */
function prepare(op: Op, o: unknown, k: unknown): boolean {
  if (op.kind === 'set' || op.kind === 'add') return hasKey(op.type as CollectionType, o, k);
  return false;
}

function record(op: Op, site: number, o: object, args: ArrayLike<unknown>, had: boolean, result: unknown): void {
  try {
    if (op.kind === 'join') {
      const input = args[0];
      // Only a plain array is read (a Proxy's traps or an accessor would show).
      if (Array.isArray(input) && !types.isProxy(input)) joinPromise(result, input);
      return;
    }
    const type = op.type as CollectionType;
    const shadow: Shadow = shadowOf(o, type);
    const keyed = type === 'Map' || type === 'Set';
    const k = args[0];
    switch (op.kind) {
      case 'get':
      case 'has':
        read(shadow, shadow.key(k), k, op.method, site);
        break;
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
        } else read(shadow, shadow.key(k), k, op.method, site);
        break;
      case 'clear':
        clearAll(shadow, site);
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

/**
 * Whether the call `o.f(...)` goes through the runtime: `f` is an original
 * method on a receiver it tracks, or `f` is not callable (the runtime words the
 * TypeError as V8 does at the user's call site). Every other call is made by
 * the generated code itself, in the user's frame.
 */
export function t(o: unknown, f: unknown): boolean {
  return typeof f !== 'function' || opFor(o, f) !== undefined;
}

/** `f.call(o, ...args)` for untracked calls, invisible in stack traces and to `caller`. */
export const fc = call;
/** `Reflect.apply(f, o, args)` for untracked calls with spread arguments. */
export const fa = apply;

/** An argument a builtin iterates whole within this event (`Array.from(x)`): a read of its key set; returns it. */
export function whole(site: number, x: unknown): unknown {
  return size(site, x, x);
}

/** `o.m()` */
export function c0(site: number, o: unknown, f: unknown): unknown {
  const op = opFor(o, f);
  if (op === undefined) {
    if (typeof f !== 'function') throw notFunction(site, c0);
    return call(f, o);
  }
  if (op.kind === 'forEach') record(op, site, o as object, [], false, undefined);
  const r = call(f, o);
  if (op.kind !== 'forEach') record(op, site, o as object, [], false, r);
  return r;
}

/** `o.m(a)` */
export function c1(site: number, o: unknown, f: unknown, a: unknown): unknown {
  const op = opFor(o, f);
  if (op === undefined) {
    if (typeof f !== 'function') throw notFunction(site, c1);
    return call(f, o, a);
  }
  if (op.kind === 'forEach') record(op, site, o as object, [a], false, undefined);
  const had = prepared(op, o, a);
  const r = call(f, o, a);
  if (op.kind !== 'forEach') record(op, site, o as object, [a], had, r);
  return r;
}

/** `o.m(a, b)` */
export function c2(site: number, o: unknown, f: unknown, a: unknown, b: unknown): unknown {
  const op = opFor(o, f);
  if (op === undefined) {
    if (typeof f !== 'function') throw notFunction(site, c2);
    return call(f, o, a, b);
  }
  if (op.kind === 'forEach') record(op, site, o as object, [a, b], false, undefined);
  const had = prepared(op, o, a);
  const r = call(f, o, a, b);
  if (op.kind !== 'forEach') record(op, site, o as object, [a, b], had, r);
  return r;
}

/** `o.m(...args)` with any other argument list. */
export function cn(site: number, o: unknown, f: unknown, args: unknown[]): unknown {
  const op = opFor(o, f);
  if (op === undefined) {
    if (typeof f !== 'function') throw notFunction(site, cn);
    return apply(f as (...a: unknown[]) => unknown, o, args);
  }
  if (op.kind === 'forEach') record(op, site, o as object, args, false, undefined);
  const had = prepared(op, o, args[0]);
  const r = apply(f as (...a: unknown[]) => unknown, o, args);
  if (op.kind !== 'forEach') record(op, site, o as object, args, had, r);
  return r;
}

/** `o.size`, already read as `v`. */
export function size(site: number, o: unknown, v: unknown): unknown {
  try {
    const type = collectionType(o);
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
