/**
 * Events and happens-before. An event is one callback run, atomic, or the
 * main script; a source is what a callback runs for (a promise reaction, a
 * timer, an immediate, a tick, an I/O resource). This module gives every
 * event its place in two orders and answers whether one event happens before
 * another. It knows nothing of Node's hooks: node-hooks.ts tells it when a
 * source is made, when a callback enters and leaves, and when a promise
 * settles, so tests can drive it with events of their own.
 *
 * Every event has two clocks:
 * - causal: what the program asked for. Creation (the event that makes a
 *   resource or promise is before every run of it), resolution (the event
 *   that settles a promise is before its reactions), joins (a Promise.all
 *   result after its inputs), acquire/release (sync.ts).
 * - full: causal plus the orders Node guarantees (queue-order.ts).
 * Order races use the full clock; atomicity violations use the full clock to
 * ask whether a task could come in between and the causal one to ask whether
 * the program itself put it there (fork-join).
 */
import type { Frame } from './api';
import { EMPTY, beforeAt, join, joinAll, sameClock, stamped, type Clock, type Epoch } from './clock';
import { Chains, afterEverything, keeps, markAsked, nextEpoch, offerChain } from './chains';
import { drainOf, queueOrder, type LastTick } from './queue-order';
import { currentFrame, setFrame } from './shadow-stack';
import { SafeMap } from './safe-collections';

export type Kind = 'promise' | 'tick' | 'microtask' | 'immediate' | 'timeout' | 'other';

/** Where an event's callback came from: a promise or another async resource. */
export interface Source {
  readonly kind: Kind;
  /** Full and causal clocks of the creating event (the full one takes up its drain once the creator is let go). */
  clock: Clock;
  readonly cclock: Clock;
  /** The creating event (its chain may be extended by the first run). */
  creator: Ev | null;
  /** Shadow call stack where the resource was created. */
  readonly frame: Frame | null;
  /** For a promise: the promise this one reacts to (then/await), whose resolution it follows. */
  parent: Source | null;
  /** Queued just before this one in a FIFO that Node keeps (same event's immediates). */
  prev: Source | null;
  /** A timer's delay. */
  readonly delay: number;
  /** Order of creation. */
  readonly seq: number;
  /**
   * For a promise: when it settled (the settling event's number and its
   * macrotask, not the event itself, which would hold every event before it)
   * and its clocks then.
   */
  resolvedSeq: number;
  resolvedMacro: Ev | null;
  resolved: Clock | null;
  cresolved: Clock | null;
  /** Full and causal clocks of the last run of its callback. */
  last: Clock | null;
  clast: Clock | null;
  /** For a promise: its latest reaction (then/await) so far. */
  lastReaction: Source | null;
  /**
   * For a promise: full clock of the latest of its reactions that ran. Its
   * reactions run in the order they were registered, so a reaction follows
   * every one that ran before it: no list of them is kept (V8 also reports
   * promises that never run as reactions, and a list of those would grow).
   */
  lastRun: Clock | null;
  /** Task number, given when a report first names it. */
  task: number;
  /**
   * For a Promise.all / allSettled result: what it joins when it settles,
   * each input and the reaction Promise.all put on it (the step that records
   * the input's result, which runs before the result can settle).
   */
  inputs: JoinInput[] | null;
  /** For a promise: what to do when it settles, in the settling event (sync.ts releases). */
  onSettle: Array<() => void> | null;
}

/** One input of a join: the input's source, and the reaction the join put on it. */
export interface JoinInput {
  input: Source | null;
  reaction: Source | null;
}

/** One event: an atomic callback run, or the main script. */
export interface Ev extends Epoch {
  /** Its place in the causal order (chain and time on it); `chain` and `time` are its place in the full order. */
  readonly cchain: number;
  readonly ctime: number;
  /** Whether it took up an offered chain in the full order (it need not follow the chain's earlier events). */
  readonly takenUp: boolean;
  /** Both grow only by acquire(), which adds edges to the whole (atomic) event. */
  clock: Clock;
  cclock: Clock;
  readonly src: Source | null;
  /** The macrotask whose microtask drain this event belongs to (itself for a macrotask). */
  readonly macro: Ev;
  readonly seq: number;
  /** False once the callback returned. */
  running: boolean;
  /**
   * The microtasks and ticks drained after this macrotask so far: the full
   * clock of the latest on each chain (a later event on a chain knows all an
   * earlier one knew), folded into one clock when first asked for (queue-order.ts).
   */
  drainByChain: SafeMap<number, Clock> | null;
  /** The drained events that acquired (their clocks grew after their chain went on): joined whole. */
  drainAcquired: Clock | null;
  drain: Clock | null;
  /** Whether acquire() added to this event's clocks. */
  acquired: boolean;
  /** Whether checks may ask whether it happens before another event (see `asked`). */
  asked: boolean;
  /** This event's latest immediate, and its timers. */
  lastImmediate: Source | null;
  timers: Source[] | null;
}

let seq = 0;

/**
 * The last question asked of each order and its answer. A task that goes
 * over many keys in one event asks about the event of its previous pass for
 * each of them: the clocks are searched once. Forgotten when a clock grows
 * (acquire) or a chain is taken up (a new event).
 */
const fullAsked = { a: null as Ev | null, b: null as Ev | null, answer: false };
const causalAsked = { a: null as Ev | null, b: null as Ev | null, answer: false };

function forgetAnswers(): void {
  fullAsked.b = null;
  causalAsked.b = null;
}

/** The chains of the full order and of the causal order. */
const fullChains = new Chains();
const causalChains = new Chains();

function makeEv(pred: Clock, cpred: Clock, creator: Ev | null, src: Source | null, macro: Ev | null): Ev {
  forgetAnswers();
  const chain = creator ? nextEpoch(fullChains, creator.chain, creator.time, pred) : nextEpoch(fullChains, -1, 0, pred);
  const time = fullChains.time;
  // A chain the full order started for it serves the causal order too if that one needs a new chain: one clock then serves both.
  const fresh = fullChains.started ? chain : -1;
  const cchain = creator ? nextEpoch(causalChains, creator.cchain, creator.ctime, cpred, fresh) : nextEpoch(causalChains, -1, 0, cpred, fresh);
  const ctime = causalChains.time;
  const clock = stamped(pred, chain, time, keeps);
  const ev: Ev = {
    chain,
    time,
    cchain,
    ctime,
    takenUp: fullChains.taken,
    clock,
    // Most events have no queue-order edge and the same place in both orders: one clock serves as both.
    cclock: cchain === chain && ctime === time && sameClock(pred, cpred) ? clock : stamped(cpred, cchain, ctime, keeps),
    src,
    macro: null as unknown as Ev,
    seq: ++seq,
    running: true,
    drainByChain: null,
    drainAcquired: null,
    drain: null,
    acquired: false,
    asked: false,
    lastImmediate: null,
    timers: null,
  };
  (ev as { macro: Ev }).macro = macro ?? ev;
  return ev;
}

/** The main script's event. */
export const root: Ev = makeEv(EMPTY, EMPTY, null, null, null);

/**
 * The event running now; null at top level once the main script is over,
 * where only 'beforeExit' and 'exit' listeners run: they come after every
 * event, and get such an event when they first need one.
 */
let current: Ev | null = root;
/** The events and shadow frames that nested callback runs interrupted (two stacks, so that entering allocates nothing). */
const outerEvs: Array<Ev | null> = [];
const outerFrames: Array<Frame | null> = [];
/** How many of each stack are in use: entries past it are cleared, never cut off (setting an array's length costs more than a callback's bookkeeping). */
let depth = 0;

/** The last nextTick callback that ran, and its clock. */
let lastTick: LastTick | null = null;
/** Listeners of event ends (the detector settles what it deferred to the end of an event). */
const endListeners: Array<(ev: Ev) => void> = [];

function afterAll(): Ev {
  return makeEv(afterEverything(fullChains), afterEverything(causalChains), null, null, null);
}

/** Whether no event is running: the main script is over and no callback runs (Node's own code, or exit). */
export function outsideEvents(): boolean {
  return current === null;
}

/** The event running now. */
export function currentEvent(): Ev {
  return current ?? (current = afterAll());
}

/**
 * Notes that checks may ask whether `ev` happens before another event (it
 * accessed a collection): clocks made from now on keep its place. Only such
 * events can be `a` in happensBefore(a, b) and causallyBefore(a, b).
 */
export function asked(ev: Ev): void {
  if (ev.asked) return;
  ev.asked = true;
  markAsked(fullChains, ev.chain, ev.time);
  markAsked(causalChains, ev.cchain, ev.ctime);
}

/** Whether `a` happens before (or is) `b` by the program's own causal edges alone. */
export function causallyBefore(a: Ev, b: Ev): boolean {
  return a === b || ask(causalAsked, a, b);
}

/** Whether `a` happens before (or is) `b`, Node's queue orders included. */
export function happensBefore(a: Ev, b: Ev): boolean {
  return a === b || ask(fullAsked, a, b);
}

/** Whether `a` happens before `b` in the order `memo` remembers the last answer of. */
function ask(memo: typeof fullAsked, a: Ev, b: Ev): boolean {
  if (a === memo.a && b === memo.b) return memo.answer;
  const answer =
    memo === fullAsked ? beforeAt(a.chain, a.time, b.clock, fullChains.forgotten) : beforeAt(a.cchain, a.ctime, b.cclock, causalChains.forgotten);
  memo.a = a;
  memo.b = b;
  memo.answer = answer;
  return answer;
}

/** Calls `listener` at the end of every event. */
export function onEventEnd(listener: (ev: Ev) => void): void {
  endListeners[endListeners.length] = listener;
}

/**
 * A source made by the event running now, at the current shadow frame:
 * `parent` the promise a reaction follows, `prev` the source queued before it
 * in a FIFO of Node's, `delay` a timer's.
 */
function source(kind: Kind, parent: Source | null, prev: Source | null, delay: number): Source {
  const ev = currentEvent();
  return sourceAt(kind, ev.clock, ev.cclock, ev, currentFrame(), parent, prev, delay);
}

function sourceAt(kind: Kind, clock: Clock, cclock: Clock, creator: Ev | null, frame: Frame | null, parent: Source | null, prev: Source | null, delay: number): Source {
  return {
    kind,
    clock,
    cclock,
    creator,
    frame,
    parent,
    prev,
    delay,
    seq: ++seq,
    resolvedSeq: 0,
    resolvedMacro: null,
    resolved: null,
    cresolved: null,
    last: null,
    clast: null,
    lastReaction: null,
    lastRun: null,
    task: 0,
    inputs: null,
    onSettle: null,
  };
}

/**
 * A promise made now; `parent`: the promise it reacts to (then, await), whose
 * reactions then run in the order they were made.
 */
export function promiseMade(parent: Source | null): Source {
  const src = source('promise', parent, null, 0);
  if (parent) parent.lastReaction = src;
  return src;
}

/**
 * Any other async resource made now (a tick, a timer with its `delay`, an
 * immediate, I/O): its runs follow this event, and Node's queue order among
 * the immediates and timers an event makes.
 */
export function resourceMade(kind: Exclude<Kind, 'promise'>, delay = 0): Source {
  const ev = currentEvent();
  if (kind === 'immediate') return (ev.lastImmediate = source(kind, null, ev.lastImmediate, 0));
  const src = source(kind, null, null, kind === 'timeout' ? delay : 0);
  if (kind === 'timeout') {
    const timers = ev.timers ?? (ev.timers = []);
    timers[timers.length] = src;
  }
  return src;
}

/**
 * A resource Node makes outside any callback for another one's sake (an
 * accepted connection, for its server): it follows the event that made
 * `from`, and nothing else.
 */
export function resourceMadeFor(kind: Exclude<Kind, 'promise'>, from: Source): Source {
  return sourceAt(kind, from.clock, from.cclock, null, from.frame, null, null, 0);
}

const isMicro = (src: Source | null): boolean => !!src && (src.kind === 'promise' || src.kind === 'tick' || src.kind === 'microtask');

/** The macrotask in whose drain a microtask was queued: a reaction is queued when its promise settles, if that came later. */
function queuedInMacro(src: Source): Ev | null {
  const p = src.parent;
  if (p?.resolvedMacro && src.creator && p.resolvedSeq > src.creator.seq) return p.resolvedMacro;
  return src.creator ? src.creator.macro : null;
}

/** A callback of `src` starts (undefined: of a source made before tracking started): a new event. */
export function enter(src: Source | undefined): void {
  // A callback runs only once the main script is over: from then on, code at top level (beforeExit,
  // exit listeners) comes after every event, in a fresh event each time it runs.
  if (current === root) root.running = false;
  outerEvs[depth] = depth ? current : null;
  outerFrames[depth] = currentFrame();
  depth++;
  let ev: Ev;
  if (!src) ev = makeEv(EMPTY, EMPTY, null, null, null);
  else {
    const cpred = join(src.cclock, src.parent?.cresolved);
    const pred = queueOrder(src, join(src.clock, src.parent?.resolved), depth === 1, lastTick);
    ev = makeEv(pred, cpred, src.creator, src, isMicro(src) ? queuedInMacro(src) : null);
  }
  current = ev;
  setFrame(src ? src.frame : null);
}

/** The macrotask whose drain is running: that of the outermost callback running (`ev` itself when none is interrupted). */
function drainingMacro(ev: Ev): Ev {
  // outerEvs[0] is what ran before the outermost callback: null, or the main script.
  const outer = depth > 1 ? outerEvs[1] : null;
  return (outer ?? ev).macro;
}

/** Whether an event that a running callback interrupted is on `chain`, in either order. */
function runningOn(chain: number): boolean {
  for (let i = 0; i < depth; i++) {
    const o = outerEvs[i];
    if (o && (o.chain === chain || o.cchain === chain)) return true;
  }
  return false;
}

/** The callback that `enter` started returns: its event ends, and the one it interrupted goes on. */
export function leave(): void {
  const ev = current;
  if (ev) {
    ev.running = false;
    const src = ev.src;
    if (src) {
      src.last = ev.clock;
      src.clast = ev.cclock;
      if (src.kind === 'promise') {
        if (src.parent) src.parent.lastRun = ev.clock;
        // A reaction runs once: what it came from is no longer needed, and kept it would hold
        // every earlier event of the task, and their clocks, for as long as the task lives.
        src.parent = null;
        src.creator = null;
      }
      if (src.kind === 'tick') {
        // Only the latest tick's creator is asked about again (nextTick FIFO).
        if (lastTick) lastTick.src.creator = null;
        lastTick = { src, clock: ev.clock };
      }
      if (src.kind === 'immediate') {
        // An immediate runs once; the next one of its event has taken what it needs.
        src.creator = null;
        src.prev = null;
      }
      if ((src.kind === 'other' || src.kind === 'timeout') && src.creator && src.creator.macro !== drainingMacro(ev)) {
        // A resource that runs again (a socket, an interval) needs no more of the event that made it than
        // that event's drain, over once another macrotask runs: kept as a clock, so that its callbacks do
        // not hold every event before them (each creator holds its own, back to the start).
        src.clock = join(src.clock, drainOf(src.creator.macro));
        src.creator = null;
      }
      if (isMicro(src)) {
        const m = ev.macro;
        const byChain = m.drainByChain ?? (m.drainByChain = new SafeMap());
        // An event that took up an offered chain need not follow the chain's last event: joined, not replaced.
        byChain.set(ev.chain, ev.takenUp ? join(byChain.get(ev.chain) ?? EMPTY, ev.clock) : ev.clock);
        if (ev.acquired) m.drainAcquired = join(m.drainAcquired ?? EMPTY, ev.clock);
        m.drain = null;
      }
    }
    for (let i = 0; i < endListeners.length; i++) endListeners[i]!(ev);
    // Not the chain of a callback that is still running (this one was nested in it): it may access later.
    if (!runningOn(ev.chain)) offerChain(fullChains, ev.chain, ev.time);
    if (!runningOn(ev.cchain)) offerChain(causalChains, ev.cchain, ev.ctime);
  }
  if (depth) {
    depth--;
    current = outerEvs[depth]!;
    setFrame(outerFrames[depth]!);
    outerEvs[depth] = null;
    outerFrames[depth] = null;
  } else {
    current = null;
    setFrame(null);
  }
}

/**
 * The promise of `src` settles now: its reactions follow this event, and a
 * join's result also follows each input and the step that took its result.
 */
export function settled(src: Source): void {
  const ev = currentEvent();
  let clock = ev.clock;
  let cclock = ev.cclock;
  const inputs = src.inputs;
  if (inputs) {
    const full: Array<Clock | null | undefined> = [clock];
    const causal: Array<Clock | null | undefined> = [cclock];
    for (let i = 0; i < inputs.length; i++) {
      const { input, reaction } = inputs[i]!;
      full[full.length] = input?.resolved;
      full[full.length] = reaction?.last;
      causal[causal.length] = input?.cresolved;
      causal[causal.length] = reaction?.clast;
    }
    clock = joinAll(full);
    cclock = joinAll(causal);
  }
  src.resolvedSeq = ev.seq;
  src.resolvedMacro = ev.macro;
  src.resolved = clock;
  src.cresolved = cclock;
  const actions = src.onSettle;
  if (actions) {
    src.onSettle = null;
    for (let i = 0; i < actions.length; i++) actions[i]!();
  }
}

/**
 * The event running now also happens after what `clock` and `cclock` (full
 * and causal) know: an acquire (sync.ts), which adds edges to the whole,
 * atomic event.
 */
export function joinIntoCurrent(clock: Clock, cclock: Clock): void {
  const ev = currentEvent();
  ev.acquired = true;
  ev.clock = join(ev.clock, clock);
  ev.cclock = join(ev.cclock, cclock);
  forgetAnswers();
}

/**
 * Process exit: whatever runs now ('exit' listeners) comes after every event
 * that ran, since the loop has drained or process.exit() ended it.
 */
export function enterExit(): void {
  // The event that called process.exit() ends here.
  if (current) for (let i = 0; i < endListeners.length; i++) endListeners[i]!(current);
  for (let i = 0; i < depth; i++) {
    outerEvs[i] = null;
    outerFrames[i] = null;
  }
  depth = 0;
  current = afterAll();
  setFrame(null);
}
