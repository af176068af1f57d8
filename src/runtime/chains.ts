/**
 * Chains: the sequences of events, each totally ordered by happens-before,
 * that clocks count in (clock.ts). An event extends its creator's chain when
 * it is the first event to follow it, takes up a chain whose head is in its
 * past, or a chain offered when its head ended; only then does it start one.
 * This module hands out chains and knows which of their events checks may ask
 * about; clock.ts does the arithmetic.
 *
 * Each order (full and causal, see events.ts) has chains of its own: an
 * event that only Node's queues put after another (a nextTick after the one
 * queued before it) takes up that one's chain in the full order, where it is
 * ordered, and starts or takes up another in the causal order, where it is
 * not. One space would have to start a chain for every such event, and the
 * full clocks of a long-running program would list them all. Chain ids are
 * shared, so an event on the same chain and time in both orders keeps one
 * clock for both.
 */
import type { Clock } from './clock';

// Indexed loops and index assignment throughout: the program may have replaced Array.prototype methods.

/** The chains of one order: the head time of each (an event may extend a chain only at its head). */
export class Chains {
  readonly heads: number[] = [];
  /**
   * For each chain, the earliest time of an event on it in this order that a
   * check may ask about (0: none so far). Checks ask only about events that
   * accessed a collection, so a clock keeps `chain, time` only when some such
   * event on that chain is at or before `time` (see `keeps`): the rest answers
   * no question. A clock then lists the chains of the accesses in its past,
   * and the many events of Node's own (sockets, streams, ticks) that touch no
   * collection add nothing to it.
   */
  readonly floors: number[] = [];
  /** For each chain: the time of its head when it was offered, 0 when it is not offered. */
  readonly offeredAt: number[] = [];
  /** For each chain: its events up to this time are forgotten (taken up again after QUARANTINE). */
  readonly forgotten: number[] = [];
  /** Chains offered for a new event to take up (see `offerChain`); entries may be stale. */
  readonly free: number[] = [];
  /** Offered chains with events that checks ask about: the latest QUARANTINE, a ring, and those past it. */
  readonly ring: number[] = [];
  waiting = 0;
  readonly aged: number[] = [];
  /** The time nextEpoch gave its last event (returned this way: an object a call would cost the collector). */
  time = 0;
  /** Whether that event took up an offered chain, whose earlier events it need not follow. */
  taken = false;
  /** Whether it started a chain. */
  started = false;
  constructor() {
    spaces[spaces.length] = this;
  }
}

/** Every order's chains: a new id gets a head (0: unused) and the rest in each, so that no array has holes. */
const spaces: Chains[] = [];
/** Chain ids handed out. An event that starts a chain in both orders starts the same one (its clock then serves both). */
let ids = 0;

/** Whether a clock made now keeps `chain, time`: some check may ask about an event on it up to `time`, in either order. */
export function keeps(chain: number, time: number): boolean {
  for (let i = 0; i < spaces.length; i++) {
    const f = spaces[i]!.floors[chain]!;
    if (f !== 0 && f <= time) return true;
  }
  return false;
}

/**
 * Chains with events that checks ask about wait behind this many others of
 * their order before a new event takes one up: the new events then look
 * ordered after those old events, as if their accesses were forgotten, the
 * way Go's detector forgets accesses beyond its history.
 */
export const QUARANTINE = 4096;

/**
 * Offers the chain of a finished event that is still the chain's head: a new
 * event may then take it up without happening after that head. Its time goes
 * on from the head's, so every clock that lists the chain stays below the new
 * events, and only the old events look ordered before them: at once when no
 * check asks about any of them, after QUARANTINE others when one does. The
 * number of chains, and the state kept for each, then follows the events that
 * run side by side, not those ever run.
 */
export function offerChain(chains: Chains, chain: number, time: number): void {
  if (chains.heads[chain] !== time) return;
  const listed = chains.offeredAt[chain] !== 0;
  chains.offeredAt[chain] = time;
  if (listed) return;
  if (chains.floors[chain] === 0) chains.free[chains.free.length] = chain;
  else quarantine(chains, chain);
}

function quarantine(chains: Chains, chain: number): void {
  const slot = chains.waiting++ % QUARANTINE;
  const old = chains.ring[slot];
  chains.ring[slot] = chain;
  if (old !== undefined) chains.aged[chains.aged.length] = old;
}

/** An offered chain whose head is still the event that offered it; -1 if none. */
function takeOffered(chains: Chains): number {
  const { free, aged, heads, offeredAt, floors } = chains;
  while (free.length) {
    const c = free[free.length - 1]!;
    free.length--;
    // Stale when another event extended it since (that one offers it again when it ends).
    if (offeredAt[c] !== heads[c]) offeredAt[c] = 0;
    else if (floors[c] !== 0) quarantine(chains, c);
    else {
      offeredAt[c] = 0;
      return c;
    }
  }
  while (aged.length) {
    const c = aged[aged.length - 1]!;
    aged.length--;
    const t = offeredAt[c]!;
    offeredAt[c] = 0;
    if (t === heads[c]) {
      // Its events so far are forgotten: before every event from now on, so no clock needs to list them.
      chains.forgotten[c] = t;
      floors[c] = 0;
      return c;
    }
  }
  return -1;
}

/** Notes that checks may ask whether the event at (`chain`, `time`) of this order happens before another. */
export function markAsked(chains: Chains, chain: number, time: number): void {
  const f = chains.floors[chain]!;
  if (f === 0 || time < f) chains.floors[chain] = time;
}

/**
 * The chain of a new event in the order of `chains` (its time is then in
 * `chains.time`): it extends the chain of `creator` (an epoch of one
 * predecessor) when that is still the chain's head; else any chain whose head
 * happens before it by `pred` (its predecessors in that order), since
 * everything on that chain is then before it too; else one offered; else it
 * starts one: `fresh` when that is a chain the other order just started for
 * the same event (-1: none), else a new one. Taking up chains keeps their
 * number, and so every clock's length, near the number of tasks that run side
 * by side, not the number ever run.
 */
export function nextEpoch(chains: Chains, creatorChain: number, creatorTime: number, pred: Clock, fresh = -1): number {
  const heads = chains.heads;
  let chain = -1;
  chains.taken = false;
  chains.started = false;
  if (creatorChain >= 0 && heads[creatorChain] === creatorTime) chain = creatorChain;
  else {
    for (let i = 0; i < pred.length; i += 2) {
      const t = pred[i + 1]!;
      if (t > 0 && heads[pred[i]!] === t) {
        chain = pred[i]!;
        break;
      }
    }
    if (chain < 0 && fresh >= 0 && heads[fresh] === 0) chain = fresh;
    if (chain < 0) {
      chain = takeOffered(chains);
      chains.taken = chain >= 0;
    }
    if (chain < 0) {
      chain = ids++;
      for (let i = 0; i < spaces.length; i++) {
        const s = spaces[i]!;
        s.heads[chain] = 0;
        s.floors[chain] = 0;
        s.offeredAt[chain] = 0;
        s.forgotten[chain] = 0;
      }
    }
    chains.started = heads[chain] === 0;
  }
  const time = heads[chain]! + 1;
  heads[chain] = time;
  chains.time = time;
  return chain;
}

/** A clock after every event so far in the order of `chains`: the head of each of its chains. */
export function afterEverything(chains: Chains): Clock {
  const heads = chains.heads;
  const clock: number[] = [];
  for (let c = 0; c < heads.length; c++) {
    const h = heads[c];
    if (h !== undefined && h > 0) {
      clock[clock.length] = c;
      clock[clock.length] = h;
    }
  }
  return clock;
}

/** How many chains were ever started, in both orders. */
export function chainCount(): number {
  return ids;
}

