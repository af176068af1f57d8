/**
 * Collects the races of this process: resolves what the detector hands over
 * (site ids, shadow frames, a live stack) into JSON v1 races, keeps them, and
 * tells subscribers (halt_on_error, per-test attribution) about each new one.
 */
import type { RawAccess, RawRace, RawTask } from '../runtime/race';
import { explainRace } from './explain';
import { liveFrames, shadowFrames, siteFrame, siteStack } from './frames';
import { keyKind, renderKey } from './keys';
import { sitePairSignature } from './signature';
import { redactRace } from './redact';
import { suppressedBy } from './suppress';
import type { ReportAccess, ReportRace, ReportTask } from './types';

export type RaceListener = (race: ReportRace) => void;

/** How collection treats a new race (from the max_reports and redact_keys options). */
export interface CollectionConfig {
  /** Keep at most this many races; 0: no limit. */
  maxReports: number;
  /** Redact keys as each race is collected, so no copy of the key leaves the process. */
  redactKeys: boolean;
}

const races: ReportRace[] = [];
const seen = new Set<string>();
const listeners: RaceListener[] = [];
let config: CollectionConfig = { maxReports: 0, redactKeys: false };
let omitted = 0;

/**
 * Sets how races are collected from now on.
 *
 * @example
 *   configureCollection({ maxReports: 100, redactKeys: true });
 */
export function configureCollection(c: CollectionConfig): void {
  config = { ...c };
}

function resolveAccess(raw: RawAccess): ReportAccess {
  const top = siteFrame(raw.site);
  // The current access has a live stack (the real callers); the others only
  // their shadow call stack (the callers' definitions).
  const below = raw.live && raw.live.length > 0 ? liveFrames(raw.live) : shadowFrames(raw.frame, top);
  return { op: raw.op, method: raw.method, task: raw.task, frames: top ? [top, ...below] : below };
}

function resolveTask(raw: RawTask): ReportTask {
  return { id: raw.id, state: raw.running ? 'running' : 'finished', createdAt: siteStack(raw.createdSite, raw.createdFrame) };
}

/**
 * Resolves a race into its JSON v1 form, without collecting it.
 *
 * @example
 *   resolveRace(raw).current.frames[0] // => { file: '/app/src/cache.ts', line: 12, column: 11, function: 'getUser' }
 */
export function resolveRace(raw: RawRace): ReportRace {
  const o = raw.object;
  const race: ReportRace = {
    kind: raw.kind,
    object: {
      type: o.type,
      id: o.id,
      key: renderKey(o.key, o.keySet),
      ...(o.keySet ? { keySet: true } : { keyKind: keyKind(o.key) }),
      createdAt: siteStack(o.createdSite, o.createdFrame),
    },
    current: resolveAccess(raw.current),
    previous: resolveAccess(raw.previous),
    tasks: raw.tasks.map(resolveTask),
  };
  if (raw.interleaved) race.interleaved = resolveAccess(raw.interleaved);
  const words = explainRace(raw);
  if (words.explanation !== undefined) race.explanation = words.explanation;
  if (words.resumed !== undefined) race.resumed = words.resumed;
  if (words.hint !== undefined) race.hint = words.hint;
  return race;
}

/**
 * Reports a race found by the detector: resolves it, keeps it, and notifies
 * the listeners. A race between the same two access sites as one already
 * collected (in either order) is resolved and returned but neither kept nor
 * notified again, as Go reports a pair of program counters once. A race that
 * a suppression covers (suppress.ts) is dropped the same way, silently. Past
 * `maxReports` a new race is counted in `omittedRaces()` instead of kept.
 *
 * @example
 *   const race = reportRace(raw);
 *   race.object.key // => 'user:1'
 */
export function reportRace(raw: RawRace): ReportRace {
  const resolved = resolveRace(raw);
  if (suppressedBy(raw, resolved) !== undefined) return resolved;
  const race = config.redactKeys ? redactRace(resolved) : resolved;
  const signature = sitePairSignature(siteFrame(raw.current.site), siteFrame(raw.previous.site));
  if (seen.has(signature)) return race;
  seen.add(signature);
  // Past max_reports a race is counted, and listeners still hear of it (a test still fails).
  if (config.maxReports > 0 && races.length >= config.maxReports) omitted += 1;
  else races.push(race);
  for (const listener of [...listeners]) {
    try {
      listener(race);
    } catch (err) {
      // The report is made inside the program's own call: a failing listener
      // must not throw into it.
      process.stderr.write(`asyncrace: race listener failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
  }
  return race;
}

/**
 * The races collected so far in this process, in the order found.
 *
 * @example
 *   collectedRaces().length // => 1
 */
export function collectedRaces(): ReportRace[] {
  return [...races];
}

/**
 * Subscribes to each newly collected race; returns the unsubscribe function.
 *
 * @example
 *   const off = onRace((race) => { if (options.halt_on_error) haltNow(race); });
 *   off();
 */
export function onRace(listener: RaceListener): () => void {
  listeners.push(listener);
  return () => {
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  };
}

/**
 * Forgets every collected race (listeners stay subscribed).
 *
 * @example
 *   clearCollected(); collectedRaces() // => []
 */
export function clearCollected(): void {
  races.length = 0;
  seen.clear();
  omitted = 0;
}

/**
 * How many new races were found after `maxReports` were kept.
 *
 * @example
 *   configureCollection({ maxReports: 1, redactKeys: false }); // then two races
 *   omittedRaces() // => 1
 */
export function omittedRaces(): number {
  return omitted;
}
