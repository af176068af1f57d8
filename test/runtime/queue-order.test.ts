/**
 * Node's queue orders as a pure function (src/runtime/queue-order.ts): the
 * full-order predecessors of a callback's run, from the recorded data of its
 * source. Sources and events here are built by hand with only the fields the
 * rules read; clocks are distinct single entries, so that the result shows
 * which predecessors each rule added.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/runtime/clock';
import type { Ev, Kind, Source } from '../../src/runtime/events';
import { drainOf, queueOrder } from '../../src/runtime/queue-order';
import { SafeMap } from '../../src/runtime/safe-collections';

let seq = 0;

/** An event (a macrotask unless `macro` is given) with no drain yet. */
function ev(macro?: Ev): Ev {
  const e = { seq: ++seq, drainByChain: null, drainAcquired: null, drain: null, timers: null } as unknown as Ev & { macro: Ev };
  e.macro = macro ?? e;
  return e;
}

/** A source made by `creator`, with the given fields. */
function src(kind: Kind, creator: Ev | null, fields: Partial<Source> = {}): Source {
  return { kind, creator, clock: [], cclock: [], parent: null, prev: null, delay: 0, seq: ++seq, last: null, lastRun: null, ...fields } as Source;
}

/** Records that a microtask whose full clock is `clock` ran in the drain of `macro`, as events.ts `leave` does. */
function drained(macro: Ev, chain: number, clock: Clock): void {
  const byChain = macro.drainByChain ?? (macro.drainByChain = new SafeMap());
  byChain.set(chain, clock);
  macro.drain = null;
}

const OWN: Clock = [0, 1];

describe('promise reactions', () => {
  it('follow the last reaction of the same promise that ran (registration order)', () => {
    const p = src('promise', null, { lastRun: [5, 2] });
    expect(queueOrder(src('promise', null, { parent: p }), OWN, true, null)).toEqual([0, 1, 5, 2]);
  });
  it('follow nothing else: not a reaction of another promise, nor the drain', () => {
    const script = ev();
    drained(script, 7, [7, 1]);
    expect(queueOrder(src('promise', script, { parent: src('promise', null) }), OWN, true, null)).toEqual(OWN);
  });
});

describe('nextTick FIFO', () => {
  const tick = (creator: Ev) => src('tick', creator);
  it('follows the last tick when one event queued both', () => {
    const e = ev();
    const last = { src: tick(e), clock: [3, 4] };
    expect(queueOrder(tick(e), OWN, true, last)).toEqual([0, 1, 3, 4]);
  });
  it('follows the last tick when two events of one drain queued them, in the order those ran', () => {
    const macro = ev();
    const first = ev(macro);
    const second = ev(macro);
    expect(queueOrder(tick(second), OWN, true, { src: tick(first), clock: [3, 4] })).toEqual([0, 1, 3, 4]);
    // The other way round the code does not fix the order: no edge.
    expect(queueOrder(tick(first), OWN, true, { src: tick(second), clock: [3, 4] })).toEqual(OWN);
  });
  it('does not follow a tick queued in the drain of another macrotask (independent I/O)', () => {
    expect(queueOrder(tick(ev()), OWN, true, { src: tick(ev()), clock: [3, 4] })).toEqual(OWN);
  });
  it('follows nothing when no tick ran, or the last tick has let go of its creator', () => {
    const e = ev();
    expect(queueOrder(tick(e), OWN, true, null)).toEqual(OWN);
    expect(queueOrder(tick(e), OWN, true, { src: src('tick', null), clock: [3, 4] })).toEqual(OWN);
  });
});

describe('immediates', () => {
  it("follow the previous immediate of their event and that event's drain", () => {
    const e = ev();
    drained(e, 7, [7, 2]);
    const prev = src('immediate', e, { last: [4, 1] });
    expect(queueOrder(src('immediate', e, { prev }), OWN, true, null)).toEqual([0, 1, 4, 1, 7, 2]);
  });
  it('follow only their own event: no previous immediate, no drain yet', () => {
    expect(queueOrder(src('immediate', ev()), OWN, true, null)).toEqual(OWN);
  });
});

describe('timers', () => {
  /** Two timers that one event made, with delays `d1` then `d2`; the first ran with clock [4, 1]. */
  function pair(d1: number, d2: number): Source {
    const e = ev();
    const t1 = src('timeout', e, { delay: d1, last: [4, 1] });
    const t2 = src('timeout', e, { delay: d2 });
    e.timers = [t1, t2];
    return t2;
  }
  it('follow an earlier timer of their event whose delay is not longer', () => {
    expect(queueOrder(pair(1, 5), OWN, true, null)).toEqual([0, 1, 4, 1]);
    expect(queueOrder(pair(5, 5), OWN, true, null)).toEqual([0, 1, 4, 1]);
  });
  it('do not follow an earlier timer with a longer delay', () => {
    expect(queueOrder(pair(5, 1), OWN, true, null)).toEqual(OWN);
  });
  it('do not follow a later timer of their event', () => {
    const e = ev();
    const t1 = src('timeout', e, { delay: 1 });
    const t2 = src('timeout', e, { delay: 1, last: [4, 1] });
    e.timers = [t1, t2];
    expect(queueOrder(t1, OWN, true, null)).toEqual(OWN);
  });
  it("follow their own last run (an interval) and their event's drain", () => {
    const e = ev();
    drained(e, 7, [7, 2]);
    expect(queueOrder(src('timeout', e, { last: [4, 3] }), OWN, true, null)).toEqual([0, 1, 4, 3, 7, 2]);
  });
});

describe('I/O and other resources', () => {
  it("run from the event loop after the drain of the macrotask that made them", () => {
    const e = ev();
    drained(e, 7, [7, 2]);
    expect(queueOrder(src('other', e), OWN, true, null)).toEqual([0, 1, 7, 2]);
  });
  it('nested in another callback, follow only their causal predecessors', () => {
    const e = ev();
    drained(e, 7, [7, 2]);
    expect(queueOrder(src('other', e), OWN, false, null)).toEqual(OWN);
  });
});

describe('drainOf', () => {
  it('is null before any microtask of the macrotask ran, and for no macrotask', () => {
    expect(drainOf(ev())).toBeNull();
    expect(drainOf(null)).toBeNull();
  });
  it('joins the latest clock of each chain of the drain, and what acquiring events knew, once until the drain goes on', () => {
    const e = ev();
    drained(e, 7, [7, 2]);
    drained(e, 8, [3, 1, 8, 1]);
    e.drainAcquired = [1, 9];
    const d = drainOf(e);
    expect(d).toEqual([1, 9, 3, 1, 7, 2, 8, 1]);
    expect(drainOf(e)).toBe(d);
    drained(e, 7, [7, 3]);
    expect(drainOf(e)).toEqual([1, 9, 3, 1, 7, 3, 8, 1]);
  });
});
