/**
 * Which test a race belongs to: the tests running when it was detected (the
 * time between the setup file's `beforeEach` and `afterEach`), else the file
 * itself, with where in the file's life it was found.
 */
import type { ReportRace } from '../report/types';

/** A test as the attribution knows it. */
export interface TestRef {
  id: string;
  /** The full name: suite names and the test's, joined with " > ". */
  name: string;
}

/** A race detected while one or more tests ran. */
export interface TestRace {
  race: ReportRace;
  /** The other tests running when it was detected (`test.concurrent`); empty for one test. */
  concurrent: string[];
}

/** A race detected while no test ran. */
export interface FileRace {
  race: ReportRace;
  /** Where in the file's run it was detected, e.g. `after test "loads twice" ended`. */
  where: string;
}

/**
 * The races of one worker, sorted into tests and files as they arrive.
 *
 * @example
 *   const a = new RaceAttribution();
 *   a.fileStarted('test/cache.test.ts');
 *   a.testStarted({ id: '1', name: 'loads once' });
 *   a.add(race);
 *   a.testEnded({ id: '1', name: 'loads once' }); // => [{ race, concurrent: [] }]
 */
export class RaceAttribution {
  private readonly running = new Map<string, { test: TestRef; races: TestRace[] }>();
  private outside: FileRace[] = [];
  private file = '';
  private lastEnded: string | undefined;
  private fileDone = false;

  fileStarted(file: string): void {
    this.file = file;
    this.lastEnded = undefined;
    this.fileDone = false;
  }

  testStarted(test: TestRef): void {
    this.running.set(test.id, { test, races: [] });
  }

  /** Ends a test; returns the races detected while it ran. */
  testEnded(test: TestRef): TestRace[] {
    const entry = this.running.get(test.id);
    this.running.delete(test.id);
    this.lastEnded = test.name;
    return entry?.races ?? [];
  }

  /** Ends the file; returns the races detected in it while no test ran. */
  fileEnded(): FileRace[] {
    this.fileDone = true;
    return this.takeOutside();
  }

  /** The races detected while no test ran, not yet handed out. */
  takeOutside(): FileRace[] {
    const out = this.outside;
    this.outside = [];
    return out;
  }

  add(race: ReportRace): void {
    if (this.running.size > 0) {
      const names = [...this.running.values()].map((e) => e.test.name);
      for (const entry of this.running.values()) {
        entry.races.push({ race, concurrent: names.filter((n) => n !== entry.test.name) });
      }
      return;
    }
    this.outside.push({ race, where: this.where() });
  }

  private where(): string {
    if (this.file === '') return 'before any test file ran';
    if (this.fileDone) return `after ${this.file} finished`;
    if (this.lastEnded === undefined) return `in ${this.file} before its first test (loading or a beforeAll hook)`;
    return `in ${this.file} after test "${this.lastEnded}" ended (a beforeAll/afterAll hook, or work the test left running)`;
  }
}
