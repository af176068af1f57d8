/**
 * Checks V8 makes before destructuring, constructing and async iteration,
 * made by the runtime where V8's TypeError would quote an expression the
 * instrumentation rewrote (`Cannot destructure property 'a' of 'm.get(...)'`
 * would print the generated call). The site carries V8's message for the
 * expression as written; the error is thrown from the user's frame, at the
 * moment V8 would throw it. One entry per check (api.ts ENTRY):
 *
 * | entry                | generated                                           | for a failing check, in place of the value        |
 * |----------------------|-----------------------------------------------------|---------------------------------------------------|
 * | `checkDestructure`   | `(_o = E) == null ? _ar.destructure(S, _o)() : _o`  | a function that throws                            |
 * | `checkConstruct`     | `new (_ar.construct(S, C))(...args)`                | a constructor that throws once the arguments ran  |
 * | `checkAsyncIterable` | `for await (x of _ar.iterAsync(S, E))`              | an async iterable whose @@asyncIterator throws    |
 *
 * A check reads nothing a program can observe: no getter, no Proxy trap.
 */
import { types } from 'node:util';
import { SITE } from './api';
import { internalError } from './internal-error';
import { SafeWeakMap } from './safe-collections';
import { siteTuple } from './sites';
import { throwing } from './user-throw';

// Taken before any program code runs: a program may replace them later.
const toObject = Object;
const { construct: reflectConstruct, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
const ProxyCtor = Proxy;

/** The TypeError of a failing check, its stack starting at the user's frame (below `entry`). */
function failure(message: string, x: unknown, entry: Function): TypeError {
  const err = new TypeError(message.replace('%s', String(x)));
  Error.captureStackTrace(err, entry);
  return err;
}

// Whether a function is a constructor, asked of a Proxy over it: its construct trap (ours) runs
// only if the target can be constructed, so nothing of the program's runs.
const probe: ProxyHandler<Function> = { construct: () => probe };
const constructors = new SafeWeakMap<object, boolean>();

function isConstructor(c: unknown): boolean {
  if (typeof c !== 'function') return false;
  let known = constructors.get(c);
  if (known === undefined) {
    try {
      reflectConstruct(new ProxyCtor(c, probe), []);
      known = true;
    } catch {
      known = false;
    }
    constructors.set(c, known);
  }
  return known;
}

/**
 * A constructor whose construction throws V8's TypeError: the generated `new`
 * constructs it once the arguments ran. The error is made now, when the
 * arguments cannot suspend (the stack is the same), else by a trap of the
 * runtime's when the construction happens.
 */
function throwingConstructor(message: string, x: unknown, argsSuspend: boolean, entry: Function): object {
  const construct = argsSuspend
    ? (): never => {
        throw failure(message, x, construct);
      }
    : throwing(failure(message, x, entry));
  return new ProxyCtor(function () {}, { construct });
}

/**
 * Whether V8's GetIterator for an async iteration would find neither
 * Symbol.asyncIterator nor Symbol.iterator on `x` (null and undefined are
 * V8's to word: their message quotes nothing). Only data properties of
 * ordinary objects are looked at: an accessor or a Proxy on the way, and the
 * value is left to V8.
 */
const ITERATORS = [Symbol.asyncIterator, Symbol.iterator] as const;

function lacksIterators(x: unknown): boolean {
  if (x === null || x === undefined) return false;
  for (let o: object | null = toObject(x) as object; o !== null; o = getPrototypeOf(o)) {
    if (types.isProxy(o)) return false;
    for (const key of ITERATORS) {
      const d = getOwnPropertyDescriptor(o, key);
      if (d === undefined) continue;
      if (!('value' in d) || (d.value !== undefined && d.value !== null)) return false;
    }
  }
  return true;
}

/**
 * The value to use in place of `x`, about to be destructured by an object
 * pattern, with V8's `message` (`%s`: the value; undefined: no check);
 * `entry` is the runtime entry the generated code called (left out of stacks).
 */
export function forDestructuring(message: string | undefined, x: unknown, entry: Function): unknown {
  if (message === undefined) return x;
  return x === null || x === undefined ? throwing(failure(message, x, entry)) : x;
}

/** forDestructuring for the callee `x` of a `new`; `argsSuspend`: its arguments can suspend (await, yield). */
export function forConstruction(message: string | undefined, argsSuspend: boolean, x: unknown, entry: Function): unknown {
  if (message === undefined) return x;
  return isConstructor(x) ? x : throwingConstructor(message, x, argsSuspend, entry);
}

/** forDestructuring for a value about to be iterated by for await. */
export function forAsyncIteration(message: string | undefined, x: unknown, entry: Function): unknown {
  if (message === undefined) return x;
  return lacksIterators(x) ? { [Symbol.asyncIterator]: throwing(failure(message, x, entry)) } : x;
}

// The entries: a failure of the runtime's own leaves the value to V8, which makes the check itself, with its own message.

export function checkDestructure(site: number, x: unknown): unknown {
  try {
    return forDestructuring(siteTuple(site)?.[SITE.message] ?? undefined, x, checkDestructure);
  } catch (err) {
    internalError('checking a value', err);
    return x;
  }
}

export function checkConstruct(site: number, x: unknown): unknown {
  try {
    const tuple = siteTuple(site);
    return forConstruction(tuple?.[SITE.message] ?? undefined, tuple?.[SITE.argsSuspend] === 1, x, checkConstruct);
  } catch (err) {
    internalError('checking a value', err);
    return x;
  }
}

export function checkAsyncIterable(site: number, x: unknown): unknown {
  try {
    return forAsyncIteration(siteTuple(site)?.[SITE.message] ?? undefined, x, checkAsyncIterable);
  } catch (err) {
    internalError('checking a value', err);
    return x;
  }
}
