/**
 * Follows the program's async tasks with Node's own hooks and gives every
 * event (one callback run, atomic) its place in the happens-before order.
 *
 * Promises are followed with `v8.promiseHooks` (cheaper per await than
 * async_hooks); every other resource (timers, immediates, ticks, I/O) with
 * `async_hooks`. This module is the only one that knows about either.
 *
 * Every event has two clocks:
 * - causal: what the program asked for. Creation (the event that makes a
 *   resource or promise is before every run of it), resolution (the event
 *   that settles a promise is before its reactions), joins (a Promise.all
 *   result after its inputs), acquire/release.
 * - full: causal plus the orders Node guarantees (docs/semantics.md): nextTick
 *   FIFO; ticks and reactions queued in an event before the timers and
 *   immediates it queued; immediates of one event FIFO; timers of one event
 *   FIFO when the earlier delay is not longer; successive runs of one
 *   interval; reactions of one promise in the order they were registered.
 * Order races use the full clock; atomicity violations use the full clock to
 * ask whether a task could come in between and the causal one to ask whether
 * the program itself put it there (fork-join).
 */
import { createHook, executionAsyncResource } from 'node:async_hooks';
import { types } from 'node:util';
import { promiseHooks } from 'node:v8';
import type { Frame } from './api';
import { EMPTY, beforeAt, join, joinAll, sameClock, stamped, type Clock, type Epoch } from './clock';
import { Chains, afterEverything, markAsked, nextEpoch, offerChain } from './chains';
import { currentFrame, setFrame } from './shadow-stack';
import { Refused, Returns, hiddenSlot } from './hidden-slot';
import { internalError } from './internal-error';
import { SafeMap, SafeWeakMap } from './safe-collections';

type Kind = 'promise' | 'tick' | 'microtask' | 'immediate' | 'timeout' | 'other';

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
  inputs: Array<{ input: Promise<unknown>; reaction: Source | null }> | null;
  /** For a promise: sync objects to release when it settles (releaseOnSettle). */
  onSettle: object[] | null;
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
   * earlier one knew), folded into one clock when first asked for.
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
  const clock = stamped(pred, chain, time);
  const ev: Ev = {
    chain,
    time,
    cchain,
    ctime,
    takenUp: fullChains.taken,
    clock,
    // Most events have no queue-order edge and the same place in both orders: one clock serves as both.
    cclock: cchain === chain && ctime === time && sameClock(pred, cpred) ? clock : stamped(cpred, cchain, ctime),
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

const refused = new Refused<Source>();

/** A promise's source, on the promise itself: a WeakMap entry per promise costs the garbage collector dearly. */
class PromiseSlot extends Returns {
  #src: Source;
  constructor(p: Promise<unknown>, src: Source) {
    super(p);
    this.#src = src;
  }
  static get(p: Promise<unknown>): Source | undefined {
    return #src in p ? (p as unknown as PromiseSlot).#src : refused.get(p);
  }
  static add(p: Promise<unknown>, src: Source): void {
    try {
      new PromiseSlot(p, src);
    } catch {
      refused.set(p, src);
    }
  }
}
const promises = { get: PromiseSlot.get, set: PromiseSlot.add };
const resources = hiddenSlot<Source>();
/** Clocks released on a synchronisation object (Go's RaceRelease): full and causal. */
const released = new SafeWeakMap<object, [Clock, Clock]>();
/** The last nextTick callback that ran, and its clock. */
let lastTick: { src: Source; clock: Clock } | null = null;
/** Listeners of event ends (the detector settles what it deferred to the end of an event). */
const endListeners: Array<(ev: Ev) => void> = [];

function afterAll(): Ev {
  return makeEv(afterEverything(fullChains), afterEverything(causalChains), null, null, null);
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

const isMicro = (src: Source | null): boolean => !!src && (src.kind === 'promise' || src.kind === 'tick' || src.kind === 'microtask');

/** Full clock of the microtasks and ticks drained after `macro` so far. */
function drainOf(macro: Ev | undefined): Clock | null {
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

/** The macrotask in whose drain a microtask was queued: a reaction is queued when its promise settles, if that came later. */
function queuedInMacro(src: Source): Ev | null {
  const p = src.parent;
  if (p?.resolvedMacro && src.creator && p.resolvedSeq > src.creator.seq) return p.resolvedMacro;
  return src.creator ? src.creator.macro : null;
}

/** Node's queue orders that put the run of `src` after other runs (the full clock's extra edges). */
function queueOrder(src: Source, clock: Clock, topLevel: boolean): Clock {
  switch (src.kind) {
    case 'promise':
      // p.then(a); p.then(b): a runs first.
      return join(clock, src.parent?.lastRun);
    case 'tick': {
      // nextTick FIFO, where the program fixes the order the two were queued in: by one event, or by two
      // events of one microtask drain (its order follows from the code alone). Across macrotasks the
      // earlier drain reaches a later callback through its creator (below).
      const t = lastTick;
      const x = t?.src.creator;
      const y = src.creator;
      if (t && x && y && (x === y || (x.macro === y.macro && x.seq < y.seq))) clock = join(clock, t.clock);
      return clock;
    }
    case 'immediate':
      clock = join(clock, src.prev?.last);
      return join(clock, drainOf(src.creator?.macro));
    case 'timeout': {
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

function enter(src: Source | undefined): void {
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
    const pred = queueOrder(src, join(src.clock, src.parent?.resolved), depth === 1);
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

function leave(): void {
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

function onPromiseInit(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  const p = parent ? promises.get(parent) ?? null : null;
  const src = source('promise', p, null, 0);
  if (p) p.lastReaction = src;
  promises.set(promise, src);
}

function onPromiseSettled(promise: Promise<unknown>): void {
  const src = promises.get(promise);
  if (!src) return;
  const ev = currentEvent();
  let clock = ev.clock;
  let cclock = ev.cclock;
  const inputs = src.inputs;
  if (inputs) {
    const full: Array<Clock | null | undefined> = [clock];
    const causal: Array<Clock | null | undefined> = [cclock];
    for (let i = 0; i < inputs.length; i++) {
      const { input, reaction } = inputs[i]!;
      const from = promises.get(input);
      full[full.length] = from?.resolved;
      full[full.length] = reaction?.last;
      causal[causal.length] = from?.cresolved;
      causal[causal.length] = reaction?.clast;
    }
    clock = joinAll(full);
    cclock = joinAll(causal);
  }
  src.resolvedSeq = ev.seq;
  src.resolvedMacro = ev.macro;
  src.resolved = clock;
  src.cresolved = cclock;
  const syncs = src.onSettle;
  if (syncs) {
    src.onSettle = null;
    for (let i = 0; i < syncs.length; i++) release(syncs[i]!);
  }
}

function onPromiseBefore(promise: Promise<unknown>): void {
  enter(promises.get(promise));
}

const KINDS: Record<string, Kind> = { TickObject: 'tick', Microtask: 'microtask', Immediate: 'immediate', Timeout: 'timeout' };

/**
 * Whether async_hooks reports promises (Node before 24 cannot be told not
 * to): it then also calls before/after around every promise reaction, and
 * those calls mark the reactions' events, so that the promise hooks need no
 * before/after of their own (a second hook on every reaction costs as much
 * again). Set once, when tracking starts.
 */
let reactionsViaAsyncHooks = false;

/**
 * Servers by async id: Node makes an accepted connection outside any callback,
 * and names only the server that triggered it.
 */
const servers = new SafeMap<number, Source>();
const SERVER_TYPES: Record<string, boolean> = { TCPSERVERWRAP: true, PIPESERVERWRAP: true };
/** Servers kept (the latest made): a closed one is never told of without a destroy hook, which would cost on every resource. */
const SERVERS_KEPT = 256;

function rememberServer(id: number, src: Source): void {
  if (servers.size >= SERVERS_KEPT) {
    let oldest = -1;
    servers.forEach((_s, k) => {
      if (oldest < 0) oldest = k;
    });
    servers.delete(oldest);
  }
  servers.set(id, src);
}

/**
 * A resource Node makes outside any callback: an accepted connection comes
 * after its server was made (listen), and from nothing else the program did.
 * Any other such resource is put after every event so far, as top-level code is.
 */
function outsideSource(kind: Kind, trigger: number): Source | null {
  const server = servers.get(trigger);
  return server ? sourceAt(kind, server.clock, server.cclock, null, server.frame, null, null, 0) : null;
}

function onResourceInit(id: number, type: string, trigger: number, resource: object): void {
  if (type === 'PROMISE') {
    reactionsViaAsyncHooks = true;
    return;
  }
  const kind = KINDS[type] ?? 'other';
  if (!current) {
    const src = outsideSource(kind, trigger);
    if (src) {
      resources.add(resource, src);
      return;
    }
  }
  const ev = currentEvent();
  let src: Source;
  if (kind === 'immediate') {
    src = source(kind, null, ev.lastImmediate, 0);
    ev.lastImmediate = src;
  } else if (kind === 'timeout') {
    const delay = Number((resource as { _idleTimeout?: unknown })._idleTimeout) || 0;
    src = source(kind, null, null, delay);
    const timers = ev.timers ?? (ev.timers = []);
    timers[timers.length] = src;
  } else {
    src = source(kind, null, null, 0);
    if (SERVER_TYPES[type]) rememberServer(id, src);
  }
  resources.add(resource, src);
}

function onResourceBefore(): void {
  const resource = executionAsyncResource();
  if (types.isPromise(resource)) {
    if (reactionsViaAsyncHooks) enter(promises.get(resource));
    return;
  }
  enter(resources.get(resource));
}

function onResourceAfter(): void {
  if (!reactionsViaAsyncHooks && types.isPromise(executionAsyncResource())) return;
  leave();
}

let started = false;

/** Starts following async tasks. Idempotent. */
export function startTracking(): void {
  if (started) return;
  started = true;
  // Promises are followed by the promise hooks below. Where Node supports it (24.x), async_hooks is told
  // not to track them at all: no double work, and no async-id symbols stamped on the program's promises.
  // A hook that throws would break the program at a promise or a callback: a failure is reported once and
  // that step goes unfollowed (explicit arities: a rest parameter would allocate on every promise).
  const callbacks = {
    init(id: number, type: string, trigger: number, resource: object) {
      try {
        onResourceInit(id, type, trigger, resource);
      } catch (err) {
        internalError('following an async resource', err);
      }
    },
    before() {
      try {
        onResourceBefore();
      } catch (err) {
        internalError('entering a callback', err);
      }
    },
    after() {
      try {
        onResourceAfter();
      } catch (err) {
        internalError('leaving a callback', err);
      }
    },
    trackPromises: false,
  };
  createHook(callbacks as Parameters<typeof createHook>[0]).enable();
  // A promise made now shows whether async_hooks reports promises (onResourceInit notes it).
  void Promise.resolve();

  const reactionHooks = {
    before(promise: Promise<unknown>) {
      try {
        onPromiseBefore(promise);
      } catch (err) {
        internalError('entering a promise reaction', err);
      }
    },
    after() {
      try {
        leave();
      } catch (err) {
        internalError('leaving a promise reaction', err);
      }
    },
  };
  promiseHooks.createHook({
    ...(reactionsViaAsyncHooks ? {} : reactionHooks),
    init(promise, parent) {
      try {
        onPromiseInit(promise, parent);
      } catch (err) {
        internalError('following a promise', err);
      }
    },
    settled(promise) {
      try {
        onPromiseSettled(promise);
      } catch (err) {
        internalError('following a promise', err);
      }
    },
  });
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

/** Makes `result` (a Promise.all / allSettled result) settle after every input that has settled by then. */
export function joinPromise(result: unknown, inputs: readonly unknown[]): void {
  if (!types.isPromise(result)) return;
  const ps: Array<{ input: Promise<unknown>; reaction: Source | null }> = [];
  // A plain indexed loop: no species, no user-visible method calls.
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    if (!types.isPromise(input)) continue;
    // Promise.all has just registered its reaction on the input: the input's latest.
    ps[ps.length] = { input, reaction: promises.get(input)?.lastReaction ?? null };
  }
  const src = promises.get(result);
  if (src && ps.length) src.inputs = ps;
}

/**
 * Go's RaceRelease of `obj` when `promise` settles, in the event that settles
 * it (at once if it has): no reaction is added to the promise, which would
 * change what V8 shows of its async stack. False when the promise is not
 * followed (made before tracking started).
 */
export function releaseOnSettle(promise: Promise<unknown>, obj: object): boolean {
  const src = promises.get(promise);
  if (!src) return false;
  if (src.resolved) release(obj);
  else {
    const syncs = src.onSettle ?? (src.onSettle = []);
    syncs[syncs.length] = obj;
  }
  return true;
}

/** Go's RaceRelease: what happened so far in this event is before a later acquire of `obj`. */
export function release(obj: object): void {
  const ev = currentEvent();
  const r = released.get(obj);
  released.set(obj, [join(r?.[0] ?? EMPTY, ev.clock), join(r?.[1] ?? EMPTY, ev.cclock)]);
}

/** Go's RaceAcquire: this event happens after every release of `obj` so far. */
export function acquire(obj: object): void {
  const r = released.get(obj);
  if (!r) return;
  const ev = currentEvent();
  ev.acquired = true;
  ev.clock = join(ev.clock, r[0]);
  ev.cclock = join(ev.cclock, r[1]);
  forgetAnswers();
}
