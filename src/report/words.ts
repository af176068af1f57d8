/**
 * How every report format names a race's kind and its key, so that text,
 * JUnit, SARIF and annotations say the same thing.
 */
import type { RaceKind, ReportRace } from './types';

const KIND_TEXT: Record<RaceKind, string> = {
  'atomicity-violation': 'atomicity violation',
  'order-race': 'order race',
  'data-race': 'data race',
};

/**
 * The kind in words (a kind from a newer report as it is).
 *
 * @example
 *   kindText('atomicity-violation') // => 'atomicity violation'
 */
export function kindText(kind: RaceKind): string {
  return KIND_TEXT[kind] ?? kind;
}

/**
 * The key as printed: a string key quoted, a bigint with its `n`, a redacted
 * key (a hash) and other kinds as rendered.
 *
 * @example
 *   printedKey(race.object) // => '"user:1"'
 */
export function printedKey(object: ReportRace['object']): string {
  const { key, keyKind, redacted } = object;
  if (redacted) return key;
  if (keyKind === undefined || keyKind === 'string') return JSON.stringify(key);
  return keyKind === 'bigint' ? `${key}n` : key;
}

/**
 * What was accessed, as a phrase: `key "user:1"` or `the key set`.
 *
 * @example
 *   keyPhrase(race.object) // => 'key "user:1"'
 */
export function keyPhrase(object: ReportRace['object']): string {
  return object.keySet ? 'the key set' : `key ${printedKey(object)}`;
}
