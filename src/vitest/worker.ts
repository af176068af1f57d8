/**
 * The vitest worker side: starts the runtime once per worker, sorts the races
 * into tests (attribution.ts), and turns them into test failures whose
 * message is the text report. Called from the setup file (setup.mts).
 */
import path from 'node:path';
import { onRace } from '../report/collect';
import { REPORT_DIR_ENV } from '../register/settings';
import { redactRaces } from '../report/redact';
import { formatReport, type TextOptions } from '../report/text';
import type { ReportRace } from '../report/types';
import { reportInternalError } from '../register/internal-error';
import { useHostStackPositions } from '../runtime/live-stack';
import { parseOptions, type Options } from '../options';
import { startDetection } from '../start-detection';
import { RaceAttribution, type FileRace, type TestRace, type TestRef } from './attribution';

/** The failure of a test or file during which asyncrace detected a race; its message is the report. */
export class AsyncRaceError extends Error {
  override name = 'AsyncRaceError';
  constructor(message: string) {
    super(message);
    // The report names the racing code; a stack into the setup file would only add noise.
    this.stack = `${this.name}: ${message}`;
  }
}

let attribution: RaceAttribution | undefined;
let options: Options | undefined;

function start(): RaceAttribution {
  if (attribution) return attribution;
  const a = new RaceAttribution();
  attribution = a;
  try {
    options = parseOptions(process.env.ASYNCRACE_OPTIONS);
    // Already running when `asyncrace -- vitest` preloaded the register module, which then reports to
    // the CLI; else, under the CLI, each race reaches it as it is found: vitest ends its workers with a
    // signal or terminate(), which skips any report at exit.
    startDetection(options, process.env[REPORT_DIR_ENV]);
  } catch (err) {
    // The tests run on, undetected (instrumented code runs plain without a runtime).
    reportInternalError('starting the runtime in a vitest worker (its tests run undetected)', err);
    return a;
  }
  // vitest rewrites modules after the plugin; its stack formatter knows the final maps.
  useHostStackPositions();
  onRace((race) => a.add(race));
  process.on('exit', () => {
    const left = a.takeOutside();
    if (left.length > 0) process.stderr.write(fileFailure(left).message + '\n');
  });
  return a;
}

function textOptions(): TextOptions {
  return { stripPrefix: options?.strip_path_prefix ?? '' };
}

/**
 * The races as a failure message shows them. On GitHub Actions vitest's own
 * reporter turns failures into annotations, which are uploaded: keys are
 * redacted there as in the CLI's (redact_keys=1 redacted them already).
 */
function shown(races: readonly ReportRace[]): readonly ReportRace[] {
  return options?.redact_keys === 'auto' && process.env.GITHUB_ACTIONS === 'true' ? redactRaces(races) : races;
}

function testFailure(test: TestRef, races: readonly TestRace[]): AsyncRaceError {
  const concurrent = [...new Set(races.flatMap((r) => r.concurrent))];
  const head = `${races.length} async race(s) detected during test "${test.name}"` + (concurrent.length > 0 ? ` (running concurrently with ${concurrent.map((n) => `"${n}"`).join(', ')})` : '');
  return new AsyncRaceError(`${head}\n${formatReport(shown(races.map((r) => r.race)), textOptions())}`);
}

function fileFailure(races: readonly FileRace[]): AsyncRaceError {
  const byWhere = new Map<string, FileRace[]>();
  for (const r of races) byWhere.set(r.where, [...(byWhere.get(r.where) ?? []), r]);
  const parts = [...byWhere].map(([where, rs]) => `${rs.length} async race(s) detected outside any test, ${where}\n${formatReport(shown(rs.map((r) => r.race)), textOptions())}`);
  return new AsyncRaceError(parts.join('\n'));
}

/**
 * Starts a test file in this worker (and the runtime, the first time); the
 * returned hooks go to vitest's beforeEach, afterEach and afterAll.
 *
 * @example
 *   const run = startFile('test/cache.test.ts');
 *   beforeEach((ctx) => run.testStarted(testRef(ctx.task)));
 */
export function startFile(file: string): {
  testStarted(test: TestRef): void;
  testEnded(test: TestRef): void;
  fileEnded(): void;
} {
  const a = start();
  // Races left from an earlier file in this worker fail it there, not here.
  const earlier = a.takeOutside();
  a.fileStarted(file === '' ? '(unknown file)' : path.relative(process.cwd(), file) || file);
  return {
    testStarted: (test) => a.testStarted(test),
    testEnded(test) {
      const races = a.testEnded(test);
      if (races.length > 0) throw testFailure(test, races);
    },
    fileEnded() {
      const races = [...earlier, ...a.fileEnded()];
      if (races.length > 0) throw fileFailure(races);
    },
  };
}
