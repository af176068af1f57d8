/**
 * Map, WeakMap and Set for asyncrace's own bookkeeping, with their methods
 * fixed when this module loads: a program that patches or spies on
 * Map.prototype never sees (or breaks) the runtime's calls. Iterate them with
 * forEach, not for..of (the iterators' `next` lives on a shared prototype).
 */
function fixMethods(original: { prototype: object }, safe: { prototype: object }): void {
  for (const key of Reflect.ownKeys(original.prototype)) {
    if (key === 'constructor') continue;
    Reflect.defineProperty(safe.prototype, key, Reflect.getOwnPropertyDescriptor(original.prototype, key)!);
  }
  Object.freeze(safe.prototype);
}

// Explicit constructors: the implicit one spreads its arguments through Array.prototype[Symbol.iterator].
export class SafeMap<K, V> extends Map<K, V> {
  constructor() {
    super();
  }
}
export class SafeWeakMap<K extends object, V> extends WeakMap<K, V> {
  constructor() {
    super();
  }
}
export class SafeSet<T> extends Set<T> {
  constructor() {
    super();
  }
}

fixMethods(Map, SafeMap);
fixMethods(WeakMap, SafeWeakMap);
fixMethods(Set, SafeSet);
