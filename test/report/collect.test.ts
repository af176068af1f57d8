import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Frame, SiteTuple } from '../../src/runtime/api';
import type { RawAccess, RawRace } from '../../src/runtime/race';
import { registerFile } from '../../src/runtime/sites';
import { clearCollected, collectedRaces, onRace, reportRace, resolveRace } from '../../src/report/collect';
import { AWAIT, HINTS } from '../../src/report/explain';
import { parseSuppressions, useSuppressions } from '../../src/report/suppress';

// An instrumented module /virtual/app/dist/cache.js compiled from /virtual/app/src/cache.ts.
// Its map (generated line:column, 1-based -> original):
//   5:3 -> 12:11,  9:5 -> 20:3,  9:21 -> 21:7
const MAP = JSON.stringify({
  version: 3,
  file: 'cache.js',
  names: [],
  sources: ['../src/cache.ts'],
  mappings: ';;;;EAWU;;;;IAQR,gBACI',
});
const SRC = '/virtual/app/src/cache.ts';
const sites: SiteTuple[] = [
  ['function', 0, 8, 1, 'getUser'], // 0
  ['set', 0, 12, 11, 'getUser'], // 1
  ['has', 0, 9, 13, 'getUser'], // 2
  ['function', 0, 18, 1, 'handle'], // 3
  ['new', 0, 4, 15, ''], // 4
  ['function', 0, 30, 1, 'main'], // 5
  ['get', 0, 22, 5, 'handle'], // 6
];
const base = registerFile({ file: '/virtual/app/dist/cache.js', sources: [SRC], sites, map: MAP });
const site = (i: number): number => base + i;

// An ESM module, named by V8 with a file: URL, whose map names its source relative to it.
registerFile({
  file: 'file:///virtual/app/dist/server.mjs',
  sources: ['/virtual/app/dist/server.ts'],
  sites: [['function', 0, 2, 1, 'serve']],
  map: JSON.stringify({ version: 3, names: [], sources: ['server.ts'], mappings: 'AACA' }),
});

const cell = (s: number, parent: Frame | null = null): Frame => ({ site: s, parent });
const mainCell = cell(site(5));
const handleCell = cell(site(3), mainCell);
const getUserCell = cell(site(0), handleCell);

function access(op: 'read' | 'write', method: string, s: number, task: number, extra: Partial<RawAccess> = {}): RawAccess {
  return { op, method, task, site: s, frame: getUserCell, ...extra };
}

function rawRace(overrides: Partial<RawRace> = {}): RawRace {
  return {
    kind: 'atomicity-violation',
    object: { type: 'Map', id: 3, key: 'user:1', keySet: false, createdSite: site(4), createdFrame: null },
    current: access('write', 'set', site(1), 9, {
      live: [
        { file: '/virtual/app/dist/cache.js', line: 5, column: 3, function: 'getUser' },
        { file: '/virtual/app/dist/cache.js', line: 9, column: 5, function: 'handle' },
        { file: 'node:internal/process/task_queues', line: 95, column: 5, function: 'process.processTicksAndRejections' },
        { file: '/virtual/app/dist/cache.js', line: 9, column: 21, function: 'main' },
        { file: 'file:///virtual/lib/plain.mjs', line: 7, column: 9, function: 'run' },
        { file: 'file:///virtual/app/dist/server.mjs', line: 1, column: 1, function: 'serve' },
        { file: 'node:events', line: 517, column: 28, function: 'EventEmitter.emit' },
        // asyncrace's own code (here, its sources) never shows.
        { file: path.resolve(__dirname, '../../src/register/hook.ts'), line: 3, column: 1, function: 'load' },
      ],
    }),
    previous: access('read', 'has', site(2), 9),
    interleaved: access('write', 'set', site(1), 11, { frame: handleCell }),
    tasks: [
      { id: 9, running: true, createdFrame: handleCell, createdSite: site(6) },
      { id: 11, running: false, createdFrame: mainCell, createdSite: 0 },
    ],
    ...overrides,
  };
}

afterEach(() => clearCollected());

describe('resolveRace', () => {
  const race = resolveRace(rawRace());

  it('starts each access with its site and maps the live stack through the source map', () => {
    expect(race.current).toEqual({
      op: 'write',
      method: 'set',
      task: 9,
      frames: [
        { file: SRC, line: 12, column: 11, function: 'getUser' },
        { file: SRC, line: 20, column: 3, function: 'handle' },
        { file: SRC, line: 21, column: 7, function: 'main' },
        { file: '/virtual/lib/plain.mjs', line: 7, column: 9, function: 'run' },
        { file: '/virtual/app/dist/server.ts', line: 2, column: 1, function: 'serve' },
        { file: 'node:events', line: 517, column: 28, function: 'EventEmitter.emit' },
      ],
    });
  });

  it('converts 1-based stack columns to the map\'s 0-based ones and back', () => {
    const r = resolveRace(
      rawRace({
        current: access('write', 'set', site(1), 9, {
          live: [
            { file: '/virtual/app/dist/cache.js', line: 5, column: 3, function: 'getUser' },
            // Column 20 is before the mapping at 21: it belongs to the one at 5.
            { file: '/virtual/app/dist/cache.js', line: 9, column: 20, function: 'handle' },
          ],
        }),
      }),
    );
    expect(r.current.frames[1]).toEqual({ file: SRC, line: 20, column: 3, function: 'handle' });
  });

  it('walks the shadow stack for the other accesses, skipping the enclosing function', () => {
    expect(race.previous.frames).toEqual([
      { file: SRC, line: 9, column: 13, function: 'getUser' },
      { file: SRC, line: 18, column: 1, function: 'handle' },
      { file: SRC, line: 30, column: 1, function: 'main' },
    ]);
    // The innermost cell (handle) does not enclose the site (getUser): kept.
    expect(race.interleaved?.frames).toEqual([
      { file: SRC, line: 12, column: 11, function: 'getUser' },
      { file: SRC, line: 18, column: 1, function: 'handle' },
      { file: SRC, line: 30, column: 1, function: 'main' },
    ]);
  });

  it('falls back to the shadow stack when the current access has no live stack', () => {
    const r = resolveRace(rawRace({ current: access('write', 'set', site(1), 9, { live: [] }) }));
    expect(r.current.frames.map((f) => f.line)).toEqual([12, 18, 30]);
  });

  it('resolves the object and the tasks', () => {
    expect(race.kind).toBe('atomicity-violation');
    expect(race.object).toEqual({
      type: 'Map',
      id: 3,
      key: 'user:1',
      keyKind: 'string',
      createdAt: [{ file: SRC, line: 4, column: 15, function: '' }],
    });
    expect(race.tasks).toEqual([
      {
        id: 9,
        state: 'running',
        createdAt: [
          { file: SRC, line: 22, column: 5, function: 'handle' },
          { file: SRC, line: 30, column: 1, function: 'main' },
        ],
      },
      { id: 11, state: 'finished', createdAt: [{ file: SRC, line: 30, column: 1, function: 'main' }] },
    ]);
  });

  it('renders keys and the key set', () => {
    const obj = { type: 'Map' as const, id: 1, createdSite: 0, createdFrame: null };
    const keySet = resolveRace(rawRace({ object: { ...obj, key: undefined, keySet: true } }));
    expect(keySet.object).toEqual({ type: 'Map', id: 1, key: '(keys)', keySet: true, createdAt: [] });
    const num = resolveRace(rawRace({ object: { ...obj, key: -0, keySet: false } }));
    expect(num.object).toMatchObject({ key: '0', keyKind: 'number' });
  });

  it('keeps only what it knows of unknown sites', () => {
    const r = resolveRace(rawRace({ previous: access('read', 'has', 999_999, 9, { frame: null }), interleaved: undefined }));
    expect(r.previous.frames).toEqual([]);
    expect(r).not.toHaveProperty('interleaved');
  });
});

describe('reportRace', () => {
  it('collects each race once per site pair and notifies listeners', () => {
    const seen = vi.fn();
    const off = onRace(seen);
    const first = reportRace(rawRace());
    reportRace(rawRace());
    // The same sites the other way round.
    reportRace(rawRace({ current: access('read', 'has', site(2), 9), previous: access('write', 'set', site(1), 9) }));
    expect(collectedRaces()).toEqual([first]);
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen).toHaveBeenCalledWith(first);

    off();
    reportRace(rawRace({ previous: access('read', 'get', site(6), 9) }));
    expect(collectedRaces()).toHaveLength(2);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('keeps a failing listener from throwing into the program', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const off = onRace(() => {
      throw new Error('listener bug');
    });
    try {
      expect(() => reportRace(rawRace())).not.toThrow();
      expect(String(stderr.mock.calls[0]?.[0])).toContain('listener bug');
    } finally {
      off();
      stderr.mockRestore();
    }
  });

  it('returns a copy of the collection', () => {
    reportRace(rawRace());
    collectedRaces().pop();
    expect(collectedRaces()).toHaveLength(1);
  });
});

// A module whose tasks are async functions (their creation site is a function site),
// and one access line after an ignore comment.
const asyncBase = registerFile({
  file: '/virtual/app/dist/jobs.js',
  sources: ['/virtual/app/src/jobs.ts'],
  sites: [
    ['function', 0, 1, 1, 'refresh'], // 0
    ['get', 0, 3, 5, 'refresh', 'm.get'], // 1
    ['set', 0, 6, 5, 'refresh', 'm.set'], // 2
    ['delete', 0, 9, 5, 'evict', 'm.delete', 0, 0, 1], // 3: after asyncrace-ignore-next-line
    ['iterate', 0, 12, 20, 'walk'], // 4
  ],
});
const job = (i: number): number => asyncBase + i;

function jobRace(pattern: string, overrides: Partial<RawRace> = {}): RawRace {
  const op = (c: string): 'read' | 'write' => (c === 'W' ? 'write' : 'read');
  const [a1, b, a2] = [...pattern];
  return rawRace({
    current: access(op(a2!), a2 === 'W' ? 'set' : 'get', job(a2 === 'W' ? 2 : 1), 4, { live: [] }),
    previous: access(op(a1!), a1 === 'W' ? 'set' : 'get', job(a1 === 'W' ? 2 : 1), 4),
    interleaved: access(op(b!), b === 'W' ? 'set' : 'get', job(b === 'W' ? 2 : 1), 5),
    tasks: [
      { id: 4, running: true, createdFrame: null, createdSite: job(0) },
      { id: 5, running: false, createdFrame: null, createdSite: job(0) },
    ],
    ...overrides,
  });
}

describe('explanations', () => {
  it('an atomicity violation in an async function: it awaited, and the hint follows the pattern', () => {
    const r = resolveRace(jobRace('RWW'));
    expect(r.explanation).toBe('task 4 awaits here; task 5 can run before it resumes');
    expect(r.resumed).toBe('after the await');
    expect(r.hint).toBe(HINTS.checkThenAct(AWAIT));
    expect(resolveRace(jobRace('RWR')).hint).toBe(HINTS.staleRead(AWAIT));
    expect(resolveRace(jobRace('WWR')).hint).toBe(HINTS.readBack(AWAIT));
    expect(resolveRace(jobRace('WRW')).hint).toBe(HINTS.partialWrite(AWAIT));
  });

  it('an iterator stepped after the await gets the snapshot hint (test/report/explain.test.ts has the rest)', () => {
    const r = resolveRace(
      jobRace('RWR', {
        object: { type: 'Map', id: 1, key: undefined, keySet: true, createdSite: 0, createdFrame: null },
        current: access('read', 'iterate', job(4), 4),
        previous: access('read', 'keys', job(4), 4),
        interleaved: access('write', 'set', job(2), 5),
      }),
    );
    expect(r.hint).toBe(HINTS.iteration('Map'));
  });

  it('a continuation that is not an async function says callback, not await', () => {
    // rawRace's task 9 was created at a `get` site: not an async function.
    expect(race().explanation).toBe('task 9 continues in a later callback; task 11 can run before it');
    expect(race().resumed).toBe('in the callback');
    function race() {
      return resolveRace(rawRace());
    }
  });

  it('an order race names the kind of each task, as far as known', () => {
    const order = (cur: number, prev: number) =>
      resolveRace(
        jobRace('RWW', {
          kind: 'order-race',
          current: access('read', 'get', job(1), cur),
          previous: access('write', 'set', job(2), prev),
          interleaved: undefined,
          tasks: [
            { id: 1, running: false, createdFrame: null, createdSite: 0 },
            { id: 4, running: true, createdFrame: null, createdSite: job(0) },
            { id: 6, running: false, createdFrame: null, createdSite: 0 },
          ],
        }),
      );
    expect(order(4, 1).explanation).toBe('nothing orders these two events: task 4 (async function refresh) and task 1 (top-level code)');
    expect(order(6, 4).explanation).toBe('nothing orders these two events: task 6 (a callback) and task 4 (async function refresh)');
    expect(order(6, 6).explanation).toBe('no await, promise or lock orders these accesses');
    expect(order(4, 1).hint).toBe(HINTS.order());
    expect(order(4, 1)).not.toHaveProperty('resumed');
  });
});

describe('suppressions', () => {
  afterEach(() => useSuppressions([]));

  it('drops a race through a site flagged by the ignore comment, in any role, silently', () => {
    const seen = vi.fn();
    const off = onRace(seen);
    try {
      const flagged = access('write', 'delete', job(3), 5);
      for (const role of ['current', 'previous', 'interleaved'] as const) {
        const r = reportRace(jobRace('RWR', { [role]: flagged }));
        expect(r.kind).toBe('atomicity-violation');
      }
      expect(collectedRaces()).toEqual([]);
      expect(seen).not.toHaveBeenCalled();
      reportRace(jobRace('RWR'));
      expect(collectedRaces()).toHaveLength(1);
    } finally {
      off();
    }
  });

  it('drops a race that a rule of the suppressions file matches', () => {
    useSuppressions(parseSuppressions('function:refresh\n', 'r.supp'));
    reportRace(jobRace('RWW'));
    expect(collectedRaces()).toEqual([]);
    useSuppressions(parseSuppressions('key:user:*\n', 'r.supp'));
    reportRace(jobRace('RWR'));
    expect(collectedRaces()).toEqual([]);
    useSuppressions(parseSuppressions('file:/virtual/app/src/jobs.ts\n', 'r.supp'));
    reportRace(jobRace('WRW'));
    expect(collectedRaces()).toEqual([]);
    useSuppressions(parseSuppressions('key:other\n', 'r.supp'));
    reportRace(jobRace('WWR'));
    expect(collectedRaces()).toHaveLength(1);
  });
});
