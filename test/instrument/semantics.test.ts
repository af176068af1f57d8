import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { instrument } from '../../src/instrument/index';
import { PlainRuntime, install, runBoth, runBothAsync, runModule, thrown, transform } from './harness';

describe('semantics are preserved', () => {
  it('evaluates receiver, method and arguments once, in order', () => {
    const { original, instrumented, rt } = runBoth(`
      const log = [];
      const m = new Map([[1, 'one']]);
      const recv = () => (log.push('recv'), m);
      const key = (k) => (log.push('key' + k), k);
      log.push(recv().get(key(1)));
      log.push(recv().set(key(2), key(3)) === m);
      log.push(recv().has(...[key(4)]));
      const obj = { get get() { log.push('getter'); return function (k) { log.push('call ' + k + ' ' + (this === obj)); return 7; } } };
      log.push(obj.get(key(5)));
      const holder = { get m() { log.push('holder'); return m; } };
      log.push(holder.m.get(key(1)), holder.m.size);
      module.exports = log;
    `);
    expect(instrumented).toEqual(original);
    // Tracked calls go through the function `t` chose: get, set, and has with a spread argument.
    expect(rt.kinds()).toContain('call:get');
    expect(rt.kinds()).toContain('call:set');
    expect(rt.kinds()).toContain('call:has');
    // obj.get (a getter's function) is untracked.
    expect(rt.kinds()).toContain('fc');
    expect(rt.kinds()).toContain('size');
  });

  it('hands the late hooks the key and the last argument, each evaluated once, in order', () => {
    const { original, instrumented, rt } = runBoth(`
      const log = [];
      const v = (x) => (log.push(x), x);
      const m = new Map();
      const ws = new WeakSet();
      const o = {};
      class Tags extends WeakSet { add(...xs) { log.push('add ' + xs.length); return super.add(...xs); } }
      const tags = new Tags();
      log.push(m.set(v('k'), v(1)) === m);
      log.push(ws.add(v(o)) === ws);
      log.push(tags.add(o) === tags);
      log.push(m.set(...v(['s', 2])) === m);
      log.push(m.set(v('a'), v('b'), v('c')).size);
      module.exports = [log, [...m]];
    `);
    expect(instrumented).toEqual(original);
    const hooks = rt.hooks.map((h) => [h.how, h.how === 1 || h.how === 3 ? h.key : h.last]);
    expect(hooks).toEqual([
      [1, 'k'],
      [0, {}],
      // tags.add(o), then super.add(...xs) inside it.
      [0, {}],
      [2, [{}]],
      [2, ['s', 2]],
      [1, 'a'],
    ]);
    expect(rt.hooks.every((h) => !h.chosen)).toBe(true);
  });

  it('hands a join its input after the call, and a hook whose arguments await the choice', async () => {
    const { original, instrumented, rt } = await runBothAsync(`
      const ps = [Promise.resolve(1), 2];
      const m = new Map([[1, 'x']]);
      module.exports = (async () => [await Promise.all(ps), await Promise.allSettled(...[ps]).then((r) => r.length), m.get(await 1)])();
    `);
    expect(await instrumented).toEqual(await original);
    expect(rt.joins.map((j) => j.how)).toEqual([1, 3]);
    expect(rt.joins[0]!.input).toHaveLength(2);
    expect(rt.hooks.map((h) => [h.how, h.last, h.chosen])).toEqual([[4, 1, true]]);
  });

  it('keeps `this`, computed members, return values and chaining', () => {
    const { original, instrumented } = runBoth(`
      class Store { constructor() { this.items = []; } add(x) { this.items.push(x); return this; } get(i) { return this.items[i]; } }
      const s = new Store();
      const m = new Map();
      module.exports = [
        s.add(1).add(2)['add'](3).get(2),
        m.set('a', 1).set('b', 2) === m,
        m['get']('a'),
        m['delete']('a'),
        [...m.keys()],
        Array.from(m.entries()),
        m.forEach(function (v, k, map) { this.seen = [v, k, map === m]; }, s) === undefined && s.seen,
      ];
    `);
    expect(instrumented).toEqual(original);
  });

  it('throws the same errors', () => {
    const cases = [
      'const m = null; m.get(1)',
      'const m = {}; m?.x.get(1)',
      'const m = {}; m.get(1)',
      'const p = new Proxy(new Map(), {}); p.get(1)',
      'const p = new Proxy(new Map(), {}); p.size',
      'const s = Object.create(Set.prototype); s.add(1)',
      'const m = new Map(); m.forEach(null)',
      'Promise.all(5).catch(() => {}); Promise.all.call(null)',
    ];
    for (const c of cases) {
      const original = thrown(() => runModule(c));
      const out = transform(c).code;
      const uninstall = install(new PlainRuntime());
      try {
        const instrumented = thrown(() => runModule(out));
        expect(original, c).toBeDefined();
        // "m.get is not a function" comes from the site table's callee text, as in the real runtime.
        expect(instrumented, c).toBe(original);
      } finally {
        uninstall();
      }
    }
  });

  it('names the callee as written when it holds a rewritten access (V8 would print the generated code)', () => {
    const setup = "const m = new Map([[1, { x: { del: 5 } }], [2, 5]]); const o = { m }; const name = 'run';";
    const cases = [
      'm.get(1).run()',
      'm.get(2)()',
      'm.get(1)[name]()',
      '(o || m.get(1)).run()',
      'm.size.foo()',
      '[...m.keys()].foo()',
      'm.get(1)?.run()',
      'm?.get(1).run()',
      'm?.get(1).x?.del()',
      'o.m?.get(1)?.run()',
      'm?.get(2)()',
      'm?.get(1)?.x.del()',
      'm.get(1)?.x.run()',
      'm.get(1)?.x.del.call(null)',
      // A called parenthesised chain is "(intermediate value)", whatever it holds.
      '(m.get(1)?.x.del)()',
    ];
    for (const c of cases) {
      const code = `${setup}\n${c}`;
      const original = thrown(() => runModule(code));
      const uninstall = install(new PlainRuntime());
      try {
        expect(original, c).toMatch(/is not a function$/);
        expect(thrown(() => runModule(transform(code).code)), c).toBe(original);
      } finally {
        uninstall();
      }
    }
  });

  it('words the TypeErrors of iterated calls, destructuring and construction for the code as written', () => {
    const setup = "const m = new Map([[1, { p: 1 }], [3, 5]]); m.keys = 1; const o = { f: 1, m }; const F = 1;";
    const cases = [
      'for (const x of m.keys());',
      'for (const x of o.f());',
      'for (const x of F());',
      '[...o.m.keys()]',
      'const [a] = m.keys();',
      'let a; [a] = o.f();',
      'let a; String([a] = m.keys());',
      'const [[a] = o.f()] = [];',
      '(function* () { yield* m.keys(); })().next()',
      '(function* () { const r = yield* o.f(); return r; })().next()',
      'Math.max(...m.keys())',
      'const { a } = m.get(9);',
      'const { 1: a } = o.m.get(9);',
      'const { ...r } = m.get(9);',
      'let a; ({ a } = m.get(9));',
      'const { p: { a } = m.get(9) } = {};',
      'const { a } = m?.get(9);',
      'new (m.get(3))();',
      'new (o.m.get(1)).p();',
    ];
    for (const c of cases) {
      const code = `${setup}\n${c}`;
      const original = thrown(() => runModule(code));
      const uninstall = install(new PlainRuntime());
      try {
        expect(original, c).toMatch(/^TypeError: /);
        expect(thrown(() => runModule(transform(code).code)), c).toBe(original);
      } finally {
        uninstall();
      }
    }
  });

  it('keeps `this`, order and results of calls it routes for their message', () => {
    const { original, instrumented, rt } = runBoth(`
      const log = [];
      const k = (x) => (log.push('k' + x), x);
      const box = { n: 7, self() { return this === box; }, add(a, b) { return this.n + a + b; } };
      const m = new Map([[1, box], [2, () => 'called']]);
      log.push(m.get(k(1)).self(), m.get(k(1)).add(k(2), k(3)), m.get(2)(), m?.get(1).self(), m.get(1)?.add?.(1, 2), m?.get(3)?.self());
      log.push((0, m.get(1).self)(), [...m.keys()].map(String).join(), m.get(1).add.call({ n: 1 }, 1, 1));
      module.exports = log;
    `);
    expect(instrumented).toEqual(original);
    expect(original).toEqual(['k1', 'k1', 'k2', 'k3', true, 12, 'called', true, 10, undefined, false, '1,2', 3]);
    // The routed calls went through the runtime's choice, untracked.
    expect(rt.kinds().filter((x) => x === 'fc').length).toBeGreaterThan(5);
  });

  it('keeps optional chaining short-circuits', () => {
    const { original, instrumented, rt } = runBoth(`
      const log = [];
      const k = (x) => (log.push('k' + x), x);
      const m = new Map([[1, { x: 'X', f() { return this.x; } }]]);
      const nil = null;
      const o = { m, n: null, f(v) { log.push('f ' + (this === o)); return m; } };
      log.push(
        nil?.get(k(1)),
        m?.get(k(1)).x,
        m.get?.(k(1)).x,
        ({}).get?.(k(2)),
        nil?.b.get(k(3)).c,
        o?.m.get(k(1)).x,
        o.n?.get(k(4)),
        m?.size,
        nil?.size,
        o.m?.size,
        o?.f(k(5)).get(1)?.f(),
        o?.f(k(6)).get(2)?.f(),
        o.f?.(k(7))?.get(1).f?.(),
        m?.get(1)?.missing?.(),
        m?.['get'](k(8))?.x,
      );
      function inMethod() { return this.m?.get(k(9))?.x; }
      log.push(inMethod.call(o), inMethod.call({ m: null }));
      module.exports = log;
    `);
    expect(instrumented).toEqual(original);
    expect(rt.kinds().filter((k) => k === 'call:get').length).toBeGreaterThan(5);
  });

  it('keeps `super` calls in subclasses', () => {
    const { original, instrumented, rt } = runBoth(`
      class Counting extends Map {
        constructor(entries) { super(entries); this.reads = 0; }
        get(k) { this.reads++; return super.get(k); }
        set(k, v) { return super.set(k, v * 2); }
        get size() { return super.size + 100; }
        maybe(k) { return super.get?.(k); }
      }
      const c = new Counting([[1, 1]]);
      c.set(2, 2);
      module.exports = [c.get(1), c.get(2), c.reads, c.size, c.maybe(2), c instanceof Map];
    `);
    expect(instrumented).toEqual(original);
    expect(rt.kinds()).toContain('size');
  });

  it('keeps `arguments`, hoisting, strict mode and getters', () => {
    const { original, instrumented } = runBoth(`
      function args() { return [arguments.length, ...arguments]; }
      function hoisted() { return inner(2); function inner(x) { return x * deeper(); function deeper() { return 21; } } }
      function sloppyThis() { return this === globalThis; }
      function strictThis() { 'use strict'; return this; }
      function conflicting() { var g = 1; function g() {} return typeof g; }
      function twice() { return f(); function f() { return 1; } function f() { return 2; } }
      function param(h) { function h() { return 'fn'; } return typeof h; }
      const obj = { _v: 3, get v() { return this._v; }, set v(x) { this._v = x * 2; } };
      obj.v = 5;
      module.exports = [args(1, 2, 3), hoisted(), sloppyThis(), strictThis(), conflicting(), twice(), param(1), obj.v, early()];
      function early() { return typeof later; }
      var later = 1;
    `);
    expect(instrumented).toEqual(original);
  });

  it('keeps derived constructors, class fields and expression arrows', () => {
    const { original, instrumented, rt } = runBoth(`
      const m = new Map([['a', 1]]);
      class Base { constructor(x) { this.x = x; } }
      class Derived extends Base {
        field = m.get('a');
        arrow = () => m.get('a') + this.x;
        static count = m.size;
        static { this.init = m.has('a'); }
        constructor(x) { const before = typeof x; super(x); this.before = before; }
      }
      class Early extends Base { constructor() { this.x = 1; super(); } }
      const d = new Derived(2);
      const obj = () => ({ a: m.get('a') });
      const nested = (a) => (b) => a + b;
      module.exports = [d.field, d.arrow(), Derived.count, Derived.init, d.before, obj(), nested(1)(2)];
      try { new Early(); } catch (e) { module.exports.push(e.constructor.name); }
    `);
    expect(instrumented).toEqual(original);
    const pushes = rt.kinds().filter((k) => k === 'push').length;
    expect(pushes).toBe(rt.kinds().filter((k) => k === 'pop').length);
    expect(pushes).toBeGreaterThan(5);
  });

  it('keeps iteration, destructuring and generators', () => {
    const { original, instrumented, rt } = runBoth(`
      const m = new Map([[1, 'a'], [2, 'b']]);
      const s = new Set([3, 4]);
      const out = [];
      for (const [k, v] of m) out.push(k + v);
      const [first, ...rest] = s;
      let x, y;
      const assigned = ([x, y] = [5, 6]);
      function* gen() { yield* m.keys(); yield* s; return 'done'; }
      const g = gen();
      out.push(first, rest, x, y, assigned, [...gen()], g.next(), Math.max(...s), Array.from(s, (v) => v * 2));
      module.exports = out;
    `);
    expect(instrumented).toEqual(original);
    expect(rt.kinds().filter((k) => k === 'iter').length).toBeGreaterThanOrEqual(7);
    expect(rt.kinds()).toContain('whole');
    // A generator gets a shadow frame, unless it has a yield* of its own.
    expect(transform('function* g() { yield 1 }').meta.sites.filter((s) => s[0] === 'function')).toHaveLength(1);
    expect(transform('function* g() { yield* [1] }').meta.sites.filter((s) => s[0] === 'function')).toEqual([]);
  });

  it('keeps async functions with try/catch/finally and awaits', async () => {
    const { original, instrumented, rt } = await runBothAsync(`
      const m = new Map();
      const log = [];
      const tick = (v) => new Promise((r) => setTimeout(() => r(v), 1));
      async function work(k) {
        try {
          if (!m.has(k)) m.set(k, await tick(k));
          if (k === 2) throw new Error('boom ' + (await tick(k)));
          return m.get(k);
        } catch (e) {
          log.push('caught ' + e.message);
          return await tick(-1);
        } finally {
          log.push('finally ' + k);
        }
      }
      const arrow = async (k) => (await work(k)) * 10;
      module.exports = Promise.all([work(1), work(2), arrow(3)]).then((r) => [r, log, m.size]);
    `);
    expect(instrumented).toEqual(original);
    const kinds = rt.kinds();
    // 6 awaits; a res for each, for the catch block and for the 3 finally blocks run.
    expect(kinds.filter((k) => k === 'sus').length).toBe(6);
    expect(kinds.filter((k) => k === 'res').length).toBe(10);
    expect(kinds.filter((k) => k === 'push').length).toBe(kinds.filter((k) => k === 'pop').length);
    expect(rt.depth).toBe(0);
  });

  it('runs every operation plain where no runtime is installed', () => {
    const src = 'const m = new Map([[1, 2]]);\nconst o = { get(k) { return [this === o, k]; } };\nmodule.exports = [m.get(1), m.size, [...m.keys()], o.get(3), (async () => { await null; return m.has(1); })()];';
    const out = transform(src).code;
    const [a, b, c, d, e] = runModule(out) as [unknown, unknown, unknown, unknown, Promise<unknown>];
    expect([a, b, c, d]).toEqual([2, 1, [1], [true, 3]]);
    return expect(e).resolves.toBe(true);
  });

  it('keeps error stack line numbers', () => {
    const code = ['const m = new Map();', 'function f() {', '  m.get(1);', '  throw new Error("x");', '}', 'module.exports = f;'].join('\n');
    const lineOf = (fn: () => void): string => {
      try {
        fn();
      } catch (e) {
        return /<anonymous>:(\d+)/.exec((e as Error).stack ?? '')![1]!;
      }
      return '';
    };
    const original = lineOf(() => (runModule(code) as () => void)());
    const uninstall = install(new PlainRuntime());
    try {
      const instrumented = lineOf(() => (runModule(transform(code).code) as () => void)());
      expect(instrumented).toBe(original);
    } finally {
      uninstall();
    }
  });

  it('lets an import cycle call a hoisted function before the module body ran', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-cycle-'));
    const a = path.join(dir, 'a.mjs');
    const b = path.join(dir, 'b.mjs');
    const write = (file: string, code: string): void => fs.writeFileSync(file, instrument(code, file, { moduleName: pathToFileURL(file).href })!.code);
    write(a, "import { fromB } from './b.mjs';\nexport function helper(m) { return m.get(1); }\nexport const seen = fromB;\n");
    write(b, "import { helper } from './a.mjs';\nexport const fromB = helper(new Map([[1, 'early']]));\n");
    const runner = path.join(dir, 'run.cjs');
    fs.writeFileSync(
      runner,
      `const files = [];
      const rt = { file(m) { files.push(m.file); return 1; }, t(s, o, f) { return (f, o, ...a) => Reflect.apply(f, o, a); },
        push(s) { return { s }; }, pop() {}, made(s, c) { return c; }, iter(s, i) { return i; } };
      Object.defineProperty(globalThis, Symbol.for('asyncrace'), { value: rt });
      import(${JSON.stringify(pathToFileURL(a).href)}).then((m) => console.log(JSON.stringify({ seen: m.seen, files: files.sort() })));`,
    );
    try {
      const out = JSON.parse(execFileSync(process.execPath, [runner], { encoding: 'utf8' })) as { seen: string; files: string[] };
      expect(out.seen).toBe('early');
      expect(out.files).toEqual([pathToFileURL(a).href, pathToFileURL(b).href].sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('untracked calls and temporaries', () => {
  it('keeps evaluation order and counts for every kind of receiver and argument', () => {
    const { original, instrumented, rt, out } = runBoth(`
      const log = [];
      const m = new Map();
      const k = (x) => (log.push('k' + x), x);
      // A global getter as receiver runs once.
      Object.defineProperty(globalThis, '__arRecv', { configurable: true, get() { log.push('global'); return m; } });
      __arRecv.set(k(1), k(2));
      // A Proxy sees the same traps.
      const p = new Proxy({ get(x) { return 'p' + x; } }, { get(t, key, r) { log.push('trap ' + String(key)); return Reflect.get(t, key, r); } });
      log.push(p.get(k(3)));
      // Arguments that reassign the receiver or an earlier argument.
      let r = m, key = 'a';
      r.set(key, key = 'b');
      r.set(k(4), (r = new Map(), 5));
      log.push([...m], r.size, key);
      // A getter that returns the method, and one that throws.
      const obj = { get has() { log.push('has getter'); return function (x) { return 'has ' + x + (this === obj); }; } };
      log.push(obj.has(k(6)));
      const bad = { get get() { log.push('bad getter'); throw new Error('no get'); } };
      try { bad.get(k(7)); } catch (e) { log.push(e.message); }
      // Not a function: the arguments run first, then the TypeError.
      try { ({ get: 1 }).get(k(8)); } catch (e) { log.push(e.constructor.name); }
      try { m.nope(k(9)); } catch (e) { log.push(e.constructor.name); }
      // Spread arguments through a user iterator.
      const it = { *[Symbol.iterator]() { log.push('iter'); yield 10; yield 11; } };
      m.set(...it);
      delete globalThis.__arRecv;
      module.exports = log;
    `);
    expect(instrumented).toEqual(original);
    expect(out).toContain('_o = __arRecv, _f = _o.set');
    // Untracked receivers are called through fc; the Map's set (spread arguments too) through its tracked entry.
    expect(rt.kinds()).toContain('fc');
    expect(rt.events.filter(([k]) => k === 'call:set').length).toBe(4);
  });

  it('keeps nested calls, recursion and awaits in arguments apart', async () => {
    const { original, instrumented } = await runBothAsync(`
      const m = new Map();
      const count = (k) => m.set(k, (m.get(k) ?? 0) + 1).get(k);
      const counts = [count('a'), count('a'), count('b')];
      // The argument recurses into the same call site before the outer call is made.
      const memo = new Map();
      function fib(n) { return n < 2 ? n : memo.get(n) ?? (memo.set(n, fib(n - 1) + fib(n - 2)), memo.get(n)); }
      const deep = new Map();
      function build(n) { return n === 0 ? deep : deep.set(n, build(n - 1)).get(n) === deep ? n : -1; }
      // Class fields and parameter defaults in argument position.
      class Box { v = m.get('a'); constructor(x = m.get('b')) { this.x = x; } }
      const boxes = new Map();
      boxes.set(new Box().v, new Box(m.get('a')));
      const tick = (v) => new Promise((r) => setTimeout(() => r(v), 1));
      const cache = new Map();
      async function fill(k) { cache.set(k, await tick(k * 10)); return cache.set(await tick(k), (cache.get(k) ?? 0) + (await tick(1))).get(k); }
      module.exports = Promise.all([fill(1), fill(2), fill(3)]).then((filled) => [counts, fib(20), build(5), [...boxes.keys()], boxes.get(2).x, filled, [...cache]]);
    `);
    expect(instrumented).toEqual(original);
    expect((original as unknown[])[1]).toBe(6765);
  });

  it('keeps the names of anonymous functions and classes passed as arguments', () => {
    const { original, instrumented } = runBoth(`
      const m = new Map();
      const log = [];
      m.set('f', function () {}).set('a', () => {}).set('c', class {});
      log.push([...m.values()].map((v) => v.name));
      const s = new Set();
      s.add(() => {});
      log.push([...s][0].name);
      m.forEach(function () { log.push(typeof this); }, {});
      try { m.forEach(class {}); } catch (e) { log.push(e.message); }
      const o = { get(f) { return f.name; } };
      log.push(o.get(() => {}), o.get(function () {}), (class { static get(x) { return this.name; } }).get(1));
      // Stack frames of anonymous callbacks.
      const frame = () => /^\\s*at (\\S+) \\(/.exec(new Error().stack.split('\\n')[2])?.[1] ?? 'anonymous';
      new Map([[1, 1]]).forEach(function () { log.push(frame()); });
      new Set([1]).forEach(() => log.push(frame()));
      try { m.forEach(class { constructor() { throw new Error('x'); } }); } catch (e) { log.push(e.message); }
      module.exports = log;
    `);
    expect(instrumented).toEqual(original);
  });

  it('hands Array.from the collection itself', () => {
    const { original, instrumented, rt } = runBoth(`
      const m = new Map([[1, 2]]);
      const from = Array.from;
      const seen = [];
      Array.from = function (x, ...rest) { seen.push(x === m); return from.call(this, x, ...rest); };
      const out = [Array.from(m), Array.from(m, ([k, v]) => k + v)];
      Array.from = from;
      module.exports = [out, seen];
    `);
    expect(instrumented).toEqual(original);
    expect(instrumented).toEqual([[[[1, 2]], [3]], [true, true]]);
    expect(rt.kinds().filter((k) => k === 'whole').length).toBe(2);
  });

  it('leaves the body of a with statement untouched', () => {
    const code = `
      const log = [];
      const m = new Map([[1, 'one']]);
      const scope = new Proxy({}, { has(t, key) { log.push(typeof key === 'string' ? key : 'symbol'); return false; } });
      with (scope) {
        log.push(m.get(1), m.size);
        for (const x of m) log.push(x);
        (function inner() { log.push(m.has(1)); })();
      }
      module.exports = log;
    `;
    const { original, instrumented, out } = runBoth(code);
    expect(instrumented).toEqual(original);
    const body = out.slice(out.indexOf('with (scope)'), out.indexOf('module.exports'));
    expect(body).not.toMatch(/_ar|_f|_o\b/);
    expect(body).toContain('m.get(1)');
  });
});

describe('layout-sensitive code', () => {
  it('keeps multi-line returns, chains and arrows working', async () => {
    const { original, instrumented, out } = await runBothAsync(`
      const m = new Map([['k', { v: 1, f() { return this.v; } }]]);
      const arrow = (k) =>
        m
          .get(k)
          .v;
      const chained = (o) =>
        o
          ?.m
          .get('k')
          ?.f();
      function ret(k) {
        return (
          m.get(k).v
        );
      }
      async function forAwait() {
        const out = [];
        async function* gen() { yield* m.keys(); }
        outer: for await (const k of gen()) { for (const x of [1, 2]) { if (x === 2) continue outer; out.push(k + x); } }
        return out;
      }
      module.exports = forAwait().then((fa) => [arrow('k'), chained({ m }), chained(null), ret('k'), fa]);
    `);
    expect(instrumented).toEqual(original);
    // for await takes async iterables, which a Map or Set is not: left untouched.
    expect(out).toContain('for await (const k of gen())');
  });
});
