/**
 * Shadow state: for every tracked collection, the last accesses to each key
 * and to its key set. Held in a WeakMap keyed by the collection so it dies
 * with it; object keys are held weakly too.
 */
import { types } from 'node:util';
import type { Ev } from './events';
import type { Cell } from './shadow-stack';
import { Refused, Returns } from './hidden-slot';
import { SafeMap, SafeWeakMap } from './safe-collections';

export type CollectionType = 'Map' | 'Set' | 'WeakMap' | 'WeakSet';

let accesses = 0;

/** One access as history keeps it: a site id and a shadow stack pointer, no capture. */
export class Access {
  /** A read that found nothing (get undefined, has false). */
  miss = false;
  /** A write with no read of the key before it in its event (its value does not depend on the old one). */
  blind = true;
  /** A read followed by a write of the key in its event (read-modify-write, get-or-create). */
  rmw = false;
  /** Reported as the end of a task's span (its order races are then not reported as well). */
  spanned = false;
  /** Order of the accesses: within one event, which came first. */
  readonly n = ++accesses;
  constructor(
    readonly ev: Ev,
    readonly write: boolean,
    readonly method: string,
    readonly site: number,
    readonly frame: Cell | null,
  ) {}
}

/** The accesses of one key (or of the key set) that later accesses are checked against. */
export class KeyState {
  /** Last write. */
  w: Access | null = null;
  /** Key set only: inserts and deletes since the last clear that are not ordered with one another (they commute). */
  ws: Access[] | null = null;
  /** Last read; with `rs`, the reads not ordered with one another since the last write. */
  r: Access | null = null;
  rs: Access[] | null = null;
  /** The latest events that accessed it, one entry an event and activation (its write if it wrote), oldest first: atomicity spans. */
  hist: Access[] = [];
  /** Whether each entry of `hist` happened before the next (a span check then needs no search). */
  ordered = true;
  /** When the key was last found absent, in its shadow's count of such findings (-1: not since it was made). */
  absentAt = -1;
}

/**
 * Keys found absent (deleted, cleared, or missed by a read) whose state a
 * collection keeps: the latest this many. A collection whose keys come and go
 * (request ids, sessions) then keeps state for the keys in it and for recent
 * ones, not for every key it ever saw; a race on a key gone longer ago is
 * missed, as Go forgets accesses older than its history.
 */
export const ABSENT_KEPT = 4096;

let nextId = 1;

export class Shadow {
  readonly id = nextId++;
  createdSite = 0;
  createdFrame: Cell | null = null;
  /** Accesses to the key set: iteration and size read it; inserts, deletes and clear write it. */
  readonly keySet = new KeyState();
  /** The last clear: a write of every key, checked by every key access. */
  lastClear: Access | null = null;
  private readonly primitive = new SafeMap<unknown, KeyState>();
  private readonly objects = new SafeWeakMap<object, KeyState>();
  /** The latest ABSENT_KEPT primitive keys found absent, a ring; `absentCount` findings so far. */
  private readonly absentRing: unknown[] = [];
  private absentCount = 0;
  constructor(readonly type: CollectionType) {}

  /** The primitive key asked for last, and its state: a get and then a set of one key look it up once. */
  private lastKey: unknown = undefined;
  private lastState: KeyState | null = null;

  /** The state of `key`, made on first use. */
  key(key: unknown): KeyState {
    if (key === this.lastKey && this.lastState) return this.lastState;
    const isObj = (typeof key === 'object' && key !== null) || typeof key === 'function';
    let s = isObj ? this.objects.get(key as object) : this.primitive.get(key);
    if (!s) {
      s = new KeyState();
      if (isObj) this.objects.set(key as object, s);
      else this.primitive.set(key, s);
    }
    // Object keys are not kept: the shadow holds them weakly.
    if (!isObj) {
      this.lastKey = key;
      this.lastState = s;
    }
    return s;
  }

  /**
   * Notes that `key` (whose state is `ks`) was found absent, and forgets the
   * state of the key found absent ABSENT_KEPT findings ago, unless it was
   * found absent again since or `has(collection, key)` says it is back.
   * Object keys are held weakly already.
   */
  noteAbsent(key: unknown, ks: KeyState, collection: object, has: (collection: object, key: unknown) => boolean): void {
    if ((typeof key === 'object' && key !== null) || typeof key === 'function') return;
    const slot = this.absentCount % ABSENT_KEPT;
    if (this.absentCount >= ABSENT_KEPT) {
      const old = this.absentRing[slot];
      const oks = this.primitive.get(old);
      if (oks && oks.absentAt === this.absentCount - ABSENT_KEPT && !has(collection, old)) {
        this.primitive.delete(old);
        if (this.lastState === oks) this.lastState = null;
      }
    }
    this.absentRing[slot] = key;
    ks.absentAt = this.absentCount++;
  }

  /** Visits the key states that exist now (primitive keys only: object keys are held weakly and not enumerable). */
  forEachPrimitiveKey(visit: (ks: KeyState, key: unknown) => void): void {
    this.primitive.forEach(visit);
  }
}

const refused = new Refused<Shadow>();

/** A collection's shadow, on the collection itself: a private field loads faster than a WeakMap lookup and dies with it just the same. */
class ShadowSlot extends Returns {
  #shadow: Shadow;
  constructor(o: object, s: Shadow) {
    super(o);
    this.#shadow = s;
  }
  static get(o: object): Shadow | undefined {
    return #shadow in o ? (o as ShadowSlot).#shadow : refused.get(o);
  }
  static add(o: object, s: Shadow): void {
    try {
      new ShadowSlot(o, s);
    } catch {
      refused.set(o, s);
    }
  }
}

/** The collection type of `o`, or undefined when it is not a Map, Set, WeakMap or WeakSet. */
export function collectionType(o: unknown): CollectionType | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  if (types.isMap(o)) return 'Map';
  if (types.isSet(o)) return 'Set';
  if (types.isWeakMap(o)) return 'WeakMap';
  if (types.isWeakSet(o)) return 'WeakSet';
  return undefined;
}

/** `collectionType(o)`, answered from its shadow once it has one (a field load, where the type checks call into C++). */
export function trackedType(o: unknown): CollectionType | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  const s = ShadowSlot.get(o);
  return s ? s.type : collectionType(o);
}

/** The shadow of a collection of known type, made on first use. */
export function shadowOf(o: object, type: CollectionType): Shadow {
  let s = ShadowSlot.get(o);
  if (!s) {
    s = new Shadow(type);
    ShadowSlot.add(o, s);
  }
  return s;
}
