/**
 * The identity of a race for deduplication: the pair of access sites, in
 * either order (a race between lines 9 and 12 is the same as one between 12 and 9).
 */
import type { ReportFrame, ReportRace } from './types';
import { toPath } from './paths';

function at(frame: ReportFrame | undefined): string {
  return frame ? `${toPath(frame.file)}:${frame.line}:${frame.column}` : '?';
}

/**
 * The signature of a pair of access-site frames.
 *
 * @example
 *   sitePairSignature(a, b) === sitePairSignature(b, a) // => true
 */
export function sitePairSignature(a: ReportFrame | undefined, b: ReportFrame | undefined): string {
  const x = at(a);
  const y = at(b);
  return x <= y ? `${x}|${y}` : `${y}|${x}`;
}

/**
 * The signature of a race: its current and previous access sites.
 *
 * @example
 *   raceSignature(race) // => '/app/src/cache.ts:12:11|/app/src/cache.ts:9:13'
 */
export function raceSignature(race: ReportRace): string {
  return sitePairSignature(race.current.frames[0], race.previous.frames[0]);
}
