/**
 * Follows the program's async tasks with Node's own hooks and gives every
 * event (one callback run, atomic) its place in the happens-before order.
 *
 * Promises are followed with `v8.promiseHooks` (cheaper per await than
 * async_hooks); every other resource (timers, immediates, ticks, I/O) with
 * `async_hooks`. This module is the only one that knows about either.
 *
 * Edges: creation (the event that makes a resource or promise is before every
 * run of it), resolution (the event that settles a promise is before its
 * reactions), joins (a Promise.all result after its inputs), successive runs of
 * one interval timer, and acquire/release.
 */
import { createHook, executionAsyncResource } from 'node:async_hooks';
import { types } from 'node:util';
import { promiseHooks } from 'node:v8';
import type { Frame } from './api';
import { EMPTY, afterEverything, join, tick, type Clock, type Epoch } from './clock';
import { currentFrame, setFrame } from './shadow-stack';
import { SafeWeakMap } from './safe-collections';

/** Where an event's callback came from: a promise or another async resource. */
export interface Source {
  /** Clock of the creating event. */
  readonly clock: Clock;
  /** The creating event (its chain may be extended by the first run). */
  readonly creator: Ev | null;
  /** Shadow call stack where the resource was created. */
  readonly frame: Frame | null;
  /** For a promise: the promise this one reacts to (then/await), whose resolution it follows. */
  readonly parent: Source | null;
  /** For a promise: clock of the event that settled it. */
  resolved: Clock | null;
  /** For a resource whose callback runs repeatedly in order (intervals): its last run. */
  last: Clock | null;
  /** Task number, given when a report first names it. */
  task: number;
}

/** One event: an atomic callback run, or the main script. */
export interface Ev extends Epoch {
  /** Grows only by acquire(), which adds edges to the whole (atomic) event. */
  clock: Clock;
  readonly src: Source | null;
  /** False once the callback returned. */
  running: boolean;
}

const rootEpoch = tick(EMPTY, null);
/** The main script's event. */
export const root: Ev = { ...rootEpoch, src: null, running: true };

/**
 * The event running now; null at top level once the main script is over,
 * where only 'beforeExit' and 'exit' listeners run: they come after every
 * event, and get such an event when they first need one.
 */
let current: Ev | null = root;
const outer: Array<{ ev: Ev | null; frame: Frame | null }> = [];

const promises = new SafeWeakMap<Promise<unknown>, Source>();
const resources = new SafeWeakMap<object, Source>();
/** Inputs of a Promise.all / allSettled result, joined when it settles. */
const joins = new SafeWeakMap<Promise<unknown>, Promise<unknown>[]>();
/** Clocks released on a synchronisation object (Go's RaceRelease). */
const released = new SafeWeakMap<object, Clock>();

function afterAll(): Ev {
  const e = tick(afterEverything(), null);
  return { chain: e.chain, time: e.time, clock: e.clock, src: null, running: true };
}

/** The event running now. */
export function currentEvent(): Ev {
  return current ?? (current = afterAll());
}

function source(parent: Source | null): Source {
  const ev = currentEvent();
  return { clock: ev.clock, creator: ev, frame: currentFrame(), parent, resolved: null, last: null, task: 0 };
}

function enter(src: Source | undefined, pred: Clock): void {
  // A callback runs only once the main script is over: from then on, code at top level (beforeExit,
  // exit listeners) comes after every event, in a fresh event each time it runs.
  if (current === root) root.running = false;
  outer[outer.length] = { ev: outer.length ? current : null, frame: currentFrame() };
  const e = tick(pred, src?.creator ?? null);
  current = { chain: e.chain, time: e.time, clock: e.clock, src: src ?? null, running: true };
  setFrame(src ? src.frame : null);
}

function leave(): void {
  if (current) current.running = false;
  const o = outer.length ? outer[outer.length - 1] : undefined;
  if (o) {
    outer.length--;
    current = o.ev;
    setFrame(o.frame);
  } else {
    current = null;
    setFrame(null);
  }
}

function onPromiseInit(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  promises.set(promise, source(parent ? promises.get(parent) ?? null : null));
}

function onPromiseSettled(promise: Promise<unknown>): void {
  const src = promises.get(promise);
  if (!src) return;
  let clock = currentEvent().clock;
  const inputs = joins.get(promise);
  if (inputs) for (let i = 0; i < inputs.length; i++) clock = join(clock, promises.get(inputs[i]!)?.resolved);
  src.resolved = clock;
}

function onPromiseBefore(promise: Promise<unknown>): void {
  const src = promises.get(promise);
  enter(src, src ? join(src.clock, src.parent?.resolved) : EMPTY);
}

function onResourceInit(_id: number, type: string, _trigger: number, resource: object): void {
  if (type === 'PROMISE') return;
  resources.set(resource, source(null));
}

function onResourceBefore(): void {
  const resource = executionAsyncResource();
  // async_hooks reports promise reactions too; those are followed by the promise hooks.
  if (types.isPromise(resource)) return;
  const src = resources.get(resource);
  enter(src, src ? join(src.clock, src.last) : EMPTY);
}

function onResourceAfter(): void {
  const resource = executionAsyncResource();
  if (types.isPromise(resource)) return;
  const src = resources.get(resource);
  if (src) src.last = currentEvent().clock;
  leave();
}

let stop: (() => void) | null = null;

/** Starts following async tasks. Idempotent. */
export function startTracking(): void {
  if (stop) return;
  const stopPromises = promiseHooks.createHook({
    init: onPromiseInit,
    settled: onPromiseSettled,
    before: onPromiseBefore,
    after: leave,
  });
  // Promises are followed by the promise hooks above. Where Node supports it (24.x), async_hooks is told
  // not to track them at all: no double work, and no async-id symbols stamped on the program's promises.
  const callbacks = { init: onResourceInit, before: onResourceBefore, after: onResourceAfter, trackPromises: false };
  const hook = createHook(callbacks as Parameters<typeof createHook>[0]).enable();
  stop = () => {
    stopPromises();
    hook.disable();
  };
}

/** Stops following async tasks (tests). */
export function stopTracking(): void {
  stop?.();
  stop = null;
}

/**
 * Process exit: whatever runs now ('exit' listeners) comes after every event
 * that ran, since the loop has drained or process.exit() ended it.
 */
export function enterExit(): void {
  outer.length = 0;
  current = afterAll();
  setFrame(null);
}

/** Makes `result` (a Promise.all / allSettled result) settle after every input that has settled by then. */
export function joinPromise(result: unknown, inputs: readonly unknown[]): void {
  if (!types.isPromise(result)) return;
  const ps: Promise<unknown>[] = [];
  // A plain indexed loop: no species, no user-visible method calls.
  for (let i = 0; i < inputs.length; i++) if (types.isPromise(inputs[i])) ps[ps.length] = inputs[i] as Promise<unknown>;
  if (ps.length) joins.set(result, ps);
}

/** Go's RaceRelease: what happened so far in this event is before a later acquire of `obj`. */
export function release(obj: object): void {
  released.set(obj, join(released.get(obj) ?? EMPTY, currentEvent().clock));
}

/** Go's RaceAcquire: this event happens after every release of `obj` so far. */
export function acquire(obj: object): void {
  const r = released.get(obj);
  if (!r) return;
  const ev = currentEvent();
  ev.clock = join(ev.clock, r);
}
