/**
 * Access checks: each read or write of a key (or of a key set) is checked
 * against the shadow state's earlier accesses, FastTrack-style (one last write,
 * the reads since it), and a conflicting pair that happens-before does not
 * order is a race. The detector decides and hands the race on; it never prints.
 */
import { before } from './clock';
import { currentEvent, type Ev } from './async-context';
import { currentFrame, type Cell } from './shadow-stack';
import { Access, type KeyState, type Shadow } from './shadow-state';
import { captureLive } from './live-stack';
import type { RawAccess, RawRace, RawTask } from './race';
import { SafeSet } from './safe-collections';

export interface DetectorConfig {
  strict: boolean;
  /** Receives each race, once per pair of access sites. */
  onRace: (race: RawRace) => void;
}

let config: DetectorConfig = { strict: false, onRace: () => {} };
const seen = new SafeSet<string>();

export function configureDetector(c: DetectorConfig): void {
  config = c;
}

function ordered(a: Access, ev: Ev): boolean {
  return a.ev === ev || before(a.ev, ev.clock);
}

// Indexed loops and index assignment throughout: the program may have replaced Array.prototype methods.

/** The accesses of `list` that the event `ev` is not ordered after. */
function unordered(list: Access[], ev: Ev): Access[] {
  const out: Access[] = [];
  for (let i = 0; i < list.length; i++) if (!ordered(list[i]!, ev)) out[out.length] = list[i]!;
  return out;
}

function checkAll(shadow: Shadow, ks: KeyState, key: unknown, acc: Access, list: Access[]): void {
  for (let i = 0; i < list.length; i++) if (!ordered(list[i]!, acc.ev)) race(shadow, ks, key, acc, list[i]!);
}

function checkReads(shadow: Shadow, ks: KeyState, key: unknown, acc: Access): void {
  if (ks.rs) checkAll(shadow, ks, key, acc, ks.rs);
  else if (ks.r && !ordered(ks.r, acc.ev)) race(shadow, ks, key, acc, ks.r);
}

/** A read of `key` (or of the key set when `ks` is the shadow's keySet). */
export function read(shadow: Shadow, ks: KeyState, key: unknown, method: string, site: number): void {
  const ev = currentEvent();
  // Same event as the last read or write: nothing new to learn (events are atomic).
  if (ks.r?.ev === ev || (ks.w?.ev === ev && !ks.ws)) return;
  const acc = new Access(ev, false, method, site, currentFrame());
  if (ks.w && !ordered(ks.w, ev)) race(shadow, ks, key, acc, ks.w);
  const clear = shadow.lastClear;
  if (clear && ks !== shadow.keySet && !ordered(clear, ev)) race(shadow, ks, key, acc, clear);
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

/** A write of `key` (or of the key set). */
export function write(shadow: Shadow, ks: KeyState, key: unknown, method: string, site: number): void {
  const ev = currentEvent();
  if (ks.w?.ev === ev && !ks.r) return;
  const acc = new Access(ev, true, method, site, currentFrame());
  if (ks.w && !ordered(ks.w, ev)) race(shadow, ks, key, acc, ks.w);
  const clear = shadow.lastClear;
  if (clear && ks !== shadow.keySet && !ordered(clear, ev)) race(shadow, ks, key, acc, clear);
  checkReads(shadow, ks, key, acc);
  if (ks.ws) checkAll(shadow, ks, key, acc, ks.ws);
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
  if (ks.ws && ks.ws[ks.ws.length - 1]!.ev === ev) return;
  const acc = new Access(ev, true, method, site, currentFrame());
  if (ks.w && !ordered(ks.w, ev)) race(shadow, ks, undefined, acc, ks.w);
  checkReads(shadow, ks, undefined, acc);
  const ws = ks.ws ? unordered(ks.ws, ev) : [];
  ws[ws.length] = acc;
  ks.ws = ws;
}

/** `clear()`: a write of every key and of the key set. */
export function clearAll(shadow: Shadow, site: number): void {
  write(shadow, shadow.keySet, undefined, 'clear', site);
  shadow.forEachPrimitiveKey((ks, key) => write(shadow, ks, key, 'clear', site));
  shadow.lastClear = shadow.keySet.w;
}

let nextTask = 2;
const MAIN_TASK = 1;

function innermostTask(frame: Cell | null): Cell | null {
  for (let f = frame; f; f = f.parent) if (f.awaited) return f;
  return null;
}

/**
 * The task of an access: the innermost async function activation on its shadow
 * stack that has awaited (the access belongs to that function's continuation),
 * else the async resource whose callback ran the event, else the main script.
 */
function taskOf(a: Access): RawTask {
  const cell = innermostTask(a.frame);
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

function race(shadow: Shadow, ks: KeyState, key: unknown, cur: Access, prev: Access): void {
  const pair = cur.site < prev.site ? `${cur.site}:${prev.site}` : `${prev.site}:${cur.site}`;
  if (seen.has(pair)) return;
  seen.add(pair);
  const curTask = taskOf(cur);
  const prevTask = taskOf(prev);
  const current = raw(cur, curTask);
  current.live = captureLive();
  config.onRace({
    kind: config.strict ? 'data-race' : 'order-race',
    object: {
      type: shadow.type,
      id: shadow.id,
      key: ks === shadow.keySet ? undefined : key,
      keySet: ks === shadow.keySet,
      createdSite: shadow.createdSite,
      createdFrame: shadow.createdFrame,
    },
    current,
    previous: raw(prev, prevTask),
    tasks: curTask.id === prevTask.id ? [curTask] : [curTask, prevTask],
  });
}
