// Reports that never contradict the code, from real programs run through the CLI: what only a real
// process shows (which accesses the runtime records for a spread or a loop, which task numbers
// callbacks get, a package instrumented from node_modules). The rules themselves are tested
// in-process: test/report/explain.test.ts and frames.test.ts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { describe, expect, it } from 'vitest';
import { AWAIT, CALLBACK, HINTS } from '../../src/report/explain';
import type { Report } from '../../src/report/types';
import { detect, lineOf, root } from '../detect/run';

const sleep = 'const sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n';

describe('hints that fit the code', () => {
  it('a snapshot acted on after the await is not told to iterate over a snapshot; a loop that awaits is', () => {
    const src = `${sleep}
const cache = new Map([['a', 1], ['b', 2]]);
const seen = new Map([['a', 1], ['b', 2]]);
async function prune() {
  for (const [k] of [...cache]) { // SNAPSHOT
    await sleep(5);
    cache.delete(k); // DELETE
  }
}
async function walk() {
  for (const [k] of seen) { // LOOP
    await sleep(5);
  }
}
async function add() {
  await sleep(1);
  cache.set('c', 3);
  seen.set('c', 3);
}
prune(); walk(); add();
`;
    const run = detect('snapshot.js', src);
    expect(run.status, run.stderr).toBe(66);
    const snapshot = run.races.find((r) => r.previous.frames[0]!.line === lineOf(src, '// SNAPSHOT'));
    expect(snapshot, run.stderr).toMatchObject({ kind: 'atomicity-violation', object: { keySet: true }, current: { method: 'delete' } });
    expect(snapshot!.hint).toBe(HINTS.keySetThenAct(AWAIT));
    const loop = run.races.find((r) => r.previous.frames[0]!.line === lineOf(src, '// LOOP'));
    expect(loop, run.stderr).toMatchObject({ kind: 'atomicity-violation', current: { method: 'iterate' }, previous: { method: 'iterate' } });
    expect(loop!.hint).toBe(HINTS.iteration('Map'));
    expect(run.stderr.match(/^hint: .*snapshot.*$/gm)).toEqual([`hint: ${HINTS.iteration('Map')}`]);
  });
});

describe('explanations that name each task once', () => {
  it('a timer the async function set before its await is a callback it scheduled, not the task again', () => {
    // The timer's callback grows from the task's shadow stack: the report counts it in the same task.
    const src = `${sleep}
const m = new Map();
async function get(k) {
  setTimeout(() => m.set(k, 'stale'), 1); // CALLBACK
  if (!m.has(k)) { // CHECK
    await sleep(5);
    m.set(k, 'fresh'); // SET
  }
}
get('x');
`;
    const run = detect('own-callback.js', src);
    expect(run.status, run.stderr).toBe(66);
    const race = run.races.find((r) => r.interleaved?.frames[0]!.line === lineOf(src, '// CALLBACK'));
    expect(race, run.stderr).toBeDefined();
    expect(race!.previous.frames[0]!.line).toBe(lineOf(src, '// CHECK'));
    expect(race!.interleaved!.task).toBe(race!.previous.task);
    const t = race!.previous.task;
    expect(race!.explanation).toBe(`task ${t} awaits here; a callback it scheduled can run before it resumes`);
    expect(run.stderr).toContain(`  -- task ${t} awaits here; a callback it scheduled can run before it resumes --\n`);
  });

  it('another tick of a repeating timer is another of its callbacks, not the same task again', () => {
    // Every tick of one setInterval runs as the timer's task; the first tick continues in a timer it sets.
    const src = `
const m = new Map();
let ticks = 0;
const timer = setInterval(() => {
  ticks += 1;
  if (ticks === 1) {
    if (!m.has('config')) { // CHECK
      setTimeout(() => m.set('config', 'loaded'), 30); // SET
    }
  } else {
    m.set('config', 'tick'); // TICK
    clearInterval(timer);
  }
}, 1);
`;
    const run = detect('interval.js', src);
    expect(run.status, run.stderr).toBe(66);
    expect(run.races, run.stderr).toHaveLength(1);
    const race = run.races[0]!;
    expect([race.previous.frames[0]!.line, race.interleaved?.frames[0]!.line, race.current.frames[0]!.line]).toEqual([
      lineOf(src, '// CHECK'),
      lineOf(src, '// TICK'),
      lineOf(src, '// SET'),
    ]);
    const [t, u] = [race.previous.task, race.current.task];
    expect(race.interleaved!.task).toBe(t);
    expect(race.explanation).toBe(`task ${t} continues in a callback (task ${u}); another callback of its own can run before it`);
    expect(race.resumed).toBe('in the callback');
    expect(race.hint).toBe(HINTS.checkThenAct(CALLBACK));
    expect(race.hint).not.toMatch(/await/);
  });
});

describe('stacks', () => {
  it("a task created deep in a recursion prints each repeated frame once, with a count; JSON keeps every frame", () => {
    const src = `${sleep}
const m = new Map();
async function job(k) {
  if (!m.has(k)) { // CHECK
    await sleep(2);
    m.set(k, 1); // SET
  }
}
function fan(n) {
  if (n === 0) {
    job('k');
    job('k');
    return;
  }
  fan(n - 1);
}
fan(10);
`;
    const run = detect('recursion.js', src);
    expect(run.status, run.stderr).toBe(66);
    const race = run.races[0]!;
    const fanLine = lineOf(src, 'function fan');
    const created = race.tasks[0]!.createdAt;
    expect(created.filter((f) => f.function === 'fan' && f.line === fanLine)).toHaveLength(11);
    expect(run.stderr).toMatch(new RegExp(`\\n    at fan \\([^)]*recursion\\.js:${fanLine}:1\\) x 11\\n`));
    expect(run.stderr).not.toMatch(new RegExp(`at fan \\([^)]*\\)\\n    at fan `));
  });
});

// A package compiled from TypeScript that ships dist/ and its source maps, but not src/.
const TS = [
  'const pool = new Map<string, string>();', // 1
  '', // 2
  'export async function connect(key: string): Promise<string> {', // 3
  '  if (!pool.has(key)) {', // 4
  '    const conn = await open(key);', // 5
  '    pool.set(key, conn);', // 6
  '  }', // 7
  '  return pool.get(key)!;', // 8
  '}', // 9
  '', // 10
  'async function open(key: string): Promise<string> {', // 11
  '  await new Promise((r) => setTimeout(r, 5));', // 12
  '  return `conn:${key}`;', // 13
  '}', // 14
];
const JS = [
  '"use strict";', // 1
  'Object.defineProperty(exports, "__esModule", { value: true });', // 2
  'exports.connect = connect;', // 3
  'const pool = new Map();', // 4
  'async function connect(key) {', // 5
  '    if (!pool.has(key)) {', // 6
  '        const conn = await open(key);', // 7
  '        pool.set(key, conn);', // 8
  '    }', // 9
  '    return pool.get(key);', // 10
  '}', // 11
  'async function open(key) {', // 12
  '    await new Promise((r) => setTimeout(r, 5));', // 13
  '    return `conn:${key}`;', // 14
  '}', // 15
];
/** JS line -> TS line (1-based). */
const LINES: Record<number, number> = { 4: 1, 5: 3, 6: 4, 7: 5, 8: 6, 10: 8, 12: 11, 13: 12, 14: 13 };

/** A map as tsc writes one: each name of a JS line to the same name, in order, on its TS line. */
function shippedMap(): string {
  const lines: SourceMapSegment[][] = JS.map((js, i) => {
    const tsLine = LINES[i + 1];
    if (tsLine === undefined) return [];
    const ts = TS[tsLine - 1]!;
    const segments: SourceMapSegment[] = [];
    let from = 0;
    for (const m of js.matchAll(/[\w$]+/g)) {
      const at = ts.indexOf(m[0], from);
      if (at < 0) continue;
      segments.push([m.index!, 0, tsLine - 1, at]);
      from = at + m[0].length;
    }
    return segments;
  });
  return JSON.stringify({ version: 3, file: 'index.js', sourceRoot: '', sources: ['../src/index.ts'], names: [], mappings: encode(lines) });
}

describe('frames in node_modules', () => {
  it('a package whose map points to TypeScript it does not ship is shown in its JavaScript, every printed path a file', () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-words-')));
    const pkg = path.join(dir, 'node_modules', 'pool-client');
    fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'pool-client', version: '1.0.0', main: 'dist/index.js' }));
    fs.writeFileSync(path.join(pkg, 'dist', 'index.js'), [...JS, '//# sourceMappingURL=index.js.map', ''].join('\n'));
    fs.writeFileSync(path.join(pkg, 'dist', 'index.js.map'), shippedMap());
    fs.writeFileSync(path.join(dir, 'main.js'), "const { connect } = require('pool-client');\nPromise.all([connect('db'), connect('db')]).then((c) => console.log(c.join(' ')));\n");
    const json = path.join(dir, 'report.json');
    const env: NodeJS.ProcessEnv = { ...process.env, ASYNCRACE_OPTIONS: 'include=**/node_modules/pool-client/**' };
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, [path.join(root, 'bin/asyncrace.js'), '--json', json, '--', process.execPath, 'main.js'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(66);
    expect(r.stdout).toBe('conn:db conn:db\n');
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
    const race = report.races[0]!;
    const js = path.join(pkg, 'dist', 'index.js');
    const ts = path.join(pkg, 'src', 'index.ts');
    // The check and the write, at their JavaScript lines, with the TypeScript the map names beside them.
    expect(race.previous.frames[0]).toMatchObject({ file: js, line: 6, function: 'connect', mapped: { file: ts, line: 4 } });
    expect(race.current.frames[0]).toMatchObject({ file: js, line: 8, function: 'connect', mapped: { file: ts, line: 6 } });
    expect(race.object.createdAt[0]).toMatchObject({ file: js, line: 4, mapped: { file: ts, line: 1 } });
    expect(r.stderr).toMatch(/\n    at connect \(node_modules\/pool-client\/dist\/index\.js:8:\d+\) \(source map: node_modules\/pool-client\/src\/index\.ts:6:\d+\)\n/);
    // Every path printed opens, but the one the source map names.
    const printed = [...r.stderr.matchAll(/(source map: )?([\w./-]+\.[jt]s):\d+:\d+/g)];
    expect(printed.length).toBeGreaterThan(5);
    for (const [, mapped, file] of printed) expect(fs.existsSync(path.resolve(dir, file!)), file).toBe(!mapped);
  });
});
