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
import { EMPTY, join, tick, type Clock, type Epoch } from './clock';
import { currentFrame, setFrame } from './shadow-stack';

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

let current: Ev = root;
const outer: Array<{ ev: Ev; frame: Frame | null }> = [];

const promises = new WeakMap<Promise<unknown>, Source>();
const resources = new WeakMap<object, Source>();
/** Inputs of a Promise.all / allSettled result, joined when it settles. */
const joins = new WeakMap<Promise<unknown>, Promise<unknown>[]>();
/** Clocks released on a synchronisation object (Go's RaceRelease). */
const released = new WeakMap<object, Clock>();

/** The event running now. */
export function currentEvent(): Ev {
  return current;
}

function source(parent: Source | null): Source {
  return { clock: current.clock, creator: current, frame: currentFrame(), parent, resolved: null, last: null, task: 0 };
}

function enter(src: Source | undefined, pred: Clock): void {
  outer.push({ ev: current, frame: currentFrame() });
  const e = tick(pred, src?.creator ?? null);
  current = { chain: e.chain, time: e.time, clock: e.clock, src: src ?? null, running: true };
  setFrame(src ? src.frame : null);
}

function leave(): void {
  current.running = false;
  const o = outer.pop();
  if (o) {
    current = o.ev;
    setFrame(o.frame);
  } else {
    current = root;
    setFrame(null);
  }
}

function onPromiseInit(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  promises.set(promise, source(parent ? promises.get(parent) ?? null : null));
}

function onPromiseSettled(promise: Promise<unknown>): void {
  const src = promises.get(promise);
  if (!src) return;
  let clock = current.clock;
  const inputs = joins.get(promise);
  if (inputs) for (const p of inputs) clock = join(clock, promises.get(p)?.resolved);
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
  if (src) src.last = current.clock;
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
  const hook = createHook({ init: onResourceInit, before: onResourceBefore, after: onResourceAfter }).enable();
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

/** Makes `result` (a Promise.all / allSettled result) settle after every input that has settled by then. */
export function joinPromise(result: unknown, inputs: readonly unknown[]): void {
  if (!types.isPromise(result)) return;
  const ps: Promise<unknown>[] = [];
  // A plain indexed loop: no species, no user-visible method calls.
  for (let i = 0; i < inputs.length; i++) if (types.isPromise(inputs[i])) ps.push(inputs[i] as Promise<unknown>);
  if (ps.length) joins.set(result, ps);
}

/** Go's RaceRelease: what happened so far in this event is before a later acquire of `obj`. */
export function release(obj: object): void {
  released.set(obj, join(released.get(obj) ?? EMPTY, current.clock));
}

/** Go's RaceAcquire: this event happens after every release of `obj` so far. */
export function acquire(obj: object): void {
  const r = released.get(obj);
  if (!r) return;
  current.clock = join(current.clock, r);
}
