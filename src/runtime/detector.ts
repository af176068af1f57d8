/**
 * Access checks. Each read or write of a key (or of a key set) is checked
 * against the shadow state's earlier accesses; the detector decides what is a
 * race and hands it on, it never prints. Two classes (docs/semantics.md):
 *
 * - atomicity violation: a task's two accesses to a key in different events
 *   of its own continuation, and another task's access that can fall between
 *   them and makes the three unserializable (R W R, W W R, R W W, W R W);
 * - order race: two accesses, at least one a write, that happens-before does
 *   not order and whose outcome depends on the order. Events are atomic, so a
 *   read-modify-write or a get-or-create inside one event commutes with
 *   another: only blind writes race with each other, and a read races with a
 *   write only if it uses the value without writing the key in its event
 *   (decided when its event ends).
 *
 * `strict=1` reports every unordered conflicting pair, as Go does.
 */
import { asked, currentEvent, happensBefore, causallyBefore, onEventEnd, type Ev } from './events';
import { currentFrame, type Cell } from './shadow-stack';
import { Access, type KeyState, type Shadow } from './shadow-state';
import { awaitedTask, comesBetweenInEvent, sameTask } from './spans';
import { captureLive } from './live-stack';
import { internalError } from './internal-error';
import { SafeSet } from './safe-collections';
import type { RaceKind, RawAccess, RawRace, RawTask } from './race';

export interface DetectorConfig {
  strict: boolean;
  /** Events kept per key for atomicity spans (history_size): an access is checked against this many. */
  history: number;
  /** Receives each race, once per pair of access sites (what it throws is reported as an internal error). */
  onRace: (race: RawRace) => void;
}

let config: DetectorConfig = { strict: false, history: 8, onRace: () => {} };
const seen = new SafeSet<string>();
/**
 * Read sites seen to go on to write the key in the same event (get-or-create,
 * read-modify-write, take-if-present): what such a site reads decides an
 * atomic update, also on the runs where it then finds nothing to do.
 */
const updatingSites = new SafeSet<number>();
export function configureDetector(c: DetectorConfig): void {
  config = c;
}

// Indexed loops and index assignment throughout: the program may have replaced Array.prototype methods.

/** Order races whose read side is decided when its event ends (it may still write the key). */
interface Pending {
  shadow: Shadow;
  ks: KeyState;
  key: unknown;
  read: Access;
  /** The write it conflicts with; none for a read's atomicity check. */
  write: Access | null;
}
let pending: Pending[] = [];

/** True while races are settled at an event's end: no frame of the access is live then. */
let settling = false;

onEventEnd((ev) => {
  if (!pending.length) return;
  const list = pending;
  pending = [];
  settling = true;
  try {
    // A read's span first: a read whose event went on to write the key was checked as that write, and a
    // read at a site seen to go on to write it is a re-check: the task acts on what it reads now, and
    // carries nothing across the await (also on the runs where it then finds nothing to do).
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p.read.ev === ev && !p.write && !p.read.rmw && !updatingSites.has(p.read.site) && checkSpan(p.shadow, p.ks, p.key, p.read)) p.read.spanned = true;
    }
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p.read.ev !== ev) {
        pending[pending.length] = p;
        continue;
      }
      if (!p.write || p.read.spanned) continue;
      if (!p.read.rmw && !updatingSites.has(p.read.site)) race('order-race', p.shadow, p.ks, p.key, p.read, p.write);
    }
  } finally {
    settling = false;
  }
});

function ordered(a: Access, ev: Ev): boolean {
  return happensBefore(a.ev, ev);
}

/** The accesses of `list` that the event `ev` is not ordered after. */
function unordered(list: Access[], ev: Ev): Access[] {
  const out: Access[] = [];
  for (let i = 0; i < list.length; i++) if (!ordered(list[i]!, ev)) out[out.length] = list[i]!;
  return out;
}

/** A conflicting pair that nothing orders: the class it belongs to, or none (safe by atomicity of events). */
function conflict(shadow: Shadow, ks: KeyState, key: unknown, cur: Access, prev: Access): void {
  if (config.strict) {
    race('data-race', shadow, ks, key, cur, prev);
    return;
  }
  if (cur.write && prev.write) {
    if (cur.blind && prev.blind) race('order-race', shadow, ks, key, cur, prev);
    return;
  }
  const read = cur.write ? prev : cur;
  const write = cur.write ? cur : prev;
  if (read === cur) pending[pending.length] = { shadow, ks, key, read, write };
  else if (!read.rmw && !updatingSites.has(read.site)) race('order-race', shadow, ks, key, cur, prev);
}

function checkAll(shadow: Shadow, ks: KeyState, key: unknown, acc: Access, list: Access[]): void {
  for (let i = 0; i < list.length; i++) if (!ordered(list[i]!, acc.ev)) conflict(shadow, ks, key, acc, list[i]!);
}

function checkReads(shadow: Shadow, ks: KeyState, key: unknown, acc: Access): void {
  if (ks.rs) checkAll(shadow, ks, key, acc, ks.rs);
  else if (ks.r && !ordered(ks.r, acc.ev)) conflict(shadow, ks, key, acc, ks.r);
}

/** The read of the key earlier in the same event, if any. */
function readInEvent(ks: KeyState, ev: Ev): Access | null {
  if (ks.r?.ev === ev) return ks.r;
  const rs = ks.rs;
  if (rs) for (let i = 0; i < rs.length; i++) if (rs[i]!.ev === ev) return rs[i]!;
  return null;
}

/**
 * A write's relation to the reads of its own event: read-modify-write,
 * get-or-create, or blind. Reading the key set (iterating) reads every key.
 */
function noteWrite(shadow: Shadow, ks: KeyState, acc: Access): void {
  const r = readInEvent(ks, acc.ev);
  if (r) {
    acc.blind = false;
    r.rmw = true;
    updatingSites.add(r.site);
  }
  // Every other read of the key in this event takes part in the update too (a cache's get() reads
  // the miss, then its set() reads it again before writing): the history holds one per activation.
  const hist = ks.hist;
  for (let i = hist.length - 1; i >= 0 && hist[i]!.ev === acc.ev; i--) {
    const h = hist[i]!;
    if (h.write || h.rmw) continue;
    acc.blind = false;
    h.rmw = true;
    updatingSites.add(h.site);
  }
  if (ks !== shadow.keySet && readInEvent(shadow.keySet, acc.ev)) acc.blind = false;
}

/** Whether the key was written earlier in the event `ev`. */
function writtenInEvent(ks: KeyState, ev: Ev): boolean {
  return ks.w?.ev === ev || (!!ks.ws && ks.ws[ks.ws.length - 1]!.ev === ev);
}

const UNSERIALIZABLE: Record<string, boolean> = { RWR: true, WWR: true, RWW: true, WRW: true };
const op = (a: Access): string => (a.write ? 'W' : 'R');

/**
 * Whether `b` between `a1` and `a2` (a task's two accesses) makes them
 * unserializable. On the key set, W W R of two inserts or deletes is left alone
 * (they touch different keys). W R W is left alone where the second write removes what the
 * first put there for others to read (an in-flight entry: set, await, delete),
 * or where the read is a get-or-create: the coalescing cache is the fix for a
 * stampede, not a race.
 */
function unserializable(a1: Access, b: Access, a2: Access, keySet: boolean): boolean {
  const pattern = op(a1) + op(b) + op(a2);
  if (!UNSERIALIZABLE[pattern]) return false;
  // Inserts and deletes of different keys commute: the task's own earlier one is not overwritten.
  if (keySet && pattern === 'WWR' && a1.method !== 'clear' && b.method !== 'clear') return false;
  if (pattern === 'WRW' && (a2.method === 'delete' || a2.method === 'clear' || b.rmw || updatingSites.has(b.site))) return false;
  return true;
}

/**
 * Whether the history leaves no room for a span ending at `c`: its latest
 * entry from another event is the task's own, and every entry before that one
 * happened before it (the history is ordered), so none came in between. The
 * common case of a key that one task keeps using, decided without a search.
 */
function noSpan(ks: KeyState, c: Access): boolean {
  if (!ks.ordered) return false;
  const hist = ks.hist;
  for (let i = hist.length - 1; i >= 0; i--) {
    const h = hist[i]!;
    if (h.ev !== c.ev) return sameTask(h, c);
  }
  return true;
}

/** Checks `c` as the second access of a task's span against the key's history; true when it found a violation (reported now or before). */
function checkSpan(shadow: Shadow, ks: KeyState, key: unknown, c: Access): boolean {
  if (noSpan(ks, c)) return false;
  const hist = ks.hist;
  let a1: Access | null = null;
  for (let i = hist.length - 1; i >= 0; i--) {
    const h = hist[i]!;
    if (h.ev !== c.ev && sameTask(h, c)) {
      a1 = h;
      break;
    }
  }
  if (!a1) return false;
  for (let i = hist.length - 1; i >= 0; i--) {
    const b = hist[i]!;
    if (b.ev === c.ev) continue;
    if (b.ev === a1.ev) {
      // In the first access's own event, only the code of another activation that ran after the task
      // suspended: `memoized(); cache.clear()` clears between memoized's check and its use after the await.
      if (!comesBetweenInEvent(a1, b, c)) continue;
    } else {
      // Another task's access, that could have run between the two.
      if (sameTask(b, c) || happensBefore(b.ev, a1.ev)) continue;
      // Put between them by the task itself (fork and join): intended.
      if (causallyBefore(a1.ev, b.ev) && causallyBefore(b.ev, c.ev)) continue;
    }
    if (!unserializable(a1, b, c, ks === shadow.keySet)) continue;
    // Spanned also when this pair was reported before (a third task of a stampede): not an order race then.
    race('atomicity-violation', shadow, ks, key, c, a1, b);
    return true;
  }
  return false;
}

/** Whether two accesses of one activation would take the same part in any span (same op, site and flags). */
function alike(a: Access, b: Access): boolean {
  return a.frame === b.frame && a.write === b.write && a.site === b.site && a.method === b.method && a.rmw === b.rmw && a.blind === b.blind && a.miss === b.miss;
}

/**
 * Keeps one history entry an event and activation (its write if it wrote): tasks in one event stay apart.
 * An activation that repeats the same access event after event (a loop that awaits) keeps only its
 * latest two: the older one is the first of no span any more (the later one is), and the later one
 * comes between any two accesses the older one came between.
 */
function remember(ks: KeyState, acc: Access): void {
  const hist = ks.hist;
  const n = hist.length;
  const last = n ? hist[n - 1]! : null;
  if (last && last.ev === acc.ev && last.frame === acc.frame) {
    if (acc.write || !last.write) hist[n - 1] = acc;
    return;
  }
  if (last && last.ev !== acc.ev) {
    const after = happensBefore(last.ev, acc.ev);
    if (!after) ks.ordered = false;
    else if (n >= 2 && last.frame === acc.frame && causallyBefore(last.ev, acc.ev)) {
      const prev = hist[n - 2]!;
      if (prev.ev !== last.ev && alike(prev, last) && causallyBefore(prev.ev, last.ev)) {
        hist[n - 2] = last;
        hist[n - 1] = acc;
        return;
      }
    }
  }
  if (hist.length >= config.history) {
    for (let i = 1; i < hist.length; i++) hist[i - 1] = hist[i]!;
    hist[hist.length - 1] = acc;
    // The entry that broke the order may be the one just dropped.
    if (!ks.ordered) ks.ordered = isOrdered(hist);
  } else hist[hist.length] = acc;
}

/** Whether each entry of `hist` happened before (or in the event of) the next. */
function isOrdered(hist: Access[]): boolean {
  for (let i = 1; i < hist.length; i++) if (hist[i - 1]!.ev !== hist[i]!.ev && !happensBefore(hist[i - 1]!.ev, hist[i]!.ev)) return false;
  return true;
}

/** A read of `key` (or of the key set when `ks` is the shadow's keySet); `miss`: it found nothing. */
export function read(shadow: Shadow, ks: KeyState, key: unknown, method: string, site: number, miss = false): void {
  const ev = currentEvent();
  const frame = currentFrame();
  // Same event and activation as the last read or write: nothing new to learn (events are atomic).
  if ((ks.r?.ev === ev && ks.r.frame === frame) || (ks.w?.ev === ev && ks.w.frame === frame && !ks.ws)) return;
  asked(ev);
  const acc = new Access(ev, false, method, site, frame);
  acc.miss = miss;
  // A read after its event wrote the key is part of that event's update, not one that assumes a value.
  if (writtenInEvent(ks, ev)) acc.rmw = true;
  // Whether it ends a span is known when its event ends: if the event writes the key, the write does.
  if (!config.strict && ks.hist.length && !noSpan(ks, acc)) pending[pending.length] = { shadow, ks, key, read: acc, write: null };
  else if (config.strict) checkSpan(shadow, ks, key, acc);
  remember(ks, acc);
  if (ks.w && !ordered(ks.w, ev)) conflict(shadow, ks, key, acc, ks.w);
  const clear = shadow.lastClear;
  if (clear && ks !== shadow.keySet && !ordered(clear, ev)) conflict(shadow, ks, key, acc, clear);
  if (ks.ws) checkAll(shadow, ks, key, acc, ks.ws);
  if (!ks.r) ks.r = acc;
  else if (!ks.rs && ordered(ks.r, ev)) ks.r = acc;
  else {
    const rs = unordered(ks.rs ?? [ks.r], ev);
    rs[rs.length] = acc;
    ks.r = acc;
    ks.rs = rs.length > 1 ? rs : null;
  }
}

/** A write of `key` (or of the key set); `readAll`: its event read every key before (iterated). */
export function write(shadow: Shadow, ks: KeyState, key: unknown, method: string, site: number, readAll = false): void {
  const ev = currentEvent();
  const frame = currentFrame();
  if (ks.w?.ev === ev && ks.w.frame === frame && !ks.r) return;
  asked(ev);
  const acc = new Access(ev, true, method, site, frame);
  noteWrite(shadow, ks, acc);
  if (readAll) acc.blind = false;
  const spanned = checkSpan(shadow, ks, key, acc);
  remember(ks, acc);
  if (!spanned) {
    if (ks.w && !ordered(ks.w, ev)) conflict(shadow, ks, key, acc, ks.w);
    const clear = shadow.lastClear;
    if (clear && ks !== shadow.keySet && !ordered(clear, ev)) conflict(shadow, ks, key, acc, clear);
    checkReads(shadow, ks, key, acc);
    if (ks.ws) checkAll(shadow, ks, key, acc, ks.ws);
  }
  ks.w = acc;
  ks.ws = null;
  ks.r = null;
  ks.rs = null;
}

/**
 * An insert or delete: a write of the key set that commutes with other inserts
 * and deletes (of other keys), so it conflicts only with reads of the key set
 * (iteration, size) and with clear.
 */
export function writeKeySet(shadow: Shadow, method: string, site: number): void {
  const ks = shadow.keySet;
  const ev = currentEvent();
  const frame = currentFrame();
  const last = ks.ws ? ks.ws[ks.ws.length - 1]! : null;
  if (last && last.ev === ev && last.frame === frame) return;
  asked(ev);
  const acc = new Access(ev, true, method, site, frame);
  noteWrite(shadow, ks, acc);
  const spanned = checkSpan(shadow, ks, undefined, acc);
  remember(ks, acc);
  if (!spanned) {
    if (ks.w && !ordered(ks.w, ev)) conflict(shadow, ks, undefined, acc, ks.w);
    checkReads(shadow, ks, undefined, acc);
  }
  const ws = ks.ws ? unordered(ks.ws, ev) : [];
  ws[ws.length] = acc;
  ks.ws = ws;
}

/** `clear()`: a write of every key and of the key set. */
export function clearAll(shadow: Shadow, site: number): void {
  // Writing the key set forgets its reads: whether this event iterated is asked first.
  const iterated = !!readInEvent(shadow.keySet, currentEvent());
  write(shadow, shadow.keySet, undefined, 'clear', site);
  shadow.forEachPrimitiveKey((ks, key) => write(shadow, ks, key, 'clear', site, iterated));
  shadow.lastClear = shadow.keySet.w;
}

let nextTask = 2;
const MAIN_TASK = 1;

/**
 * The task of an access as reports name it: the innermost async function
 * activation on its shadow stack that has awaited, else the async resource
 * whose callback ran the event, else the main script.
 */
function taskOf(a: Access): RawTask {
  const cell = awaitedTask(a.frame);
  if (cell) {
    if (!cell.task) cell.task = nextTask++;
    return { id: cell.task, running: !cell.done, createdFrame: cell.parent, createdSite: cell.site };
  }
  const src = a.ev.src;
  if (!src) return { id: MAIN_TASK, running: a.ev.running, createdFrame: null, createdSite: 0 };
  if (!src.task) src.task = nextTask++;
  return { id: src.task, running: a.ev.running, createdFrame: src.frame as Cell | null, createdSite: 0 };
}

function raw(a: Access, task: RawTask): RawAccess {
  return { op: a.write ? 'write' : 'read', method: a.method, task: task.id, site: a.site, frame: a.frame };
}

/** Hands a race on, once per pair of access sites; true when it did. */
function race(kind: RaceKind, shadow: Shadow, ks: KeyState, key: unknown, cur: Access, prev: Access, between?: Access): boolean {
  const pair = cur.site < prev.site ? `${cur.site}:${prev.site}` : `${prev.site}:${cur.site}`;
  if (seen.has(pair)) return false;
  seen.add(pair);
  const tasks: RawTask[] = [];
  const taskIds = (a: Access): number => {
    const t = taskOf(a);
    for (let i = 0; i < tasks.length; i++) if (tasks[i]!.id === t.id) return t.id;
    tasks[tasks.length] = t;
    return t.id;
  };
  const current = raw(cur, { ...taskOf(cur), id: taskIds(cur) });
  // The live stack is the current access's only while it runs (a read settled at its event's end has none).
  if (!settling) current.live = captureLive();
  const previous = raw(prev, { ...taskOf(prev), id: taskIds(prev) });
  const interleaved = between ? raw(between, { ...taskOf(between), id: taskIds(between) }) : undefined;
  const found: RawRace = {
    kind,
    object: {
      type: shadow.type,
      id: shadow.id,
      key: ks === shadow.keySet ? undefined : key,
      keySet: ks === shadow.keySet,
      createdSite: shadow.createdSite,
      createdFrame: shadow.createdFrame,
    },
    current,
    previous,
    ...(interleaved ? { interleaved } : {}),
    tasks,
  };
  try {
    config.onRace(found);
  } catch (err) {
    // The race is handed on inside the program's own call: a failing receiver must not throw into it.
    internalError('reporting a race', err);
  }
  return true;
}
