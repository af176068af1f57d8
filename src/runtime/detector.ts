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

export interface DetectorConfig {
  strict: boolean;
  /** Receives each race, once per pair of access sites. */
  onRace: (race: RawRace) => void;
}

let config: DetectorConfig = { strict: false, onRace: () => {} };
const seen = new Set<string>();

export function configureDetector(c: DetectorConfig): void {
  config = c;
}

function ordered(a: Access, ev: Ev): boolean {
  return a.ev === ev || before(a.ev, ev.clock);
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
  if (ks.ws) for (const w of ks.ws) if (!ordered(w, ev)) race(shadow, ks, key, acc, w);
  if (!ks.r) ks.r = acc;
  else if (!ks.rs && ordered(ks.r, ev)) ks.r = acc;
  else {
    const rs = (ks.rs ?? [ks.r]).filter((r) => !ordered(r, ev));
    rs.push(acc);
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
  for (const r of ks.rs ?? (ks.r ? [ks.r] : [])) if (!ordered(r, ev)) race(shadow, ks, key, acc, r);
  if (ks.ws) for (const w of ks.ws) if (!ordered(w, ev)) race(shadow, ks, key, acc, w);
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
  for (const r of ks.rs ?? (ks.r ? [ks.r] : [])) if (!ordered(r, ev)) race(shadow, ks, undefined, acc, r);
  const ws = (ks.ws ?? []).filter((w) => !ordered(w, ev));
  ws.push(acc);
  ks.ws = ws;
}

/** `clear()`: a write of every key and of the key set. */
export function clearAll(shadow: Shadow, site: number): void {
  write(shadow, shadow.keySet, undefined, 'clear', site);
  for (const [key, ks] of shadow.primitiveKeys()) write(shadow, ks, key, 'clear', site);
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
