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

/** Whether two clocks list the same times (a comparison costs less than a copy). */
export function sameClock(a: Clock, b: Clock): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/** Whether a clock made now must keep the entry `chain, time` (see `stamped`). */
export type Keeps = (chain: number, time: number) => boolean;

/**
 * The clock of the event at (`chain`, `time`) that happens after `pred`: its
 * own place, and the entries of `pred` that `keeps` (chains.ts: those a check
 * may still ask about). An entry dropped because no event up to its time was
 * asked about is never needed later: such events have all run (a chain's next
 * event starts after its head ran), so none of them makes an access after this.
 *
 * @example
 *   stamped([0, 3, 2, 1], 1, 5, () => true) // => [0, 3, 1, 5, 2, 1]
 *   stamped([0, 3, 2, 1], 2, 4, (c) => c !== 0) // => [2, 4]
 */
export function stamped(pred: Clock, chain: number, time: number, keeps: Keeps): Clock {
  const clock: number[] = [];
  let n = 0;
  let i = 0;
  for (; i < pred.length && pred[i]! < chain; i += 2) n = keep(clock, n, pred[i]!, pred[i + 1]!, keeps);
  clock[n++] = chain;
  clock[n++] = time;
  if (i < pred.length && pred[i] === chain) i += 2;
  for (; i < pred.length; i += 2) n = keep(clock, n, pred[i]!, pred[i + 1]!, keeps);
  return clock;
}

function keep(clock: number[], n: number, chain: number, time: number, keeps: Keeps): number {
  if (!keeps(chain, time)) return n;
  clock[n] = chain;
  clock[n + 1] = time;
  return n + 2;
}

/**
 * Whether the event at (`chain`, `time`) happens before (or is) the event
 * whose clock is `now`, or is forgotten (`forgotten`: its order's, see chains.ts).
 */
export function beforeAt(chain: number, time: number, now: Clock, forgotten: readonly number[]): boolean {
  return timeOn(now, chain) >= time || time <= forgotten[chain]!;
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
