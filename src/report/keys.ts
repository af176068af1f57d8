/**
 * Keys as text. A report outlives the key (and must not keep it alive), so the
 * key is rendered once, when the race is collected.
 */
import type { KeyKind } from './types';

/** The text of the whole key set (iteration, size, insert, delete, clear). */
export const KEY_SET_TEXT = '(keys)';

// Stable ids for object keys: the same object renders the same in every race.
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function objectId(obj: object): number {
  let id = objectIds.get(obj);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(obj, id);
  }
  return id;
}

// Reads the constructor name through property descriptors: no getter or other
// user code runs while a race is being reported.
function constructorName(obj: object): string {
  try {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto === null || typeof proto !== 'object') return typeof obj === 'function' ? 'Function' : 'Object';
    const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
    if (typeof ctor !== 'function') return 'Object';
    const name: unknown = Object.getOwnPropertyDescriptor(ctor, 'name')?.value;
    return typeof name === 'string' && name !== '' ? name : 'Object';
  } catch {
    // A revoked proxy or a throwing getPrototypeOf trap.
    return 'Object';
  }
}

/**
 * Renders a collection key as report text.
 *
 * @example
 *   renderKey('user:1')           // => 'user:1'
 *   renderKey(-0)                 // => '0'   (Map keys normalise -0)
 *   renderKey(Symbol('id'))       // => 'Symbol(id)'
 *   renderKey(new Request(url))   // => '[object Request#12]'  (12: a stable per-object id)
 *   renderKey(undefined, true)    // => '(keys)'
 */
export function renderKey(key: unknown, keySet = false): string {
  if (keySet) return KEY_SET_TEXT;
  switch (typeof key) {
    case 'string':
      return key;
    case 'number':
      return Object.is(key, -0) ? '0' : String(key);
    case 'symbol':
      return key.toString();
    case 'object':
    case 'function':
      if (key === null) return 'null';
      return `[object ${constructorName(key)}#${objectId(key)}]`;
    default:
      // bigint, boolean, undefined
      return String(key);
  }
}

/**
 * What kind of value a key is, so that a formatter can quote strings only.
 *
 * @example
 *   keyKind('a') // => 'string'
 *   keyKind(null) // => 'null'
 *   keyKind(() => 0) // => 'object'
 */
export function keyKind(key: unknown): KeyKind {
  if (key === null) return 'null';
  const t = typeof key;
  return t === 'function' ? 'object' : t;
}
