/**
 * Synchronisation the program makes that no promise or callback shows: Go's
 * RaceRelease and RaceAcquire, for lock libraries' uncontended paths
 * (locks.ts) and for the public `acquire` / `release`.
 */
import { EMPTY, join, type Clock } from './clock';
import { currentEvent, joinIntoCurrent } from './events';
import { promiseSource } from './node-hooks';
import { SafeWeakMap } from './safe-collections';

/** Clocks released on a synchronisation object: full and causal. */
const released = new SafeWeakMap<object, [Clock, Clock]>();

/** Go's RaceRelease: what happened so far in this event is before a later acquire of `obj`. */
export function release(obj: object): void {
  const ev = currentEvent();
  const r = released.get(obj);
  released.set(obj, [join(r?.[0] ?? EMPTY, ev.clock), join(r?.[1] ?? EMPTY, ev.cclock)]);
}

/** Go's RaceAcquire: this event happens after every release of `obj` so far. */
export function acquire(obj: object): void {
  const r = released.get(obj);
  if (r) joinIntoCurrent(r[0], r[1]);
}

/**
 * Go's RaceRelease of `obj` when `promise` settles, in the event that settles
 * it (at once if it has): no reaction is added to the promise, which would
 * change what V8 shows of its async stack. False when the promise is not
 * followed (made before tracking started).
 */
export function releaseOnSettle(promise: Promise<unknown>, obj: object): boolean {
  const src = promiseSource(promise);
  if (!src) return false;
  if (src.resolved) release(obj);
  else {
    const actions = src.onSettle ?? (src.onSettle = []);
    actions[actions.length] = () => release(obj);
  }
  return true;
}
