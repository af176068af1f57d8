/**
 * Iteration of a tracked collection reads its key set, at the start and again
 * at every step: a loop that awaits between steps reads it in several events.
 * `iterate()` hands the loop a wrapper that forwards to the collection's own
 * iterator and records each step; anything else is returned untouched, or,
 * where it is not iterable, replaced by an iterable that throws V8's TypeError
 * (the call hides the expression V8 would have printed).
 */
import { types } from 'node:util';
import { read } from './detector';
import { internalError } from './internal-error';
import { shadowOf, trackedType, type CollectionType, type Shadow } from './shadow-state';
import { SITE } from './api';
import { siteTuple } from './sites';
import { throwing } from './user-throw';
import { SafeWeakMap } from './safe-collections';

const call = Function.prototype.call.bind(Function.prototype.call) as (f: unknown, self: unknown, ...args: unknown[]) => unknown;

const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
/** %IteratorPrototype%[@@iterator] (returns `this`), which Map and Set iterators inherit. */
const iteratorSelf = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))[Symbol.iterator] as unknown;

/** Iterators returned by an instrumented keys()/values()/entries() call, with their collection. */
const iterators = new SafeWeakMap<object, Shadow>();

export function trackIterator(it: unknown, shadow: Shadow, type: CollectionType): void {
  if ((type === 'Map' || type === 'Set') && typeof it === 'object' && it !== null) iterators.set(it, shadow);
}

/**
 * Forwards to a Map/Set iterator; like it, it has no `return` or `throw`. Its
 * `next` is looked up once, as for..of does, and called as found (a program
 * may have replaced it).
 */
class Steps {
  constructor(
    private readonly it: object,
    private readonly nextFn: () => IteratorResult<unknown>,
    private readonly shadow: Shadow,
    private readonly site: number,
  ) {}

  next(): IteratorResult<unknown> {
    try {
      read(this.shadow, this.shadow.keySet, undefined, 'iterate', this.site);
    } catch (err) {
      internalError('recording iteration', err);
    }
    return call(this.nextFn, this.it) as IteratorResult<unknown>;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** How V8 names a value it cannot iterate when the expression can't be printed. */
function byValue(x: unknown): string {
  if (x === null) return 'object null';
  if (typeof x === 'string') return `string "${x}"`;
  if (typeof x === 'number' || typeof x === 'boolean') return `${typeof x} ${String(x)}`;
  return typeof x;
}

function iterable(x: unknown): boolean {
  if (x === null || x === undefined) return false;
  // A Proxy's traps would run twice: the consumer checks it itself.
  if (types.isProxy(x)) return true;
  return typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/**
 * The iteration's own TypeError: the call to iterate() hides the expression
 * V8 would have printed, so the site carries V8's message.
 */
function notIterable(message: string | undefined, nullishOnly: boolean, x: unknown): TypeError | undefined {
  if (message === undefined) return undefined;
  if (nullishOnly ? x !== null && x !== undefined : iterable(x)) return undefined;
  const text = message === '' ? `${byValue(x)} is not iterable (cannot read property Symbol(Symbol.iterator))` : message.replace('%s', String(x));
  const err = new TypeError(text);
  Error.captureStackTrace(err, iterate);
  return err;
}

/**
 * The value to use in place of `x` at an iteration site. Where the value is
 * not iterable, an iterable whose @@iterator throws V8's TypeError: the
 * iteration calls it from the user's frame, right away.
 */
export function iterate(site: number, x: unknown): unknown {
  const tuple = siteTuple(site);
  const err = notIterable(tuple?.[SITE.message] ?? undefined, tuple?.[SITE.nullishOnly] === 1, x);
  if (err) return { [Symbol.iterator]: throwing(err) };
  try {
    if (typeof x !== 'object' || x === null) return x;
    const known = iterators.get(x);
    if (known) {
      iterators.delete(x);
      // An iterator given its own @@iterator keeps it.
      if ((x as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== iteratorSelf) return x;
      return new Steps(x, (x as { next: () => IteratorResult<unknown> }).next, known, site);
    }
    const type = trackedType(x);
    if (type !== 'Map' && type !== 'Set') return x;
    const own = type === 'Map' ? mapEntries : setValues;
    // A subclass with its own iterator keeps it.
    if ((x as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== own) return x;
    const it = call(own, x) as { next: () => IteratorResult<unknown> };
    return new Steps(it, it.next, shadowOf(x, type), site);
  } catch (err) {
    internalError('wrapping an iteration', err);
    return x;
  }
}
