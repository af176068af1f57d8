/**
 * Node's queue orders (docs/semantics.md): the edges that put a callback's run
 * after other runs only because Node runs its queues in a fixed order, not
 * because the program asked for it. They make the full clock of an event; the
 * causal clock leaves them out. Pure functions of the events' recorded data:
 * what each rule needs is passed in or reachable from the source.
 */
import { EMPTY, join, type Clock } from './clock';
import type { Ev, Source } from './events';

/** The last nextTick callback that ran, and its full clock. */
export interface LastTick {
  src: Source;
  clock: Clock;
}

/**
 * Full clock of the microtasks and ticks drained after `macro` so far,
 * folded once and kept until the drain goes on.
 *
 * @example
 *   drainOf(timer.creator?.macro) // => the clock every callback of the drain reached
 */
export function drainOf(macro: Ev | null | undefined): Clock | null {
  if (!macro?.drainByChain) return null;
  if (!macro.drain) {
    let d: Clock = macro.drainAcquired ?? EMPTY;
    macro.drainByChain.forEach((c) => {
      d = join(d, c);
    });
    macro.drain = d;
  }
  return macro.drain;
}

/**
 * The full-order predecessors of a run of `src`: `clock` (its causal
 * predecessors, the creating event and what it reacts to) joined with the
 * runs Node's queues put before it. `topLevel`: the callback is not nested in
 * another one (the event loop runs it); `lastTick`: the nextTick callback
 * that ran last.
 *
 * @example
 *   // setImmediate(a); setImmediate(b): b's run follows a's
 *   queueOrder(b, b.clock, true, null) // => join(b.clock, a.last, drain of their creator's macrotask)
 */
export function queueOrder(src: Source, clock: Clock, topLevel: boolean, lastTick: LastTick | null): Clock {
  switch (src.kind) {
    case 'promise':
      // p.then(a); p.then(b): a runs first.
      return join(clock, src.parent?.lastRun);
    case 'tick': {
      // nextTick FIFO, where the program fixes the order the two were queued in: by one event, or by two
      // events of one microtask drain (its order follows from the code alone). Across macrotasks the
      // earlier drain reaches a later callback through its creator (below).
      const x = lastTick?.src.creator;
      const y = src.creator;
      if (lastTick && x && y && (x === y || (x.macro === y.macro && x.seq < y.seq))) clock = join(clock, lastTick.clock);
      return clock;
    }
    case 'immediate':
      // Immediates of one event run in the order they were queued, after that event's microtasks.
      clock = join(clock, src.prev?.last);
      return join(clock, drainOf(src.creator?.macro));
    case 'timeout': {
      // A run of an interval follows its last run; timers of one event run in order when the earlier delay is not longer.
      clock = join(clock, src.last);
      const timers = src.creator?.timers;
      if (timers) {
        for (let i = 0; i < timers.length; i++) {
          const x = timers[i]!;
          if (x !== src && x.seq < src.seq && x.delay <= src.delay) clock = join(clock, x.last);
        }
      }
      return join(clock, drainOf(src.creator?.macro));
    }
    default:
      // A callback the event loop runs (I/O) comes after the whole drain of the macrotask that made its resource.
      return topLevel ? join(clock, drainOf(src.creator?.macro)) : clock;
  }
}
