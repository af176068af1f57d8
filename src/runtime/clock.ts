/**
 * Vector clocks over chains. A chain is a sequence of events totally ordered by
 * happens-before; an event extends its creator's chain when it is the first
 * event to follow it, so the number of chains follows the number of branches,
 * not the number of events. Clocks are immutable once made: resources and
 * promises keep a reference to the clock of the event that created or resolved
 * them, with no copy.
 *
 * Clocks are sparse: a clock lists only the chains in its event's past. Tasks
 * that nothing joins (a server's requests) each start chains of their own, and
 * a dense clock would carry a slot for every one of them ever started.
 */

/**
 * `[chain, time, chain, time, ...]` in increasing chain order: the latest time
 * on each chain known to happen before; a chain not listed is at time 0.
 */
export type Clock = readonly number[];

export const EMPTY: Clock = Object.freeze([]) as Clock;

/** Head time of every chain: an event may extend a chain only at its head. */
const heads: number[] = [];

/** An event's place in the happens-before order: its chain and its time on it. */
export interface Epoch {
  readonly chain: number;
  readonly time: number;
  readonly clock: Clock;
}

// Indexed loops and index assignment throughout: the program may have replaced Array.prototype methods.

/** The time of `chain` in `c` (0 when not listed). */
export function timeOn(c: Clock, chain: number): number {
  let lo = 0;
  let hi = (c.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const ch = c[mid << 1]!;
    if (ch === chain) return c[(mid << 1) + 1]!;
    if (ch < chain) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Whether `b` knows of a later time than `a` on some chain. */
function adds(a: Clock, b: Clock): boolean {
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    const ch = b[j]!;
    while (i < a.length && a[i]! < ch) i += 2;
    if (i >= a.length || a[i] !== ch || a[i + 1]! < b[j + 1]!) return true;
  }
  return false;
}

/** Elementwise maximum; returns `a` itself when `b` adds nothing. */
export function join(a: Clock, b: Clock | null | undefined): Clock {
  if (!b || b === a || b.length === 0) return a;
  if (a.length === 0) return b;
  if (!adds(a, b)) return a;
  if (!adds(b, a)) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const ca = i < a.length ? a[i]! : Infinity;
    const cb = j < b.length ? b[j]! : Infinity;
    if (ca === cb) {
      const ta = a[i + 1]!;
      const tb = b[j + 1]!;
      out[n++] = ca;
      out[n++] = ta > tb ? ta : tb;
      i += 2;
      j += 2;
    } else if (ca < cb) {
      out[n++] = ca;
      out[n++] = a[i + 1]!;
      i += 2;
    } else {
      out[n++] = cb;
      out[n++] = b[j + 1]!;
      j += 2;
    }
  }
  return out;
}

/**
 * The place of a new event: it extends the chain of `creator` (an epoch of one
 * causal predecessor) when that is still the chain's head; else any chain
 * whose head happens before it by `cpred` (its causal predecessors), since
 * everything on that chain is then before it too; else it starts a chain.
 * Taking up such chains keeps their number, and so every clock's length,
 * near the number of tasks that run side by side, not the number ever run.
 */
export function nextEpoch(creator: { chain: number; time: number } | null, cpred: Clock = EMPTY): { chain: number; time: number } {
  let chain = -1;
  if (creator && heads[creator.chain] === creator.time) chain = creator.chain;
  else {
    for (let i = 0; i < cpred.length; i += 2) {
      const t = cpred[i + 1]!;
      if (t > 0 && heads[cpred[i]!] === t) {
        chain = cpred[i]!;
        break;
      }
    }
    if (chain < 0) {
      chain = heads.length;
      heads[heads.length] = 0;
    }
  }
  const time = heads[chain]! + 1;
  heads[chain] = time;
  return { chain, time };
}

/** The clock of the event at (`chain`, `time`) that happens after `pred`. */
export function stamped(pred: Clock, chain: number, time: number): Clock {
  let at = 0;
  while (at < pred.length && pred[at]! < chain) at += 2;
  const replace = at < pred.length && pred[at] === chain;
  const clock: number[] = new Array<number>(replace ? pred.length : pred.length + 2);
  for (let i = 0; i < at; i++) clock[i] = pred[i]!;
  clock[at] = chain;
  clock[at + 1] = time;
  const skip = replace ? 2 : 0;
  for (let i = at + skip; i < pred.length; i++) clock[i + 2 - skip] = pred[i]!;
  return clock;
}

/** Whether the event at `e` happens before (or is) the event whose clock is `now`. */
export function before(e: Epoch, now: Clock): boolean {
  return timeOn(now, e.chain) >= e.time;
}

/** A clock after every event so far: the head of every chain. */
export function afterEverything(): Clock {
  const clock: number[] = [];
  for (let c = 0; c < heads.length; c++) {
    if (heads[c]! > 0) {
      clock[clock.length] = c;
      clock[clock.length] = heads[c]!;
    }
  }
  return clock;
}

/** How many chains were ever started (at most the number of entries of any clock). */
export function chainCount(): number {
  return heads.length;
}

/**
 * The join of every clock of `clocks`, in one working copy updated in place:
 * the inputs of one Promise.all mostly share their past, so a pairwise join
 * would copy that shared past once per input.
 */
export function joinAll(clocks: Array<Clock | null | undefined>): Clock {
  let acc: number[] | null = null;
  let first: Clock | null = null;
  for (let k = 0; k < clocks.length; k++) {
    const c = clocks[k];
    if (!c || c.length === 0 || c === first) continue;
    if (!first) {
      first = c;
      continue;
    }
    if (!acc) {
      if (!adds(first, c)) continue;
      acc = copy(first);
    }
    let i = 0;
    let missing: number[] | null = null;
    for (let j = 0; j < c.length; j += 2) {
      const ch = c[j]!;
      while (i < acc.length && acc[i]! < ch) i += 2;
      if (i < acc.length && acc[i] === ch) {
        if (acc[i + 1]! < c[j + 1]!) acc[i + 1] = c[j + 1]!;
      } else {
        if (!missing) missing = [];
        missing[missing.length] = ch;
        missing[missing.length] = c[j + 1]!;
      }
    }
    if (missing) acc = join(acc, missing) as number[];
  }
  return acc ?? first ?? EMPTY;
}

function copy(c: Clock): number[] {
  const out = new Array<number>(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i]!;
  return out;
}
