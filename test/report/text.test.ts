import { describe, expect, it } from 'vitest';
import { formatRace, formatReport, formatSummary } from '../../src/report/text';
import type { ReportRace } from '../../src/report/types';
import { cacheRace, frame } from './fixtures';

const cwd = '/app';

describe('text report', () => {
  it('has the shape of DESIGN.md section 4', () => {
    expect(formatReport([cacheRace()], { cwd })).toBe(
      [
        '==================',
        'WARNING: ASYNC RACE (atomicity violation)',
        'Previous read of key "user:1" on Map#3 by task 9:',
        '    at getUser (src/cache.ts:9:13)',
        'Interleaved write of key "user:1" on Map#3 by task 11:',
        '    at getUser (src/cache.ts:12:11)',
        'Write of key "user:1" on Map#3 (created at src/cache.ts:4:15) by task 9:',
        '    at getUser (src/cache.ts:12:11)',
        '    at handler (src/server.ts:20:3)',
        'Task 9 (running) created at:',
        '    at handler (src/server.ts:20:3)',
        'Task 11 (finished) created at:',
        '    at handler (src/server.ts:20:3)',
        '==================',
        'asyncrace: found 1 race(s)',
        '',
      ].join('\n'),
    );
  });

  it('shows an atomicity violation in the order it interleaves, with the explanation between and the hint last', () => {
    const race: ReportRace = {
      ...cacheRace(),
      explanation: 'task 9 awaits here; task 11 can run before it resumes',
      resumed: 'after the await',
      hint: 'store the promise in the same step as the check (get-or-create), or hold a lock across the await',
    };
    expect(formatRace(race, { cwd })).toBe(
      [
        '==================',
        'WARNING: ASYNC RACE (atomicity violation)',
        'Previous read of key "user:1" on Map#3 by task 9:',
        '    at getUser (src/cache.ts:9:13)',
        '  -- task 9 awaits here; task 11 can run before it resumes --',
        'Interleaved write of key "user:1" on Map#3 by task 11:',
        '    at getUser (src/cache.ts:12:11)',
        'Write of key "user:1" on Map#3 (created at src/cache.ts:4:15) by task 9 (after the await):',
        '    at getUser (src/cache.ts:12:11)',
        '    at handler (src/server.ts:20:3)',
        'Task 9 (running) created at:',
        '    at handler (src/server.ts:20:3)',
        'Task 11 (finished) created at:',
        '    at handler (src/server.ts:20:3)',
        'hint: store the promise in the same step as the check (get-or-create), or hold a lock across the await',
        '==================',
        '',
      ].join('\n'),
    );
  });

  it('prints what the race says and decides nothing itself', () => {
    const race: ReportRace = { ...cacheRace(), explanation: 'E', resumed: 'R', hint: 'H' };
    const text = formatRace(race, { cwd });
    expect(text).toContain('\n  -- E --\nInterleaved write');
    expect(text).toContain('by task 9 (R):\n');
    expect(text).toContain('\nhint: H\n==================\n');
    // Without the words (a report from elsewhere), the same order and no extra lines.
    const bare = formatRace(cacheRace(), { cwd });
    expect(bare).not.toContain('--');
    expect(bare).not.toContain('hint:');
    expect(bare.indexOf('Previous read')).toBeLessThan(bare.indexOf('Interleaved write'));
    expect(bare.indexOf('Interleaved write')).toBeLessThan(bare.indexOf('\nWrite of key'));
  });

  it('prints an order race with what orders nothing after both accesses', () => {
    const base = cacheRace();
    const race: ReportRace = {
      ...base,
      kind: 'order-race',
      current: { op: 'read', method: 'get', task: 2, frames: [frame('/app/a.js', 3, 41, '')] },
      previous: { op: 'write', method: 'set', task: 3, frames: [frame('/app/a.js', 2, 27, '')] },
      tasks: [],
      explanation: 'nothing orders these two events: task 2 (a callback) and task 3 (a callback)',
      hint: 'use a promise, an await, or a lock to order them',
    };
    delete race.interleaved;
    expect(formatRace(race, { cwd })).toBe(
      [
        '==================',
        'WARNING: ASYNC RACE (order race)',
        'Read of key "user:1" on Map#3 (created at src/cache.ts:4:15) by task 2:',
        '    at a.js:3:41',
        'Previous write of key "user:1" on Map#3 by task 3:',
        '    at a.js:2:27',
        '  -- nothing orders these two events: task 2 (a callback) and task 3 (a callback) --',
        'hint: use a promise, an await, or a lock to order them',
        '==================',
        '',
      ].join('\n'),
    );
  });

  it('prints an order race without interleaved access, and paths outside cwd in full', () => {
    const race: ReportRace = {
      ...cacheRace(),
      kind: 'order-race',
      object: { type: 'Set', id: 1, key: 'ready', keyKind: 'string', createdAt: [] },
      current: { op: 'read', method: 'has', task: 2, frames: [frame('/lib/x.js', 1, 2, '')] },
      previous: { op: 'write', method: 'add', task: 3, frames: [frame('/app/a.js', 5, 1, 'init')] },
      tasks: [{ id: 1, state: 'running', createdAt: [] }],
    };
    delete race.interleaved;
    expect(formatRace(race, { cwd })).toBe(
      [
        '==================',
        'WARNING: ASYNC RACE (order race)',
        'Read of key "ready" on Set#1 by task 2:',
        '    at /lib/x.js:1:2',
        'Previous write of key "ready" on Set#1 by task 3:',
        '    at init (a.js:5:1)',
        'Task 1 (running) created at:',
        '    (unknown)',
        '==================',
        '',
      ].join('\n'),
    );
  });

  it('reads key-set accesses naturally', () => {
    const base = cacheRace();
    const race: ReportRace = {
      ...base,
      kind: 'data-race',
      object: { ...base.object, key: '(keys)', keySet: true, keyKind: undefined },
      current: { ...base.current, op: 'read', method: 'iterate' },
      previous: { ...base.previous, op: 'write', method: 'delete' },
      interleaved: undefined,
      tasks: [],
    };
    const text = formatRace(race, { cwd });
    expect(text).toContain('WARNING: ASYNC RACE (data race)\n');
    expect(text).toContain('Read of the key set of Map#3 (iterate) (created at src/cache.ts:4:15) by task 9:\n');
    expect(text).toContain('Previous write of the key set of Map#3 (delete) by task 9:\n');
  });

  it('quotes string keys only', () => {
    const withKey = (key: string, keyKind?: ReportRace['object']['keyKind']): string => {
      const race = cacheRace();
      race.object.key = key;
      race.object.keyKind = keyKind;
      return formatRace(race, { cwd }).split('\n').find((l) => l.startsWith('Write of'))!;
    };
    expect(withKey('say "hi"', 'string')).toContain('key "say \\"hi\\"" on');
    expect(withKey('7', 'number')).toContain('key 7 on');
    expect(withKey('7', 'bigint')).toContain('key 7n on');
    expect(withKey('[object Request#12]', 'object')).toContain('key [object Request#12] on');
    // A report from elsewhere, without keyKind: the key is text.
    expect(withKey('7')).toContain('key "7" on');
  });

  it('prints nothing for no race, and a summary per count', () => {
    expect(formatReport([], { cwd })).toBe('');
    expect(formatSummary(2)).toBe('asyncrace: found 2 race(s)\n');
    const two = formatReport([cacheRace(), cacheRace()], { cwd });
    expect(two.match(/^WARNING:/gm)).toHaveLength(2);
    expect(two.endsWith('==================\nasyncrace: found 2 race(s)\n')).toBe(true);
  });

  it('counts the races max_reports left out after the summary', () => {
    expect(formatSummary(1, 3)).toBe('asyncrace: found 1 race(s)\nasyncrace: 3 more race(s) not recorded (max_reports)\n');
    expect(formatReport([cacheRace()], { cwd }, 3).endsWith('asyncrace: 3 more race(s) not recorded (max_reports)\n')).toBe(true);
  });

  it('says in the summary how the command failed, when it did', () => {
    expect(formatSummary(2, 0, { exitCode: 1, signal: null })).toBe('asyncrace: found 2 race(s); the command exited with code 1\n');
    expect(formatSummary(2, 0, { exitCode: null, signal: 'SIGTERM' })).toBe('asyncrace: found 2 race(s); the command was killed by SIGTERM\n');
    expect(formatSummary(2, 0, { exitCode: 0, signal: null })).toBe('asyncrace: found 2 race(s)\n');
    expect(formatSummary(1, 3, { exitCode: 2, signal: null })).toBe('asyncrace: found 1 race(s); the command exited with code 2\nasyncrace: 3 more race(s) not recorded (max_reports)\n');
    expect(formatReport([cacheRace()], { cwd }, 0, { exitCode: 1, signal: null }).endsWith('==================\nasyncrace: found 1 race(s); the command exited with code 1\n')).toBe(true);
    // No race, no summary.
    expect(formatReport([], { cwd }, 0, { exitCode: 1, signal: null })).toBe('');
  });

  it('prints a run of identical frames once, with its count, and keeps apart what differs', () => {
    const f = frame('/app/src/tree.ts', 3, 1, 'walk');
    const race = cacheRace();
    race.tasks[0]!.createdAt = [...Array(11).fill(f), frame('/app/src/tree.ts', 3, 1, 'other'), f, frame('/app/src/main.ts', 1, 1, 'main')];
    const text = formatRace(race, { cwd });
    expect(text).toContain(
      [
        'Task 9 (running) created at:',
        '    at walk (src/tree.ts:3:1) x 11',
        '    at other (src/tree.ts:3:1)',
        '    at walk (src/tree.ts:3:1)',
        '    at main (src/main.ts:1:1)',
        'Task 11',
      ].join('\n'),
    );
    // A frame without a function name is counted the same way.
    race.tasks[0]!.createdAt = [frame('/app/a.js', 2, 5, ''), frame('/app/a.js', 2, 5, '')];
    expect(formatRace(race, { cwd })).toContain('Task 9 (running) created at:\n    at a.js:2:5 x 2\n');
  });

  it("prints a frame's mapped original after it, in parentheses, with paths shown as the others", () => {
    const race = cacheRace();
    race.current.frames = [
      { ...frame('/app/node_modules/pkg/dist/index.js', 31, 5, 'connect'), mapped: { file: '/app/node_modules/pkg/src/index.ts', line: 40, column: 3 } },
    ];
    expect(formatRace(race, { cwd })).toContain(
      '    at connect (node_modules/pkg/dist/index.js:31:5) (source map: node_modules/pkg/src/index.ts:40:3)\n',
    );
    expect(formatRace(race, { cwd: '/elsewhere', stripPrefix: '/app/node_modules/' })).toContain(
      '    at connect (pkg/dist/index.js:31:5) (source map: pkg/src/index.ts:40:3)\n',
    );
  });

  it('prints paths without strip_path_prefix, before making them relative', () => {
    const text = formatRace(cacheRace(), { cwd: '/app/src', stripPrefix: '/app/' });
    expect(text).toContain('at getUser (src/cache.ts:12:11)');
    expect(text).not.toContain('/app/');
    // A path that does not start with the prefix prints as before.
    expect(formatRace(cacheRace(), { cwd: '/app', stripPrefix: '/elsewhere/' })).toContain('at getUser (src/cache.ts:12:11)');
  });
});
