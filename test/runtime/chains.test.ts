/**
 * Chain allocation (src/runtime/chains.ts): an event extends its creator's
 * chain when it is the first to follow it, takes up a chain whose head is in
 * its past, or one offered when its head ended; only then does it start one.
 * Chains with asked-about events wait in quarantine before they are taken up,
 * and their old events are then forgotten (ordered before every new event).
 *
 * Chain ids are module state shared by every Chains: each test makes its own
 * and names chains by what nextEpoch returned, never by number.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY, beforeAt, join, stamped, type Clock } from '../../src/runtime/clock';
import { Chains, QUARANTINE, afterEverything, keeps, markAsked, nextEpoch, offerChain } from '../../src/runtime/chains';

/** A new event in `chains` after `pred` (creator: its first predecessor, if any); its chain, time and clock. */
function event(chains: Chains, pred: Clock = EMPTY, creator?: { chain: number; time: number }) {
  const chain = nextEpoch(chains, creator?.chain ?? -1, creator?.time ?? 0, pred);
  const time = chains.time;
  return { chain, time, clock: stamped(pred, chain, time, () => true), taken: chains.taken, started: chains.started };
}

describe('nextEpoch', () => {
  it("extends its creator's chain when it is the creator's first follower, and starts another for the second", () => {
    const c = new Chains();
    const a = event(c);
    expect(a.started).toBe(true);
    const first = event(c, a.clock, a);
    expect([first.chain, first.time]).toEqual([a.chain, a.time + 1]);
    expect(first.started).toBe(false);
    // The chain's head is now `first`: a second follower of `a` is not ordered after it, so it gets a chain of its own.
    const second = event(c, a.clock, a);
    expect(second.chain).not.toBe(a.chain);
    expect(second.started).toBe(true);
  });

  it('takes up a chain whose head is in its past when its creator is no longer a head', () => {
    const c = new Chains();
    const a = event(c);
    event(c, a.clock, a); // a's chain moves on: a is no longer its head
    const b = event(c);
    // After a (its creator) and b (a head): b's chain, since all of it is in the event's past.
    const x = event(c, join(a.clock, b.clock), a);
    expect([x.chain, x.time, x.started]).toEqual([b.chain, b.time + 1, false]);
  });

  it('takes up a chain offered when its head ended, its time going on from there', () => {
    const c = new Chains();
    const a = event(c);
    offerChain(c, a.chain, a.time);
    const next = event(c);
    expect([next.chain, next.time, next.taken]).toEqual([a.chain, a.time + 1, true]);
    // Not offered twice: another unrelated event starts a chain.
    expect(event(c).chain).not.toBe(a.chain);
  });

  it('does not take up an offered chain that another event extended since', () => {
    const c = new Chains();
    const a = event(c);
    offerChain(c, a.chain, a.time);
    event(c, a.clock, a); // extends a's chain: the offer is stale
    const next = event(c);
    expect(next.chain).not.toBe(a.chain);
    expect(next.started).toBe(true);
  });

  it('does not offer a chain that is not at the offering event', () => {
    const c = new Chains();
    const a = event(c);
    event(c, a.clock, a);
    offerChain(c, a.chain, a.time);
    expect(c.free).toEqual([]);
  });
});

describe('quarantine', () => {
  it('keeps a chain with asked-about events out of use for QUARANTINE offers, then forgets its events', () => {
    const c = new Chains();
    const old = event(c);
    markAsked(c, old.chain, old.time);
    offerChain(c, old.chain, old.time);
    // Offered but quarantined: the next event does not take it up (it would look ordered after `old`).
    const fresh = event(c);
    expect(fresh.chain).not.toBe(old.chain);
    expect(beforeAt(old.chain, old.time, fresh.clock, c.forgotten)).toBe(false);
    // QUARANTINE more asked-about chains offered: `old` comes out of the ring.
    for (let i = 0; i < QUARANTINE; i++) {
      const e = i === 0 ? fresh : event(c);
      markAsked(c, e.chain, e.time);
      offerChain(c, e.chain, e.time);
    }
    const late = event(c);
    expect([late.chain, late.taken]).toEqual([old.chain, true]);
    // Its earlier events are forgotten: before every event from now on, even one whose clock does not list them.
    expect(c.forgotten[old.chain]).toBe(old.time);
    expect(beforeAt(old.chain, old.time, EMPTY, c.forgotten)).toBe(true);
    expect(c.floors[old.chain]).toBe(0);
  });
});

describe('keeps and markAsked', () => {
  it('keeps an entry once an event at or before its time on that chain was asked about', () => {
    const c = new Chains();
    const a = event(c);
    const b = event(c, a.clock, a);
    expect(keeps(a.chain, b.time)).toBe(false);
    markAsked(c, a.chain, b.time);
    expect(keeps(a.chain, a.time)).toBe(false);
    expect(keeps(a.chain, b.time)).toBe(true);
    expect(keeps(a.chain, b.time + 5)).toBe(true);
    // The floor only moves down.
    markAsked(c, a.chain, a.time);
    markAsked(c, a.chain, b.time);
    expect(keeps(a.chain, a.time)).toBe(true);
  });
});

describe('afterEverything', () => {
  it('lists the head of every chain in use', () => {
    const c = new Chains();
    const a = event(c);
    const b = event(c, a.clock, a);
    const d = event(c);
    const clock = afterEverything(c);
    expect(beforeAt(b.chain, b.time, clock, c.forgotten)).toBe(true);
    expect(beforeAt(d.chain, d.time, clock, c.forgotten)).toBe(true);
    expect(beforeAt(b.chain, b.time + 1, clock, c.forgotten)).toBe(false);
  });
});
