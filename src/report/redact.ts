/**
 * Redacted keys: Map keys can be session tokens or e-mail addresses, so a
 * report that leaves the machine can show a short hash in their place. The
 * hash is the same in every run and process, so one key still reads as one key.
 */
import { createHash } from 'node:crypto';
import type { KeyKind, ReportRace } from './types';

const PREFIX = 'redacted:';

// Kinds whose text can carry data; true, null, undefined and `[object Request#12]` cannot.
const CARRIES_DATA: ReadonlySet<KeyKind | undefined> = new Set<KeyKind | undefined>([
  'string',
  'number',
  'bigint',
  'symbol',
  undefined,
]);

/**
 * The redacted text of a key: `redacted:` and 12 hex digits of its SHA-256.
 *
 * @example
 *   redactKey('alice@example.com', 'string') // => 'redacted:fc2d378decd1'
 */
export function redactKey(key: string, kind?: KeyKind): string {
  return PREFIX + createHash('sha256').update(`${kind ?? 'string'}\0${key}`).digest('hex').slice(0, 12);
}

/**
 * The race with its key redacted (a copy; the same race when there is nothing
 * to hide: the key set, objects, booleans, null, undefined, or already redacted).
 *
 * @example
 *   redactRace(race).object // => { ..., key: 'redacted:fc2d378decd1', redacted: true }
 */
export function redactRace(race: ReportRace): ReportRace {
  const o = race.object;
  if (o.keySet || o.redacted || !CARRIES_DATA.has(o.keyKind)) return race;
  return { ...race, object: { ...o, key: redactKey(o.key, o.keyKind), redacted: true } };
}

/**
 * Every race with its key redacted.
 *
 * @example
 *   redactRaces(report.races)
 */
export function redactRaces(races: readonly ReportRace[]): ReportRace[] {
  return races.map(redactRace);
}
