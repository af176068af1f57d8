/**
 * Slots on objects that only the runtime can see: class private fields added
 * to an object the runtime did not make, through a base constructor that
 * returns its argument. A slot is invisible to reflection, proxies and JSON,
 * dies with its object, and unlike a WeakMap entry costs the garbage
 * collector nothing extra: asyncrace keeps one for every promise the program
 * makes.
 *
 * The hot slots (promises, collections) are classes of their own, so that
 * each keeps its own inline caches; `hiddenSlot()` makes the others. An
 * object that refuses a field (an engine that applies non-extensibility to
 * private fields) is kept in a WeakMap instead.
 *
 * @example
 *   class SourceSlot extends Returns {
 *     #src;
 *     constructor(o, src) { super(o); this.#src = src; }
 *     static get(o) { return #src in o ? o.#src : undefined; }
 *   }
 *   new SourceSlot(promise, src); // stamps promise
 */
import { SafeWeakMap } from './safe-collections';

/** A base class whose constructor returns its argument: a subclass's private fields land on that object. */
export class Returns {
  constructor(o: object) {
    return o;
  }
}

/** Objects that refused a private field, and what they would have held. */
export class Refused<V> {
  private readonly map = new SafeWeakMap<object, V>();
  private used = false;
  get(o: object): V | undefined {
    return this.used ? this.map.get(o) : undefined;
  }
  set(o: object, value: V): void {
    this.used = true;
    this.map.set(o, value);
  }
}

export interface HiddenSlot<V> {
  get(o: object): V | undefined;
  /** Sets the slot of an object that has none yet. */
  add(o: object, value: V): void;
}

/** A new slot: each call evaluates a class of its own, and so a private name of its own. */
export function hiddenSlot<V>(): HiddenSlot<V> {
  const refused = new Refused<V>();
  class Slot extends Returns {
    #value: V;
    constructor(o: object, value: V) {
      super(o);
      this.#value = value;
    }
    static get(o: object): V | undefined {
      return #value in o ? (o as Slot).#value : refused.get(o);
    }
  }
  return {
    get: Slot.get,
    add(o, value) {
      try {
        new Slot(o, value);
      } catch {
        refused.set(o, value);
      }
    },
  };
}
