/**
 * Follows the program's async tasks with Node's own hooks and tells events.ts
 * what happens: a source made, a callback entered and left, a promise
 * settled. Promises are followed with `v8.promiseHooks` (cheaper per await
 * than async_hooks); every other resource (timers, immediates, ticks, I/O)
 * with `async_hooks`. This module is the only one that knows about either,
 * and about the objects Node hands them (promises, resources, async ids).
 */
import { createHook, executionAsyncResource } from 'node:async_hooks';
import { types } from 'node:util';
import { promiseHooks } from 'node:v8';
import { enter, leave, outsideEvents, promiseMade, resourceMade, resourceMadeFor, settled, type JoinInput, type Kind, type Source } from './events';
import { Refused, Returns, hiddenSlot } from './hidden-slot';
import { internalError } from './internal-error';
import { SafeMap } from './safe-collections';

const refused = new Refused<Source>();

/** A promise's source, on the promise itself: a WeakMap entry per promise costs the garbage collector dearly. */
class PromiseSlot extends Returns {
  #src: Source;
  constructor(p: Promise<unknown>, src: Source) {
    super(p);
    this.#src = src;
  }
  static get(p: Promise<unknown>): Source | undefined {
    return #src in p ? (p as unknown as PromiseSlot).#src : refused.get(p);
  }
  static add(p: Promise<unknown>, src: Source): void {
    try {
      new PromiseSlot(p, src);
    } catch {
      refused.set(p, src);
    }
  }
}
const promises = { get: PromiseSlot.get, set: PromiseSlot.add };
const resources = hiddenSlot<Source>();

/** The source of a promise made since tracking started; undefined for any other. */
export function promiseSource(promise: Promise<unknown>): Source | undefined {
  return promises.get(promise);
}

function onPromiseInit(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  promises.set(promise, promiseMade(parent ? promises.get(parent) ?? null : null));
}

function onPromiseSettled(promise: Promise<unknown>): void {
  const src = promises.get(promise);
  if (src) settled(src);
}

function onPromiseBefore(promise: Promise<unknown>): void {
  enter(promises.get(promise));
}

const KINDS: Record<string, Exclude<Kind, 'promise'>> = { TickObject: 'tick', Microtask: 'microtask', Immediate: 'immediate', Timeout: 'timeout' };

/**
 * Whether async_hooks reports promises (Node before 24 cannot be told not
 * to): it then also calls before/after around every promise reaction, and
 * those calls mark the reactions' events, so that the promise hooks need no
 * before/after of their own (a second hook on every reaction costs as much
 * again). Set once, when tracking starts.
 */
let reactionsViaAsyncHooks = false;

/**
 * Servers by async id: Node makes an accepted connection outside any callback,
 * and names only the server that triggered it.
 */
const servers = new SafeMap<number, Source>();
const SERVER_TYPES: Record<string, boolean> = { TCPSERVERWRAP: true, PIPESERVERWRAP: true };
/** Servers kept (the latest made): a closed one is never told of without a destroy hook, which would cost on every resource. */
const SERVERS_KEPT = 256;

function rememberServer(id: number, src: Source): void {
  if (servers.size >= SERVERS_KEPT) {
    let oldest = -1;
    servers.forEach((_s, k) => {
      if (oldest < 0) oldest = k;
    });
    servers.delete(oldest);
  }
  servers.set(id, src);
}

function onResourceInit(id: number, type: string, trigger: number, resource: object): void {
  if (type === 'PROMISE') {
    reactionsViaAsyncHooks = true;
    return;
  }
  const kind = KINDS[type] ?? 'other';
  // An accepted connection comes after its server was made (listen), and from nothing else the program did.
  // Any other resource made outside a callback is put after every event so far, as top-level code is.
  const server = outsideEvents() ? servers.get(trigger) : undefined;
  if (server) {
    resources.add(resource, resourceMadeFor(kind, server));
    return;
  }
  const delay = kind === 'timeout' ? Number((resource as { _idleTimeout?: unknown })._idleTimeout) || 0 : 0;
  const src = resourceMade(kind, delay);
  if (SERVER_TYPES[type]) rememberServer(id, src);
  resources.add(resource, src);
}

function onResourceBefore(): void {
  const resource = executionAsyncResource();
  if (types.isPromise(resource)) {
    if (reactionsViaAsyncHooks) enter(promises.get(resource));
    return;
  }
  enter(resources.get(resource));
}

function onResourceAfter(): void {
  if (!reactionsViaAsyncHooks && types.isPromise(executionAsyncResource())) return;
  leave();
}

let started = false;

/** Starts following async tasks. Idempotent. */
export function startTracking(): void {
  if (started) return;
  started = true;
  // Promises are followed by the promise hooks below. Where Node supports it (24.x), async_hooks is told
  // not to track them at all: no double work, and no async-id symbols stamped on the program's promises.
  // A hook that throws would break the program at a promise or a callback: a failure is reported once and
  // that step goes unfollowed (explicit arities: a rest parameter would allocate on every promise).
  const callbacks = {
    init(id: number, type: string, trigger: number, resource: object) {
      try {
        onResourceInit(id, type, trigger, resource);
      } catch (err) {
        internalError('following an async resource', err);
      }
    },
    before() {
      try {
        onResourceBefore();
      } catch (err) {
        internalError('entering a callback', err);
      }
    },
    after() {
      try {
        onResourceAfter();
      } catch (err) {
        internalError('leaving a callback', err);
      }
    },
    trackPromises: false,
  };
  createHook(callbacks as Parameters<typeof createHook>[0]).enable();
  // A promise made now shows whether async_hooks reports promises (onResourceInit notes it).
  void Promise.resolve();

  const reactionHooks = {
    before(promise: Promise<unknown>) {
      try {
        onPromiseBefore(promise);
      } catch (err) {
        internalError('entering a promise reaction', err);
      }
    },
    after() {
      try {
        leave();
      } catch (err) {
        internalError('leaving a promise reaction', err);
      }
    },
  };
  promiseHooks.createHook({
    ...(reactionsViaAsyncHooks ? {} : reactionHooks),
    init(promise, parent) {
      try {
        onPromiseInit(promise, parent);
      } catch (err) {
        internalError('following a promise', err);
      }
    },
    settled(promise) {
      try {
        onPromiseSettled(promise);
      } catch (err) {
        internalError('following a promise', err);
      }
    },
  });
}

/** Makes `result` (a Promise.all / allSettled result) settle after every input that has settled by then. */
export function joinPromise(result: unknown, inputs: readonly unknown[]): void {
  if (!types.isPromise(result)) return;
  const ps: JoinInput[] = [];
  // A plain indexed loop: no species, no user-visible method calls.
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    if (!types.isPromise(input)) continue;
    // Promise.all has just registered its reaction on the input: the input's latest.
    const src = promises.get(input) ?? null;
    ps[ps.length] = { input: src, reaction: src?.lastReaction ?? null };
  }
  const src = promises.get(result);
  if (src && ps.length) src.inputs = ps;
}
