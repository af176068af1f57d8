// Compiled async is async: tsc's ES2015 output runs an async function as a generator that __awaiter
// resumes from promise reactions. A stampede in it is the same atomicity violation, at the same source
// lines, as in the native async function, and the fixed version is silent. The programs are tsc 5.9
// output, unedited (test/cases/tsc-es2015-pool-*.js, also run as labelled cases).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect, lineOf } from './run';

const CASES = path.join(__dirname, '..', 'cases');
const read = (name: string): string => fs.readFileSync(path.join(CASES, name), 'utf8');

describe('compiled async (tsc --target ES2015)', () => {
  it("reports a stampede as check-then-act across the yield, with the other call's act between", () => {
    const src = read('tsc-es2015-pool-connect-stampede.js');
    const run = detect('pool.js', src);
    expect(run.status).toBe(66);
    const check = lineOf(src, 'if (!this.conns.has(host))');
    const act = lineOf(src, 'this.conns.set(host, conn)');
    const found = run.races.map((r) => [r.kind, r.current.frames[0]!.line, r.previous.frames[0]!.line, r.interleaved?.frames[0]?.line]);
    expect(found, run.stderr).toContainEqual(['atomicity-violation', act, check, act]);
    // One task: the generator __awaiter resumed, named as the task that checked.
    const race = run.races.find((r) => r.kind === 'atomicity-violation')!;
    expect(race.current.task).toBe(race.previous.task);
    expect(race.interleaved!.task).not.toBe(race.current.task);
  });

  it('is silent on the same pool storing the in-flight promise before the yield', () => {
    const run = detect('pool-safe.js', read('safe-tsc-es2015-pool-promise-cache.js'));
    expect(run.races, run.stderr).toEqual([]);
    expect(run.status).toBe(0);
  });
});
