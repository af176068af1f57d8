// Suppressions: the ignore comment (transform + runtime), the suppressions file
// (parsing, each rule kind, errors), through the real CLI where it matters.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from '@babel/parser';
import traverseModule from '@babel/traverse';
import { afterAll, describe, expect, it } from 'vitest';
import { programVisitor } from '../src/instrument/visitor';
import { parseSuppressions, suppressedBy, suppressionsOf, SuppressionsError } from '../src/report/suppress';
import type { ReportRace } from '../src/report/types';
import { optionsFrom, OptionsError, parseOptions } from '../src/options';
import { detect, lineOf, root } from './detect/run';
import { cacheRace, frame } from './report/fixtures';

const traverse = ((traverseModule as unknown as { default?: typeof traverseModule }).default ?? traverseModule) as typeof traverseModule;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-supp-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function suppFile(name: string, text: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return file;
}

// A cache stampede: has (line CHECK) -> await -> set (line ACT), in two tasks.
const STAMPEDE = `
const cache = new Map();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function loadUser(id) {
  if (!cache.has(id)) { // CHECK
    const u = await sleep(5).then(() => ({ id }));
    cache.set(id, u); // ACT
  }
  return cache.get(id);
}
Promise.all([loadUser('user:1'), loadUser('user:1')]);
`;

// A stale check: has -> await -> get, while another task deletes (the interleaved access). The delete
// runs in a microtask, which Node runs before the timer use() waits for: between the two on every run.
const STALE = `
const m = new Map([['a', 1]]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function use() {
  if (m.has('a')) { // CHECK
    await sleep(1);
    return m.get('a'); // USE
  }
}
async function drop() {
  await null;
  m.delete('a'); // DROP
}
use(); drop();
`;

function withLineBefore(source: string, marker: string, inserted: string): string {
  return source
    .split('\n')
    .flatMap((l) => (l.includes(marker) ? [inserted, l] : [l]))
    .join('\n');
}

describe('asyncrace-ignore-next-line', () => {
  it('the unsuppressed programs race (control)', () => {
    const a = detect('stampede.js', STAMPEDE);
    expect(a.status).toBe(66);
    expect(a.races).toHaveLength(1);
    const b = detect('stale.js', STALE);
    expect(b.status).toBe(66);
    expect(b.races).toHaveLength(1);
    expect(b.races[0]!.interleaved?.frames[0]?.line).toBe(lineOf(STALE, '// DROP'));
  });

  it('a line comment before the current access suppresses the race, silently', () => {
    const r = detect('stampede.js', withLineBefore(STAMPEDE, '// ACT', '    // asyncrace-ignore-next-line'));
    expect(r.races).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('ASYNC RACE');
    expect(r.stderr).not.toContain('found');
  });

  it('a block comment before the previous access suppresses it too', () => {
    const r = detect('stampede.js', withLineBefore(STAMPEDE, '// CHECK', '  /* asyncrace-ignore-next-line */'));
    expect(r.races).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('a comment before the interleaved access (another task) suppresses it, with a reason after it', () => {
    const r = detect('stale.js', withLineBefore(STALE, '// DROP', '  // asyncrace-ignore-next-line: drop() runs only in tests'));
    expect(r.races).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('works when another loader compiled the file first (tsx drops comments; the original source has them)', () => {
    const ts = STAMPEDE.replace('async function loadUser(id) {', 'async function loadUser(id: string): Promise<unknown> {');
    const racy = detect('stampede.ts', ts, '', ['node', '--import', 'tsx']);
    expect(racy.status).toBe(66);
    const r = detect('stampede.ts', withLineBefore(ts, '// ACT', '    // asyncrace-ignore-next-line'), '', ['node', '--import', 'tsx']);
    expect(r.races).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('covers only the next line', () => {
    const src = withLineBefore(STAMPEDE, '// CHECK', '  // asyncrace-ignore-next-line\n');
    const r = detect('stampede.js', src);
    expect(r.status).toBe(66);
    expect(r.races).toHaveLength(1);
  });

  it('flags the sites of the next line in the site table, keeping earlier positions', () => {
    const code = [
      'const m = new Map();',
      '// asyncrace-ignore-next-line',
      'm.get(1); f(...m);',
      'm.set(1, 2);',
    ].join('\n');
    const ast = parse(code, { sourceType: 'module' });
    const v = programVisitor({ filename: '/virtual/a.js', code });
    traverse(ast, {
      Program(p) {
        v.enter(p);
        p.stop();
      },
    });
    const byLine = v.state.sites.filter((s) => s[0] !== 'function').map((s) => [s[0], s[2], s[8] ?? 0]);
    expect(byLine).toEqual([
      ['new', 1, 0],
      ['get', 3, 1],
      ['iterate', 3, 1],
      ['set', 4, 0],
    ]);
    const get = v.state.sites.find((s) => s[0] === 'get')!;
    // message, nullishOnly, argsSuspend kept in place (V8's message for the callee as written; flags 0).
    expect(get.slice(5)).toEqual(['m.get is not a function', 0, 0, 1]);
    const spread = v.state.sites.find((s) => s[0] === 'iterate')!;
    expect(spread[6]).toBe(1);
  });
});

describe('suppressions file: parsing', () => {
  it('reads rules and # comments', () => {
    const rules = parseSuppressions('# a comment\n\nfunction:load*\n  file: src/legacy/** \nkey:user:?\r\n', 'races.supp');
    expect(rules.map((r) => [r.kind, r.pattern, r.where])).toEqual([
      ['function', 'load*', 'races.supp:3'],
      ['file', 'src/legacy/**', 'races.supp:4'],
      ['key', 'user:?', 'races.supp:5'],
    ]);
  });

  it('names the file and line of a malformed rule', () => {
    for (const bad of ['loadUser', 'func:x', 'key:', ':x']) {
      expect(() => parseSuppressions(`# ok\n${bad}\n`, 'races.supp')).toThrow(SuppressionsError);
      expect(() => parseSuppressions(`# ok\n${bad}\n`, 'races.supp')).toThrow(/races\.supp:2: malformed rule/);
    }
  });

  it('is read from the options as a whole: a missing or malformed file is an OptionsError naming it', () => {
    const missing = path.join(work, 'missing.supp');
    // Parsing the options reads no file; reading the rules does.
    expect(parseOptions(`suppressions=${missing}`).suppressions).toBe(missing);
    expect(() => suppressionsOf(parseOptions(`suppressions=${missing}`))).toThrow(OptionsError);
    expect(() => suppressionsOf(parseOptions(`suppressions=${missing}`))).toThrow(`suppressions file ${missing} does not exist`);
    const bad = suppFile('bad.supp', 'key:a\nnot a rule\n');
    expect(() => suppressionsOf(optionsFrom({ suppressions: bad }))).toThrow(`${bad}:2: malformed rule "not a rule"`);
    const good = suppFile('good.supp', 'key:a\n');
    expect(suppressionsOf(parseOptions(`suppressions=${good}`)).map((r) => r.pattern)).toEqual(['a']);
    expect(suppressionsOf(parseOptions(''))).toEqual([]);
  });
});

describe('suppressions file: matching', () => {
  const race = (): ReportRace => cacheRace();
  const match = (text: string, r: ReportRace = race(), cwd = '/app'): string | undefined =>
    suppressedBy(undefined, r, parseSuppressions(text, 's.supp'), cwd);

  it('function: any frame of any access, whole name, * and ?', () => {
    expect(match('function:getUser')).toBe('s.supp:1');
    expect(match('function:get*')).toBe('s.supp:1');
    expect(match('function:handle?')).toBe('s.supp:1'); // current.frames[1]
    expect(match('function:get')).toBeUndefined();
    const r = race();
    r.interleaved!.frames = [frame('/app/src/other.ts', 3, 1, 'Worker.run')];
    expect(match('function:Worker.*', r)).toBe('s.supp:1');
  });

  it('file: frames[0] of any access, absolute or relative to cwd', () => {
    expect(match('file:src/cache.ts')).toBe('s.supp:1');
    expect(match('file:./src/*.ts')).toBe('s.supp:1');
    expect(match('file:/app/src/**')).toBe('s.supp:1');
    expect(match('file:**/cache.ts')).toBe('s.supp:1');
    // server.ts is only a caller's frame, never an access's frames[0].
    expect(match('file:src/server.ts')).toBeUndefined();
    expect(match('file:src/cache.ts', race(), '/elsewhere')).toBeUndefined();
    const r = race();
    r.interleaved!.frames = [frame('/app/src/jobs/sweep.ts', 3, 1, 'sweep')];
    expect(match('file:src/jobs/**', r)).toBe('s.supp:1');
  });

  it('key: the rendered key text', () => {
    expect(match('key:user:1')).toBe('s.supp:1');
    expect(match('key:user:*')).toBe('s.supp:1');
    expect(match('key:user')).toBeUndefined();
    const r = race();
    r.object = { ...r.object, key: '(keys)', keySet: true, keyKind: undefined };
    expect(match('key:(keys)', r)).toBe('s.supp:1');
  });

  it('the first matching rule wins; no rule, no suppression', () => {
    expect(match('key:nope\nfunction:getUser\nkey:user:1')).toBe('s.supp:2');
    expect(match('# nothing\n')).toBeUndefined();
  });
});

describe('suppressions file: through the CLI', () => {
  const run = (text: string) => detect('stampede.js', STAMPEDE, `suppressions=${suppFile(`r${Math.random()}.supp`, text)}`);

  it('drops a race matched by function, file or key, and keeps others', () => {
    for (const rule of ['function:loadUser', 'function:load*', 'file:**/stampede.js', 'key:user:*']) {
      const r = run(`# known\n${rule}\n`);
      expect(r.races, rule).toEqual([]);
      expect(r.status, rule).toBe(0);
    }
    const kept = run('key:session:*\nfunction:other\nfile:**/other.js\n');
    expect(kept.status).toBe(66);
    expect(kept.races).toHaveLength(1);
  });

  it('a file rule relative to the working directory', () => {
    // detect() runs in the project root; the program lives in a temp directory.
    const dir = fs.mkdtempSync(path.join(root, 'test', '.tmp-supp-'));
    try {
      const rel = path.relative(root, dir).split(path.sep).join('/');
      const file = path.join(dir, 'prog.js');
      fs.writeFileSync(file, STAMPEDE);
      const supp = suppFile('rel.supp', `file:${rel}/*.js\n`);
      const json = path.join(dir, 'r.json');
      const env: NodeJS.ProcessEnv = { ...process.env, ASYNCRACE_OPTIONS: `suppressions=${supp}` };
      delete env.NODE_OPTIONS;
      const r = spawnSync(process.execPath, ['bin/asyncrace.js', '--json', json, '--', process.execPath, file], { cwd: root, env, encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(JSON.parse(fs.readFileSync(json, 'utf8')).races).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  function cliWith(options: string) {
    const prog = path.join(work, 'prog.js');
    fs.writeFileSync(prog, STAMPEDE);
    const env: NodeJS.ProcessEnv = { ...process.env, ASYNCRACE_OPTIONS: options };
    delete env.NODE_OPTIONS;
    return spawnSync(process.execPath, ['bin/asyncrace.js', '--', process.execPath, prog], { cwd: root, env, encoding: 'utf8' });
  }

  it('a missing file: exit 2 naming it, before the program runs', () => {
    const missing = path.join(work, 'nope.supp');
    const r = cliWith(`suppressions=${missing}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`asyncrace: suppressions file ${missing} does not exist`);
    expect(r.stderr).not.toContain('ASYNC RACE');
  });

  it('a malformed file: exit 2 naming the file and line', () => {
    const bad = suppFile('malformed.supp', '# fine\nkey:x\nfunction loadUser\n');
    const r = cliWith(`suppressions=${bad}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`asyncrace: suppressions file ${bad}:3: malformed rule "function loadUser"`);
  });

  it('the register entry checks it too (node --require asyncrace/register)', () => {
    const prog = path.join(work, 'prog.js');
    fs.writeFileSync(prog, STAMPEDE);
    const missing = path.join(work, 'nope.supp');
    const env: NodeJS.ProcessEnv = { ...process.env, ASYNCRACE_OPTIONS: `suppressions=${missing}` };
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, ['--require', path.join(root, 'dist/register/register.js'), prog], { env, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`suppressions file ${missing} does not exist`);
  });
});

describe('explanations in the JSON report', () => {
  it('an atomicity violation carries its explanation and hint', () => {
    const r = detect('stampede.js', STAMPEDE);
    const race = r.races[0]!;
    expect(race.kind).toBe('atomicity-violation');
    expect(race.interleaved).toBeDefined();
    expect(race.explanation).toMatch(/^task \d+ awaits here; task \d+ can run before it resumes$/);
    expect(race.resumed).toBe('after the await');
    expect(race.hint).toBe('store the promise in the same step as the check (get-or-create), or hold a lock across the await');
    expect(r.stderr).toContain('hint: store the promise in the same step as the check');
  });

  it('a stale read and an order race get their own hints', () => {
    expect(detect('stale.js', STALE).races[0]!.hint).toBe(
      'if the task still acts on what it read before the await, act only on what it reads after the await (the value may have changed or gone), or hold a lock across the await',
    );
    const order = detect(
      'order.js',
      "const config = new Map();\nsetTimeout(() => { config.set('url', 'x'); }, 0);\nsetImmediate(() => { config.get('url'); });\n",
    );
    const race = order.races[0]!;
    expect(race.kind).toBe('order-race');
    expect(race.explanation).toMatch(/^nothing orders these two events: task \d+ \(a callback\) and task \d+ \(a callback\)$/);
    expect(race.hint).toBe('use a promise, an await, or a lock to order them');
  });

  it('a loop that awaits while another task inserts gets the iteration hint', () => {
    const r = detect(
      'iter.js',
      [
        'const m = new Map([[1, 1], [2, 2]]);',
        'const sleep = (ms) => new Promise((r) => setTimeout(r, ms));',
        'async function walk() { for (const [k] of m) await sleep(1); }',
        'async function add() { await sleep(1); m.set(3, 3); }',
        'walk(); add();',
      ].join('\n'),
    );
    const av = r.races.find((x) => x.kind === 'atomicity-violation')!;
    expect(av.hint).toBe('iterate over a snapshot taken before the loop ([...map]), or hold a lock across the loop');
  });
});
