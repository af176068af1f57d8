// Frames that open in an editor, and stacks shown with repeated frames counted (src/report/frames.ts).
// In-process: packages are written to a temp directory and registered as the transform would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { describe, expect, it } from 'vitest';
import type { Frame, SiteTuple } from '../../src/runtime/api';
import type { RawRace } from '../../src/runtime/race';
import { registerFile } from '../../src/runtime/sites';
import { resolveRace } from '../../src/report/collect';
import { frameRuns, liveFrames, siteFrame } from '../../src/report/frames';
import { parseReport, serializeReport, buildReport } from '../../src/report/json';
import { formatRace } from '../../src/report/text';
import type { ReportFrame } from '../../src/report/types';

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-frames-')));

// A package compiled from TypeScript that ships dist/index.js and its map, not src/index.ts.
const JS = [
  '"use strict";', // 1
  'Object.defineProperty(exports, "__esModule", { value: true });', // 2
  'exports.connect = connect;', // 3
  'const pool = new Map();', // 4
  'async function connect(key) {', // 5
  '    if (!pool.has(key)) {', // 6
  '        pool.set(key, await open(key));', // 7
  '    }', // 8
  '}', // 9
];
// Its TypeScript, as the map knows it:
//   1 const pool = new Map<string, Conn>();
//   3 export async function connect(key: string): Promise<void> {
//   4   if (!pool.has(key)) {
//   5     pool.set(key, await open(key));
/** Generated line (1-based) -> segments [generated column, source, original line, original column] (0-based). */
const SHIPPED: Record<number, SourceMapSegment[]> = {
  4: [[0, 0, 0, 0]],
  5: [[0, 0, 2, 0]],
  6: [[4, 0, 3, 2], [13, 0, 3, 7]],
  7: [[8, 0, 4, 4]],
};

function mappings(lines: Record<number, SourceMapSegment[]>, count: number): string {
  return encode(Array.from({ length: count }, (_, i) => lines[i + 1] ?? []));
}

/** Writes a package `name` (dist/index.js and its map), with src/index.ts when `withSource`; `inline`: the map in a data: URL. */
function writePackage(name: string, { withSource = false, inline = false } = {}): { js: string; ts: string } {
  const dist = path.join(root, 'node_modules', name, 'dist');
  fs.mkdirSync(dist, { recursive: true });
  const map = JSON.stringify({ version: 3, file: 'index.js', sources: ['../src/index.ts'], names: [], mappings: mappings(SHIPPED, JS.length) });
  const url = inline ? `data:application/json;charset=utf-8;base64,${Buffer.from(map).toString('base64')}` : 'index.js.map';
  const js = path.join(dist, 'index.js');
  fs.writeFileSync(js, [...JS, `//# sourceMappingURL=${url}`, ''].join('\n'));
  if (!inline) fs.writeFileSync(path.join(dist, 'index.js.map'), map);
  const ts = path.join(root, 'node_modules', name, 'src', 'index.ts');
  if (withSource) {
    fs.mkdirSync(path.dirname(ts), { recursive: true });
    fs.writeFileSync(ts, '// the TypeScript source\n');
  }
  return { js, ts };
}

// The instrumented code keeps the module's lines; its own map goes to the TypeScript (the transform follows the shipped map).
const INSTRUMENTED_MAP = JSON.stringify({
  version: 3,
  sources: ['../src/index.ts'],
  names: [],
  mappings: mappings({ 6: [[30, 0, 3, 7]], 7: [[40, 0, 4, 4]] }, JS.length),
});

const sites: SiteTuple[] = [
  ['has', 0, 4, 8, 'connect'], // 0
  ['set', 0, 5, 5, 'connect'], // 1
  ['function', 0, 3, 1, 'connect'], // 2
  ['new', 0, 1, 14, ''], // 3
];

function register(pkg: { js: string; ts: string }): number {
  return registerFile({ file: pkg.js, sources: [pkg.ts], sites, map: INSTRUMENTED_MAP });
}

describe('frames in a package whose source map points to files it does not ship', () => {
  const pkg = writePackage('shipped-js');
  const base = register(pkg);

  it('a site is shown in the module file that ran, with the mapped original beside it', () => {
    expect(siteFrame(base)).toEqual({ file: pkg.js, line: 6, column: 14, function: 'connect', mapped: { file: pkg.ts, line: 4, column: 8 } });
    expect(siteFrame(base + 1)).toEqual({ file: pkg.js, line: 7, column: 9, function: 'connect', mapped: { file: pkg.ts, line: 5, column: 5 } });
    // No mapping at the original column itself: the nearest one before it on that line.
    expect(siteFrame(base + 3)).toMatchObject({ file: pkg.js, line: 4, column: 1, mapped: { line: 1, column: 14 } });
  });

  it('so does a frame of the live stack in that module', () => {
    const frames = liveFrames([
      { file: pkg.js, line: 6, column: 31, function: 'connect' }, // the access site itself: dropped
      { file: pkg.js, line: 7, column: 41, function: 'connect' },
    ]);
    expect(frames).toEqual([{ file: pkg.js, line: 7, column: 9, function: 'connect', mapped: { file: pkg.ts, line: 5, column: 5 } }]);
  });

  it('reads a map shipped inline as well', () => {
    const inline = writePackage('inline-map', { inline: true });
    expect(siteFrame(register(inline))).toMatchObject({ file: inline.js, line: 6, column: 14, mapped: { file: inline.ts, line: 4 } });
  });

  it('keeps the original where it is on disk, or where there is no module file to go to', () => {
    const complete = writePackage('with-source', { withSource: true });
    expect(siteFrame(register(complete))).toEqual({ file: complete.ts, line: 4, column: 8, function: 'connect' });
    const virtual = registerFile({ file: '/virtual/pkg/dist/index.js', sources: ['/virtual/pkg/src/index.ts'], sites, map: INSTRUMENTED_MAP });
    expect(siteFrame(virtual)).toEqual({ file: '/virtual/pkg/src/index.ts', line: 4, column: 8, function: 'connect' });
  });

  it('keeps the original where the module ships no map to go back through', () => {
    const bare = path.join(root, 'node_modules', 'no-map', 'index.js');
    fs.mkdirSync(path.dirname(bare), { recursive: true });
    fs.writeFileSync(bare, JS.join('\n'));
    const ts = path.join(root, 'node_modules', 'no-map', 'index.ts');
    expect(siteFrame(registerFile({ file: bare, sources: [ts], sites }))).toEqual({ file: ts, line: 4, column: 8, function: 'connect' });
  });

  it('prints the file that opens, then the mapped original in parentheses; JSON keeps both', () => {
    const race = resolveRace(rawRace(base));
    expect(race.current.frames[0]).toMatchObject({ file: pkg.js, line: 7, mapped: { file: pkg.ts, line: 5 } });
    const text = formatRace(race, { cwd: root });
    expect(text).toContain('    at connect (node_modules/shipped-js/dist/index.js:7:9) (source map: node_modules/shipped-js/src/index.ts:5:5)\n');
    expect(text).toContain('(created at node_modules/shipped-js/dist/index.js:4:1)');
    // Every path printed names a file on disk, but the one the source map names.
    const printed = [...text.matchAll(/(source map: )?([\w./-]+\.[jt]s):\d+:\d+/g)];
    expect(printed.length).toBeGreaterThan(5);
    for (const [, mapped, file] of printed) expect(fs.existsSync(path.resolve(root, file!)), file).toBe(!mapped);
    expect(parseReport(serializeReport(buildReport([race]))).races[0]).toEqual(race);
  });
});

function rawRace(base: number, overrides: Partial<RawRace> = {}): RawRace {
  const cell: Frame = { site: base + 2, parent: null };
  return {
    kind: 'atomicity-violation',
    object: { type: 'Map', id: 1, key: 'k', keySet: false, createdSite: base + 3, createdFrame: null },
    current: { op: 'write', method: 'set', task: 2, site: base + 1, frame: cell },
    previous: { op: 'read', method: 'has', task: 2, site: base, frame: cell },
    interleaved: { op: 'write', method: 'set', task: 3, site: base + 1, frame: cell },
    tasks: [
      { id: 2, running: true, createdFrame: null, createdSite: base + 2 },
      { id: 3, running: false, createdFrame: null, createdSite: base + 2 },
    ],
    ...overrides,
  };
}

describe('repeated frames', () => {
  const f = (line: number, fn = 'f'): ReportFrame => ({ file: '/app/x.js', line, column: 1, function: fn });

  it('runs of identical frames are counted; different ones stay apart', () => {
    expect(frameRuns([f(3), f(3), f(3), f(9, 'g'), f(3)])).toEqual([
      { frame: f(3), count: 3 },
      { frame: f(9, 'g'), count: 1 },
      { frame: f(3), count: 1 },
    ]);
    expect(frameRuns([f(3), f(4)]).map((r) => r.count)).toEqual([1, 1]);
    expect(frameRuns([f(3), { ...f(3), mapped: { file: '/app/x.ts', line: 1, column: 1 } }]).map((r) => r.count)).toEqual([1, 1]);
    expect(frameRuns([])).toEqual([]);
  });

  it("a recursive task's creation stack prints each repeated frame once with its count; JSON keeps them all", () => {
    const file = path.join(root, 'recurse.js');
    fs.writeFileSync(file, '// recursion\n');
    const base = registerFile({
      file,
      sources: [file],
      sites: [
        ['function', 0, 3, 1, 'walk'], // 0
        ['get', 0, 5, 7, 'walk'], // 1
        ['set', 0, 6, 7, 'walk'], // 2
        ['function', 0, 10, 1, 'main'], // 3
      ],
    });
    // main -> walk x 11: the task was created in the innermost walk.
    let cell: Frame = { site: base + 3, parent: null };
    for (let i = 0; i < 11; i++) cell = { site: base, parent: cell };
    const inner: Frame = { site: base, parent: cell };
    const race = resolveRace({
      kind: 'atomicity-violation',
      object: { type: 'Map', id: 1, key: 'k', keySet: false, createdSite: 0, createdFrame: null },
      current: { op: 'write', method: 'set', task: 2, site: base + 2, frame: inner },
      previous: { op: 'read', method: 'get', task: 2, site: base + 1, frame: inner },
      interleaved: { op: 'write', method: 'set', task: 3, site: base + 2, frame: cell },
      tasks: [
        { id: 2, running: true, createdFrame: cell, createdSite: base },
        { id: 3, running: false, createdFrame: null, createdSite: 0 },
      ],
    });
    const walk = { file, line: 3, column: 1, function: 'walk' };
    expect(race.tasks[0]!.createdAt).toEqual([...Array(11).fill(walk), { file, line: 10, column: 1, function: 'main' }]);
    const text = formatRace(race, { cwd: root });
    expect(text).toContain(['Task 2 (running) created at:', '    at walk (recurse.js:3:1) x 11', '    at main (recurse.js:10:1)', 'Task 3'].join('\n'));
    // The access stacks are shown the same way.
    expect(text).toContain(['Previous read of key "k" on Map#1 by task 2:', '    at walk (recurse.js:5:7)', '    at walk (recurse.js:3:1) x 11', '    at main (recurse.js:10:1)'].join('\n'));
  });
});
