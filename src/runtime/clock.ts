/**
 * Vector clocks over chains. A chain is a sequence of events totally ordered by
 * happens-before; an event extends its creator's chain when it is the first
 * event to follow it, so the number of chains follows the number of branches,
 * not the number of events. Clocks are immutable once made: resources and
 * promises keep a reference to the clock of the event that created or resolved
 * them, with no copy.
 */

/** clock[chain] = the latest time on that chain known to happen before. */
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

/** Elementwise maximum; returns `a` itself when `b` adds nothing. */
export function join(a: Clock, b: Clock | null | undefined): Clock {
  if (!b || b === a || b.length === 0) return a;
  if (a.length === 0) return b;
  let grows = b.length > a.length;
  for (let i = 0; !grows && i < b.length; i++) if (b[i]! > a[i]!) grows = true;
  if (!grows) return a;
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    out[i] = x > y ? x : y;
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
    for (let c = 0; c < cpred.length; c++) {
      if (cpred[c] === heads[c] && cpred[c]! > 0) {
        chain = c;
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
  // A copy by index: the program may have replaced Array.prototype methods.
  const clock: number[] = new Array<number>(Math.max(pred.length, chain + 1));
  for (let i = 0; i < pred.length; i++) clock[i] = pred[i]!;
  for (let i = pred.length; i < clock.length; i++) clock[i] = 0;
  clock[chain] = time;
  return clock;
}

/** Whether the event at `e` happens before (or is) the event whose clock is `now`. */
export function before(e: Epoch, now: Clock): boolean {
  return (now[e.chain] ?? 0) >= e.time;
}

/** A clock after every event so far: the head of every chain. */
export function afterEverything(): Clock {
  const clock: number[] = new Array<number>(heads.length);
  for (let i = 0; i < heads.length; i++) clock[i] = heads[i]!;
  return clock;
}
