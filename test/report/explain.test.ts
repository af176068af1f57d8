// The words of a race (src/report/explain.ts): hints chosen from what the accesses are, never
// asking for what the code already does, and explanations that name each task once. In-process,
// on races made by hand; test/report/words.test.ts runs the same situations as real programs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame, SiteTuple } from '../../src/runtime/api';
import type { RawAccess, RawRace, RawTask } from '../../src/runtime/race';
import { registerFile } from '../../src/runtime/sites';
import { AWAIT, CALLBACK, explainRace, HINTS } from '../../src/report/explain';

// A program on disk, so that the words can look at how an iteration is written.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-explain-'));
const file = path.join(dir, 'jobs.js');
const code = [
  'const m = new Map();', // 1
  'async function walk() {', // 2
  '  for (const k of m) await tick(k);', // 3: a loop that awaits between steps
  '  const snap = [...m];', // 4: a snapshot (spread)
  '  const [first] = m;', // 5: a snapshot (destructuring)
  '  for (const k of (', // 6: a loop whose operand starts on the next line
  '    m)) await tick(k);', // 7
  '  yield* m;', // 8: a delegation, stepped by the consumer
  '  const it = m.keys();', // 9
  '  m.forEach(f); m.size; m.set(1, 2); m.delete(1); m.get(1);', // 10
  '}', // 11
].join('\n');
fs.writeFileSync(file, code);
const lines = code.split('\n');
/** The 1-based column of `text` on line `line`. */
const col = (line: number, text: string, from = 0): number => lines[line - 1]!.indexOf(text, from) + 1;

const sites: SiteTuple[] = [
  ['function', 0, 2, 1, 'walk'], // 0
  ['iterate', 0, 3, col(3, 'm)'), 'walk'], // 1: for..of
  ['iterate', 0, 4, col(4, 'm]'), 'walk'], // 2: [...m]
  ['iterate', 0, 5, col(5, 'm;'), 'walk'], // 3: const [first] = m
  ['iterate', 0, 7, col(7, 'm)'), 'walk'], // 4: for..of across lines
  ['iterate', 0, 8, col(8, 'm;'), 'walk'], // 5: yield*
  ['keys', 0, 9, col(9, 'keys'), 'walk'], // 6
  ['forEach', 0, 10, col(10, 'forEach'), 'walk'], // 7
  ['size', 0, 10, col(10, 'size'), 'walk'], // 8
  ['set', 0, 10, col(10, 'set'), 'walk'], // 9
  ['delete', 0, 10, col(10, 'delete'), 'walk'], // 10
  ['get', 0, 10, col(10, 'get'), 'walk'], // 11
  ['function', 0, 1, 1, 'evict'], // 12
];
const base = registerFile({ file, sources: [file], sites });
const S = {
  forOf: base + 1,
  spread: base + 2,
  destructure: base + 3,
  forOfLines: base + 4,
  yieldStar: base + 5,
  keys: base + 6,
  forEach: base + 7,
  size: base + 8,
  set: base + 9,
  delete: base + 10,
  get: base + 11,
};

// A module not on disk: how its iterations are written cannot be read.
const gone = registerFile({ file: path.join(dir, 'gone.js'), sources: [path.join(dir, 'gone.js')], sites: [['iterate', 0, 3, 19, 'walk']] });

const walkCell: Frame = { site: base, parent: null };
const otherCell: Frame = { site: base + 12, parent: null };

// Task 4 is an async function activation (created at a function site); 5 and 6 are callbacks.
const TASKS: RawTask[] = [
  { id: 1, running: false, createdFrame: null, createdSite: 0 },
  { id: 4, running: true, createdFrame: null, createdSite: base },
  { id: 5, running: false, createdFrame: null, createdSite: 0 },
  { id: 6, running: false, createdFrame: null, createdSite: 0 },
];

const W = new Set(['set', 'delete', 'clear', 'add']);

function acc(method: string, site: number, task: number, frame: Frame = walkCell): RawAccess {
  return { op: W.has(method) ? 'write' : 'read', method, task, site, frame };
}

interface Spec {
  a1: RawAccess;
  b?: RawAccess;
  a2: RawAccess;
  keySet?: boolean;
  type?: RawRace['object']['type'];
}

function race({ a1, b, a2, keySet = true, type = 'Map' }: Spec): RawRace {
  return {
    kind: 'atomicity-violation',
    object: { type, id: 1, key: keySet ? undefined : 'k', keySet, createdSite: 0, createdFrame: null },
    previous: a1,
    current: a2,
    ...(b ? { interleaved: b } : {}),
    tasks: TASKS,
  };
}

const hint = (spec: Spec): string | undefined => explainRace(race(spec)).hint;
const insert = acc('set', S.set, 5, otherCell);

describe('iteration hints', () => {
  it('a loop that awaits between its steps: iterate over a snapshot', () => {
    expect(hint({ a1: acc('iterate', S.forOf, 4), b: insert, a2: acc('iterate', S.forOf, 4) })).toBe(HINTS.iteration('Map'));
    expect(hint({ a1: acc('iterate', S.forOfLines, 4), b: insert, a2: acc('iterate', S.forOfLines, 4) })).toBe(HINTS.iteration('Map'));
    expect(hint({ a1: acc('iterate', S.yieldStar, 4), b: insert, a2: acc('iterate', S.yieldStar, 4) })).toBe(HINTS.iteration('Map'));
    expect(hint({ a1: acc('iterate', S.forOf, 4), b: insert, a2: acc('iterate', S.forOf, 4), type: 'Set' })).toContain('[...set]');
  });

  it('an iterator taken before the await and stepped after it: iterate over a snapshot', () => {
    expect(hint({ a1: acc('keys', S.keys, 4), b: insert, a2: acc('iterate', S.forOf, 4) })).toBe(HINTS.iteration('Map'));
  });

  it('a snapshot is never told to iterate over a snapshot', () => {
    // The spread of the issue: a snapshot, then a delete after the await.
    expect(hint({ a1: acc('iterate', S.spread, 4), b: insert, a2: acc('delete', S.delete, 4) })).toBe(HINTS.keySetThenAct(AWAIT));
    // The same snapshot taken again after the await (a loop around it), spread or destructured.
    expect(hint({ a1: acc('iterate', S.spread, 4), b: insert, a2: acc('iterate', S.spread, 4) })).toBe(HINTS.staleRead(AWAIT));
    expect(hint({ a1: acc('iterate', S.destructure, 4), b: insert, a2: acc('iterate', S.destructure, 4) })).toBe(HINTS.staleRead(AWAIT));
    // forEach, size and Array.from (recorded as size) read the keys whole, in one step.
    expect(hint({ a1: acc('forEach', S.forEach, 4), b: insert, a2: acc('set', S.set, 4) })).toBe(HINTS.keySetThenAct(AWAIT));
    expect(hint({ a1: acc('size', S.size, 4), b: insert, a2: acc('set', S.set, 4) })).toBe(HINTS.keySetThenAct(AWAIT));
    expect(hint({ a1: acc('forEach', S.forEach, 4), b: insert, a2: acc('iterate', S.spread, 4) })).toBe(HINTS.staleRead(AWAIT));
  });

  it('a loop that ended before the await, then a delete: act in the same step, not a snapshot', () => {
    expect(hint({ a1: acc('iterate', S.forOf, 4), b: insert, a2: acc('delete', S.delete, 4) })).toBe(HINTS.keySetThenAct(AWAIT));
  });

  it('two different iterations, or one whose code cannot be read: no snapshot hint', () => {
    expect(hint({ a1: acc('iterate', S.forOfLines, 4), b: insert, a2: acc('iterate', S.forOf, 4) })).toBe(HINTS.staleRead(AWAIT));
    // The same site in another activation: not one loop.
    expect(hint({ a1: acc('iterate', S.forOf, 4, otherCell), b: insert, a2: acc('iterate', S.forOf, 4) })).toBe(HINTS.staleRead(AWAIT));
    expect(hint({ a1: acc('iterate', gone, 4), b: insert, a2: acc('iterate', gone, 4) })).toBe(HINTS.staleRead(AWAIT));
  });

  it('no hint on a race through a snapshot mentions a snapshot', () => {
    const whole = [acc('iterate', S.spread, 4), acc('iterate', S.destructure, 4), acc('forEach', S.forEach, 4), acc('size', S.size, 4)];
    const after = [...whole, acc('set', S.set, 4), acc('delete', S.delete, 4), acc('iterate', S.forOf, 4)];
    for (const a1 of whole) for (const a2 of after) expect(hint({ a1, b: insert, a2 }), `${a1.method} then ${a2.method}`).not.toMatch(/snapshot/);
  });
});

describe('key hints', () => {
  const keyed = (m1: string, m2: string, type: RawRace['object']['type'] = 'Map'): string | undefined =>
    hint({ a1: acc(m1, m1 === 'get' ? S.get : S.set, 4), b: acc('set', S.set, 5, otherCell), a2: acc(m2, m2 === 'get' ? S.get : m2 === 'delete' ? S.delete : S.set, 4), keySet: false, type });

  it('each pattern gets the fix the race shows missing', () => {
    expect(keyed('get', 'set')).toBe(HINTS.checkThenAct(AWAIT));
    expect(keyed('get', 'add', 'Set')).toBe(HINTS.checkThenAdd(AWAIT));
    expect(keyed('get', 'delete')).toBe(HINTS.checkThenDelete(AWAIT));
    expect(keyed('get', 'get')).toBe(HINTS.staleRead(AWAIT));
    expect(keyed('set', 'get')).toBe(HINTS.readBack(AWAIT));
    expect(keyed('set', 'set')).toBe(HINTS.partialWrite(AWAIT));
    expect(hint({ a1: acc('set', S.set, 4), b: acc('iterate', S.forOf, 5, otherCell), a2: acc('set', S.set, 4) })).toBe(HINTS.partialChange(AWAIT));
  });

  it('a read after the await is never told to re-check after the await', () => {
    // The task did read again (the second access); whether it still uses the first read is not known.
    expect(keyed('get', 'get')).toMatch(/^if the task still acts on what it read before the await, act only on what it reads after the await/);
    expect(keyed('set', 'get')).not.toMatch(/re-check|read it again/);
  });

  it('a continuation in a callback is told about the callback, never about an await', () => {
    const cb = (m1: string, m2: string): string | undefined =>
      explainRace(race({ a1: acc(m1, S.get, 5), b: acc('set', S.set, 6, otherCell), a2: acc(m2, m2 === 'get' ? S.get : S.set, 6), keySet: false })).hint;
    expect(cb('get', 'set')).toBe(HINTS.checkThenAct(CALLBACK));
    expect(cb('get', 'get')).toBe(HINTS.staleRead(CALLBACK));
    for (const [m1, m2] of [['get', 'set'], ['get', 'get'], ['set', 'get'], ['set', 'set'], ['get', 'delete']]) expect(cb(m1!, m2!)).not.toMatch(/await/);
    expect(cb('get', 'set')).toContain('until the callback has run');
  });
});

describe('explanations name each task once', () => {
  const say = (a1: number, b: number | undefined, a2: number): string =>
    explainRace(race({ a1: acc('get', S.get, a1), b: b === undefined ? undefined : acc('set', S.set, b, otherCell), a2: acc('set', S.set, a2), keySet: false }))
      .explanation!;

  it('the interleaved access counted in the awaiting task is a callback that task scheduled', () => {
    // Its shadow stack grew from the task's own (a timer the async function set before the await).
    expect(say(4, 4, 4)).toBe('task 4 awaits here; a callback it scheduled can run before it resumes');
    expect(say(4, 5, 4)).toBe('task 4 awaits here; task 5 can run before it resumes');
    expect(say(4, undefined, 4)).toBe('task 4 awaits here; another task can run before it resumes');
  });

  it('the interleaved access of the same callback source is another of its callbacks', () => {
    // A repeating timer, an emitter or a socket runs several callbacks as one task number.
    expect(say(5, 5, 5)).toBe('task 5 continues in a later callback; another of its callbacks can run before it');
    expect(say(5, 5, 6)).toBe('task 5 continues in a callback (task 6); another callback of its own can run before it');
    expect(say(5, 6, 6)).toBe('task 5 continues in a callback (task 6); an earlier callback of that task can run before it');
    expect(say(5, 1, 6)).toBe('task 5 continues in a callback (task 6); task 1 can run before it');
  });

  it('never names a task number twice, whatever the ids', () => {
    const ids = [1, 4, 5, 6];
    for (const a1 of ids)
      for (const a2 of ids)
        for (const b of [...ids, undefined]) {
          const text = say(a1, b, a2);
          const named = [...text.matchAll(/task (\d+)/g)].map((m) => m[1]);
          expect(new Set(named).size, text).toBe(named.length);
        }
  });
});
