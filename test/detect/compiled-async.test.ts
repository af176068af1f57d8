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

  // Any runner that resumes a generator from promise reactions, whatever its name: here a co-style one.
  const runner = `
function run(makeGen) {
  return new Promise((resolve, reject) => {
    const it = makeGen();
    const step = (v) => { const r = it.next(v); if (r.done) resolve(r.value); else Promise.resolve(r.value).then(step, reject); };
    step();
  });
}
const io = () => require('node:fs').promises.readFile(__filename);
const loaded = new Map();
`;

  it('reports the same stampede in a generator that a co-style runner drives', () => {
    const src = `${runner}
function load(key) {
  return run(function* () {
    if (!loaded.has(key)) { // CHECK
      const body = yield io();
      loaded.set(key, body.length); // ACT
    }
    return loaded.get(key);
  });
}
Promise.all([load('a'), load('a')]).then((r) => console.log(r.length));
`;
    const run = detect('co.js', src);
    const found = run.races.map((r) => [r.kind, r.current.frames[0]!.line, r.previous.frames[0]!.line]);
    expect(found, run.stderr).toContainEqual(['atomicity-violation', lineOf(src, '// ACT'), lineOf(src, '// CHECK')]);
  });

  it('is silent on the co-style generator that checks and stores the pending load in one step', () => {
    const src = `${runner}
function load(key) {
  let p = loaded.get(key);
  if (!p) {
    p = run(function* () { return (yield io()).length; });
    loaded.set(key, p);
  }
  return p;
}
Promise.all([load('a'), load('a')]).then((r) => console.log(r.length));
`;
    const run = detect('co-safe.js', src);
    expect(run.races, run.stderr).toEqual([]);
  });
});
