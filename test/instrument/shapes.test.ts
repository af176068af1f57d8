import { describe, it, expect } from 'vitest';
import { instrument } from '../../src/instrument/index';
import { transform } from './harness';

const DECLARED = 'var m, s, x, a, g; ';

/** The instrumented code without its prelude, registration and source map comment (`m`, `s`, `x`, `a`, `g` are declared). */
function body(code: string): string {
  const out = transform(DECLARED + code).code;
  return out
    .replace(DECLARED.trim(), '')
    .replace(/\n\/\/# sourceMappingURL=.*\n?$/, '')
    .replace(/function _arI\(\)[\s\S]*$/, '')
    .replace(/^var _ar, _arS[^;]*; ?_ar \|\| _arI\(\);/m, '')
    .trim();
}

/** Every word that occurs once in the original is on the same line in the output. */
function expectLinesKept(original: string, output: string): void {
  const words = new Map<string, number>();
  const counts = new Map<string, number>();
  original.split('\n').forEach((line, i) => {
    for (const w of line.match(/[A-Za-z][\w$]{2,}/g) ?? []) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      words.set(w, i);
    }
  });
  const outLines = output.split('\n');
  for (const [w, line] of words) {
    if (counts.get(w) !== 1) continue;
    expect(outLines[line], `"${w}" on line ${line + 1}`).toMatch(new RegExp(`(?<![\\w$])${w}(?![\\w$])`));
  }
}

describe('generated shapes', () => {
  it('rewrites method calls, whatever their arguments, into one shape', () => {
    expect(body('m.clear()')).toBe('(_f = m.clear, _ar.t(_arS + 0, m, _f))(_f, m);');
    expect(body('m.get(k)')).toBe('(_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k);');
    expect(body('m.set(k, v)')).toBe('(_f = m.set, _t = _f, _ar.tl(_arS + 0, m, _t))(_t, m, _t2 = k, _ar.k(_arS + 0, _t, m, v, 1, _t2));');
    expect(body('s.add(a, b, c)')).toBe('(_f = s.add, _t = _f, _ar.tl(_arS + 0, s, _t))(_t, s, _t2 = a, b, _ar.k(_arS + 0, _t, s, c, 1, _t2));');
    // Spread arguments stay as written in the final argument list.
    expect(body('m.set(...kv)')).toBe('(_f = m.set, _t = _f, _ar.tl(_arS + 1, m, _t))(_t, m, ..._ar.k(_arS + 1, _t, m, _ar.iter(_arS + 0, kv), 2));');
    expect(body('x.y.get(...a, b)')).toBe('(_o = x.y, _f = _o.get, _ar.t(_arS + 1, _o, _f))(_f, _o, ..._ar.iter(_arS + 0, a), b);');
    expect(body("m['delete'](k)")).toBe("(_f = m['delete'], _ar.t(_arS + 0, m, _f))(_f, m, k);");
    expect(body('this.m.has(k)')).toBe('(_o = this.m, _f = _o.has, _ar.t(_arS + 0, _o, _f))(_f, _o, k);');
    expect(body('this.has(k)')).toBe('(_f = this.has, _ar.t(_arS + 0, this, _f))(_f, this, k);');
    for (const m of ['forEach', 'keys', 'values', 'entries']) expect(body(`x.${m}()`)).toBe(`(_f = x.${m}, _ar.t(_arS + 0, x, _f))(_f, x);`);
  });

  it('leaves every argument in place, as written', () => {
    expect(body('m.get("k", 1)')).toBe('(_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, "k", 1);');
    expect(body('m.set("k", 1)')).toBe('(_f = m.set, _t = _f, _ar.tl(_arS + 0, m, _t))(_t, m, _t2 = "k", _ar.k(_arS + 0, _t, m, 1, 1, _t2));');
    expect(body('m.has(null, void 0)')).toBe('(_f = m.has, _ar.t(_arS + 0, m, _f))(_f, m, null, void 0);');
    expect(body('m.set(undefined, true)')).toBe('(_f = m.set, _t = _f, _ar.tl(_arS + 0, m, _t))(_t, m, _t2 = undefined, _ar.k(_arS + 0, _t, m, true, 1, _t2));');
    // `k` is read before `k = 2` runs, as in the original.
    expect(body('m.set(k, k = 2)')).toBe('(_f = m.set, _t = _f, _ar.tl(_arS + 0, m, _t))(_t, m, _t2 = k, _ar.k(_arS + 0, _t, m, k = 2, 1, _t2));');
  });

  it('lets nested and sibling shapes share the temporaries (read before any argument runs)', () => {
    expect(body('m.set(k, (m.get(k) ?? 0) + 1)')).toBe(
      '(_f = m.set, _t = _f, _ar.tl(_arS + 1, m, _t))(_t, m, _t2 = k, _ar.k(_arS + 1, _t, m, ((_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k) ?? 0) + 1, 1, _t2));',
    );
    // A shape in the receiver has run before the outer one sets anything.
    expect(body('m.get(a).get(b)')).toBe(
      '(_o = (_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, a), _f = _o.get, _ar.t(_arS + 1, _o, _f))(_f, _o, b);',
    );
    expect(body('m.get(k).set(a, m.get(b))')).toBe(
      '(_o = (_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k), _f = _o.set, _t = _f, _t2 = _o, _ar.tl(_arS + 2, _t2, _t))(_t, _t2, _t3 = a, _ar.k(_arS + 2, _t, _t2, (_f = m.get, _ar.t(_arS + 1, m, _f))(_f, m, b), 1, _t3));',
    );
    expect(body('f(m.get(1), m.get(2))')).toBe('f((_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, 1), (_f = m.get, _ar.t(_arS + 1, m, _f))(_f, m, 2));');
    // A size read in an argument reuses `_o` after the outer call has read it.
    expect(body('x.y.set(k, a.b.size)')).toBe('(_o = x.y, _f = _o.set, _t = _f, _t2 = _o, _ar.tl(_arS + 1, _t2, _t))(_t, _t2, _t3 = k, _ar.k(_arS + 1, _t, _t2, _ar.size(_arS + 0, _o = a.b, _o.size), 1, _t3));');
  });

  it('keeps anonymous functions and classes nameless', () => {
    // Arguments stay arguments: nothing to name them after.
    expect(body('m.forEach((((v) => v)))')).toMatch(/^\(_f = m\.forEach, _ar\.t\(_arS \+ 1, m, _f\)\)\(_f, m, \(v\) => \{/);
    expect(body('m.get(k, function () {})')).toContain('(_f, m, k, function () {');
    expect(body('m.set(k, function () {})')).toContain('(_t, m, _t2 = k, (_ar.k)(_arS + 1, _t, m, function () {');
    expect(body('m.set(k, class {})')).toBe('(_f = m.set, _t = _f, _ar.tl(_arS + 0, m, _t))(_t, m, _t2 = k, (_ar.k)(_arS + 0, _t, m, class {}, 1, _t2));');
    expect(body('m.get(k, class extends B {})')).toBe('(_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k, class extends B {});');
    // A receiver assigned to `_o` (V8 would name it `_o`) comes out of a call; `(_o)`: V8 names nothing inside after `_o`.
    expect(body('(class { static get() {} }).get(1)')).toContain('((_o) = (() => class {');
    expect(body('(() => m)?.get(1)')).toContain('((_t) = (() => () => {');
  });

  it('leaves the body of a with statement alone', () => {
    // Inside, `_ar` and the temporaries would be looked up on the object first (a Proxy's `has` sees them).
    expect(body('with (m.get(o)) { m.get(1); n = m.size; for (const x of m); new Map(); (function f() { m.has(2) })() }')).toBe(
      'with ((_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, o)) {m.get(1);n = m.size;for (const x of m);new Map();(function f() {m.has(2);})();}',
    );
  });

  it('words iteration messages after the expression as written', () => {
    const sites = transform('const m = new Map(); for (const a of m.get(1)); for (const b of m.size); f(...m.get(2))').meta.sites.filter((x) => x[0] === 'iterate');
    expect(sites.map((x) => x[5])).toEqual([
      'm.get is not a function or its return value is not iterable',
      'm.size is not iterable',
      'm.get(...) is not iterable (cannot read property %s)',
    ]);
  });

  it('declares temporaries in the function that uses them, per invocation', () => {
    expect(body('function f(k) { return m.get(k) }')).toBe(
      'function f(k) {var _arc = (_ar || _arI()).push(_arS + 0),_f;try {return (_f = m.get, _ar.t(_arS + 1, m, _f))(_f, m, k);} finally {_ar.pop(_arc);}}',
    );
    expect(body('function* g(k) { m.get(k, yield) }')).toBe(
      'function* g(k) {var _arc = (_ar || _arI()).push(_arS + 0),_f,_t,_t2;try {(_f = m.get, _t = _f, _t2 = _ar.tl(_arS + 1, m, _t))(_t, m, k, _ar.k(_arS + 1, _t, m, _ar.res(yield _ar.sus(void 0, _arc), _arc), 4, void 0, _t2));} finally {_ar.pop(_arc);}}',
    );
    // A generator with a yield* is not wrapped: it declares its temporaries only.
    expect(body('function* g(k) { m.get(k, yield); yield* k }')).toBe(
      'function* g(k) {var _f, _t, _t2;_ar || _arI();(_f = m.get, _t = _f, _t2 = _ar.tl(_arS + 0, m, _t))(_t, m, k, _ar.k(_arS + 0, _t, m, yield, 4, void 0, _t2));yield* _ar.iter(_arS + 1, k);}',
    );
    // Static blocks declare their own; field initializers and parameters use the enclosing
    // function's (read before any argument runs, they can be shared).
    expect(body('class A { static { m.get(k) } }')).toBe('class A {static {var _f;(_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k);}}');
    const out = transform('var m; m.get(a); class A { f = m.get(b) } function g(x = m.get(c)) {}').code;
    expect(out.split('\n')[0]).toBe(
      'var _ar, _arS, _f;_ar || _arI();var m;(_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, a);class A {f = (_f = m.get, _ar.t(_arS + 1, m, _f))(_f, m, b);}' +
        'function g(x = (_f = m.get, _ar.t(_arS + 3, m, _f))(_f, m, c)) {var _arc = (_ar || _arI()).push(_arS + 2);try {} finally {_ar.pop(_arc);}}',
    );
  });

  it('uses a temporary for unbound (global), reassigned and imported receivers only', () => {
    expect(body('const n = 1; n.get(k)')).toBe('const n = 1;(_f = n.get, _ar.t(_arS + 0, n, _f))(_f, n, k);');
    expect(body('glob.get(k)')).toBe('(_o = glob, _f = _o.get, _ar.t(_arS + 0, _o, _f))(_f, _o, k);');
    // An argument may reassign it: `r.set(k, r = other)` calls the old `r`.
    expect(body('let r; r.get(k); r = 2')).toBe('let r;(_o = r, _f = _o.get, _ar.t(_arS + 0, _o, _f))(_f, _o, k);r = 2;');
    expect(transform('import { c } from "./c.mjs"; c.get(k)', '/virtual/i.mjs').code).toContain('(_o = c, _f = _o.get,');
  });

  it('leaves other calls and computed members alone', () => {
    expect(body('m.fetch(k); m[name](k); m.get.call(m, k); (0, m.get)(k); new m.get(k); m.get`x`')).toBe(
      'm.fetch(k);m[name](k);m.get.call(m, k);(0, m.get)(k);new m.get(k);m.get`x`;',
    );
  });

  it('ends set, add, joins and calls whose arguments suspend in the late hooks, with the key where the runtime can find it', () => {
    // No argument: no hook (the choice alone; a weak collection's set then throws from the user's frame).
    expect(body('m.set()')).toBe('(_f = m.set, _ar.tl(_arS + 0, m, _f))(_f, m);');
    // The key of a spread: the iterable, in a temporary of its own (how 3), or the hooked argument itself (how 2).
    expect(body('s.add(...a, b)')).toBe('(_f = s.add, _t = _f, _ar.tl(_arS + 1, s, _t))(_t, s, ...(_t2 = _ar.iter(_arS + 0, a)), _ar.k(_arS + 1, _t, s, b, 3, _t2));');
    expect(body('Promise.all(...a)')).toBe(
      '_ar.j((_o = Promise, _f = _o.all, _t = _f, _t2 = _o, _ar.tj(_arS + 1, _t2, _t))(_t, _t2, ...(_t3 = _ar.iter(_arS + 0, a))), _arS + 1, _t, _t2, _t3, 3);',
    );
    expect(body('Promise.all()')).toBe('(_o = Promise, _f = _o.all, _ar.tj(_arS + 0, _o, _f))(_f, _o);');
    // A literal spread stays as V8 names it in its TypeError (`null is not iterable`): no hook, no key.
    expect(body('m.set(1, ...null)')).toBe('(_f = m.set, _ar.tl(_arS + 0, m, _f))(_f, m, 1, ...null);');
    expect(body('m.set(...null, 1)')).toBe('(_f = m.set, _t = _f, _ar.tl(_arS + 0, m, _t))(_t, m, ...null, _ar.k(_arS + 0, _t, m, 1, 4));');
    expect(body('m?.set(k, v)')).toBe('(m) == null ? void 0 : (_f = m.set, _t = _f, _ar.tl(_arS + 0, m, _t))(_t, m, _t2 = k, _ar.k(_arS + 0, _t, m, v, 1, _t2));');
    expect(body('m.set?.(k, v)')).toBe('(_t = m.set) == null ? void 0 : (_t2 = _t, _ar.tl(_arS + 0, m, _t2))(_t2, m, _t3 = k, _ar.k(_arS + 0, _t2, m, v, 1, _t3));');
    // Arguments that await: the hook also gets the choice (how 4: no key), for a TypeError made before the await.
    expect(body('async function f() { x.forEach(g, await y) }')).toContain(
      '(_f = x.forEach, _t = _f, _t2 = _ar.tl(_arS + 1, x, _t))(_t, x, g, _ar.k(_arS + 1, _t, x, _ar.res(await _ar.sus(y, _arc), _arc), 4, void 0, _t2));',
    );
    expect(body('async function f() { for (const v of o.f(await y)); }')).toContain(
      '_t3 = typeof _t == "function" ? _ar.fc : _ar.tl(_arS + 1, _t2, _t))(_t, _t2, _ar.k(_arS + 1, _t, _t2, _ar.res(await _ar.sus(y, _arc), _arc), 4, void 0, _t3))',
    );
  });

  it('rewrites super calls and global Promise joins', () => {
    expect(body('class A extends B { f(k) { return super.get(k) } }')).toContain('return (_f = super.get, _ar.t(_arS + 1, this, _f))(_f, this, k);');
    expect(body('class A extends B { f(k) { return super.get?.(k) } }')).toContain('return (_t = super.get) == null ? void 0 : (_ar.t(_arS + 1, this, _t))(_t, this, k);');
    expect(body('Promise.all(ps); Promise.allSettled(ps); Promise.any(ps); Promise.race(ps)')).toBe(
      [
        '_ar.j((_o = Promise, _f = _o.all, _t = _f, _t2 = _o, _ar.tj(_arS + 0, _t2, _t))(_t, _t2, _t3 = ps), _arS + 0, _t, _t2, _t3, 1);',
        '_ar.j((_o = Promise, _f = _o.allSettled, _t4 = _f, _t5 = _o, _ar.tj(_arS + 1, _t5, _t4))(_t4, _t5, _t6 = ps), _arS + 1, _t4, _t5, _t6, 1);',
        '(_o = Promise, _f = _o.any, _ar.t(_arS + 2, _o, _f))(_f, _o, ps);',
        'Promise.race(ps);',
      ].join(''),
    );
    expect(body('const Promise = P; Promise.all(ps)')).toBe('const Promise = P;Promise.all(ps);');
  });

  it('rewrites size reads only', () => {
    expect(body('n = m.size')).toBe('n = _ar.size(_arS + 0, m, m.size);');
    expect(body('n = a.b.size')).toBe('n = _ar.size(_arS + 0, _o = a.b, _o.size);');
    expect(body('m.size = 1; m.size += 1; m.size++; delete m.size; m.size(); [m.size] = x; ({ a: m.size } = x)')).not.toContain('_ar.size');
  });

  it('wraps iterated expressions', () => {
    expect(body('for (const x of xs) f(x)')).toBe('for (const x of _ar.iter(_arS + 0, xs)) f(x);');
    expect(body('[...xs]')).toBe('[..._ar.iter(_arS + 0, xs)];');
    expect(body('f(...xs)')).toBe('f(..._ar.iter(_arS + 0, xs));');
    expect(body('({ ...o })')).toBe('({ ...o });');
    expect(body('Array.from(xs, f)')).toBe('Array.from(_ar.whole(_arS + 0, xs), f);');
    expect(body('Array.from([1], f)')).toBe('Array.from([1], f);');
    expect(body('const Array = A; Array.from(xs)')).toBe('const Array = A;Array.from(xs);');
    expect(body('const [p, q] = xs')).toBe('const [p, q] = _ar.iter(_arS + 0, xs);');
    expect(body('[a, b] = xs')).toBe('[a, b] = _ar.iter(_arS + 0, xs);');
    // Its value is `xs` itself: not wrapped where it is used.
    expect(body('g = [a, b] = xs')).toBe('g = [a, b] = xs;');
    expect(body('function* g() { yield* xs }')).toContain('yield* _ar.iter(_arS + 0, xs)');
  });

  it('wraps collection creation unless the constructor is local', () => {
    expect(body('new Map(); new Set(a); new WeakMap(); new WeakSet()')).toBe(
      '_ar.made(_arS + 0, new Map());_ar.made(_arS + 1, new Set(a));_ar.made(_arS + 2, new WeakMap());_ar.made(_arS + 3, new WeakSet());',
    );
    expect(body('class Map {} new Map()')).toBe('class Map {}new Map();');
  });

  it('wraps function bodies in a shadow frame, keeping directives first', () => {
    expect(body("function f() { 'use strict'; return 1 }")).toBe(
      "function f() {'use strict';var _arc = (_ar || _arI()).push(_arS + 0);try {return 1;} finally {_ar.pop(_arc);}}",
    );
    expect(body('g(() => 1)')).toBe('g(() => {var _arc = _ar.push(_arS + 0);try {return 1;} finally {_ar.pop(_arc);}});');
    // A generator suspends at a yield as an async function does at an await (TypeScript's __awaiter runs one as a task).
    expect(body('function* g() { yield 1 }')).toBe('function* g() {var _arc = (_ar || _arI()).push(_arS + 0);try {_ar.res(yield _ar.sus(1, _arc), _arc);} finally {_ar.pop(_arc);}}');
    expect(body('function* g() { try { yield } finally { f() } }')).toBe(
      'function* g() {var _arc = (_ar || _arI()).push(_arS + 0);try {try {_ar.res(yield _ar.sus(void 0, _arc), _arc);} finally {_ar.res(0, _arc);f();}} finally {_ar.pop(_arc);}}',
    );
    expect(body('async function* g() { await 1; yield 2 }')).toBe(
      'async function* g() {var _arc = (_ar || _arI()).push(_arS + 0);try {_ar.res(await _ar.sus(1, _arc), _arc);_ar.res(yield _ar.sus(2, _arc), _arc);} finally {_ar.pop(_arc);}}',
    );
    // Not one with a yield* of its own: V8 words a yield* error by the code around it.
    const delegating = body('function* g() { yield 1; yield* h() }');
    expect(delegating).toContain('_ar || _arI();yield 1;yield* _ar.iter(');
    expect(delegating).not.toContain('push');
    expect(body('async function* g() { await 1; yield* h() }')).not.toContain('push');
    expect(body('function* g() { function* h() { yield* k } yield 1 }')).toContain('_ar.res(yield _ar.sus(1, _arc), _arc)');
  });

  it('tracks awaits, catch and finally in async functions', () => {
    const out = body('async function f() { try { await g() } catch (e) { h() } finally { i() } }');
    expect(out).toContain('_ar.res(await _ar.sus(g(), _arc), _arc)');
    expect(out).toContain('catch (e) {_ar.res(0, _arc);h();}');
    expect(out).toContain('finally {_ar.res(0, _arc);i();}');
    // Not in nested non-async code, not in generators.
    expect(body('async function f() { return () => { try {} finally {} } }')).not.toContain('_ar.res');
  });

  it('lowers optional chains with instrumentable links only', () => {
    // A name tested is in parentheses, the runtime's choice too: V8 names no function after what it saw inside them.
    expect(body('m?.get(k)')).toBe('(m) == null ? void 0 : (_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k);');
    expect(body('m.get?.(k)')).toBe('(_t = m.get) == null ? void 0 : (_ar.t(_arS + 0, m, _t))(_t, m, k);');
    expect(body('glob.get?.(k)')).toBe('(_t2 = (_t = glob).get) == null ? void 0 : (_ar.t(_arS + 0, _t, _t2))(_t2, _t, k);');
    expect(body('this.m?.get(k)?.x')).toBe('(_t = this.m) == null ? void 0 : (_t2 = (_f = _t.get, _ar.t(_arS + 0, _t, _f))(_f, _t, k)) == null ? void 0 : _t2.x;');
    expect(body('m?.size')).toBe('(m) == null ? void 0 : _ar.size(_arS + 0, m, m.size);');
    expect(body('a?.b.c')).toBe('a?.b.c;');
    expect(body('a?.b()')).toBe('a?.b();');
  });

  it('routes a call an iteration takes directly through the runtime, with V8\'s message for that place', () => {
    const messages = (code: string): unknown[] => transform(DECLARED + code).meta.sites.map((site) => site[5]);
    // Never tracked, so the runtime is asked only when `o.f` is not a function.
    expect(body('for (const v of o.f());')).toBe('for (const v of _ar.iter(_arS + 1, (_o = o, _f = _o.f, typeof _f == "function" ? _ar.fc : _ar.t(_arS + 0, _o, _f))(_f, _o)));');
    expect(messages('for (const v of o.f());')[0]).toBe('o.f is not a function or its return value is not iterable');
    expect(messages('const [b] = o.g().f(k);')).toContain('o.g.f is not a function or its return value is not iterable');
    expect(messages('async function f() { for await (const v of m.keys()); }')[1]).toBe('m.keys(...) is not a function or its return value is not async iterable');
    // At yield* V8 words it by what follows in the function: the runtime lets V8 throw ('').
    expect(messages('function* g() { yield* m.keys(); }')[0]).toBe('');
    // A call spread and Array.from are plain calls to V8; so is a parameter's default.
    expect(messages('f(...m.keys()); Array.from(m.keys()); function h([q] = m.keys()) {}').filter((x) => typeof x === 'string' && x.endsWith('function'))).toEqual([
      'm.keys is not a function',
      'm.keys is not a function',
      'm.keys is not a function',
    ]);
    // Left as written: a direct eval, require (bundlers read it).
    expect(body('const [b] = eval(k), [c] = require(k);')).toBe('const [b] = _ar.iter(_arS + 0, eval(k)),[c] = _ar.iter(_arS + 1, require(k));');
  });

  it('checks values whose TypeError V8 would print with generated code in it', () => {
    expect(body('const { p } = m.get(k);')).toBe('const { p } = (_o = (_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k)) == null ? _ar.destructure(_arS + 1, _o)() : _o;');
    expect(transform(DECLARED + 'const { p } = m.get(k);').meta.sites[1]).toEqual(['destructure', 0, 1, 34, '', "Cannot destructure property 'p' of 'm.get(...)' as it is %s."]);
    // V8 reads the property first and quotes nothing: left as it is.
    expect(body('const { p = 1 } = m.get(k);')).toBe('const { p = 1 } = (_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k);');
    expect(body('new (m.get(k))(a);')).toBe('new (_ar.construct(_arS + 1, (_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k)))(a);');
    expect(body('async function f() { for await (const v of m.size); }')).toContain('for await (const v of _ar.iterAsync(_arS + 2, _ar.size(_arS + 1, m, m.size)));');
    // An optional chain spread in an array stays one, for V8 to word and place.
    expect(body('[...a?.b];')).toBe('[..._ar?.iter(_arS + 0, a?.b)];');
  });

  it('keeps the names V8 infers for anonymous function arguments', () => {
    // A later argument that names things sees the callee's names first, as in the original call.
    expect(body('x.m.forEach(() => 1, { tag });')).toContain(', 0 && x.m.forEach || { tag });');
    expect(body('m.get(1)[k](() => 1, { tag });')).toContain(', 0 && m.get || { tag });');
    // A function waiting before a rewritten call is forgotten (a call never made), not named `_f`.
    expect(body('f(() => 1, m.get(k));')).toContain(', (0 && _ar.fc(), _f = m.get, _ar.t(_arS + 1, m, _f))(_f, m, k));');
    expect(body('f(m.get(k));')).toBe('f((_f = m.get, _ar.t(_arS + 0, m, _f))(_f, m, k));');
  });

  it('names generated variables around the user\'s', () => {
    const out = transform('var _ar = 1, _arc = 2, _o = 3; x.y.get(_ar + _arc + _o)').code;
    expect(out).toMatch(/var _ar2, _arS, _o2, _f;_ar2 \|\| _arI\(\);/);
    expect(out).toContain('(_o2 = x.y, _f = _o2.get, _ar2.t(_arS + 0, _o2, _f))(_f, _o2, _ar + _arc + _o)');
  });
});

describe('lines and positions', () => {
  const src = [
    "'use strict';",
    '// comment one',
    'const cache = new Map();',
    'async function lookup(key) {',
    '  if (cache.has(key)) return cache.get(key);',
    '  const value = await fetchIt(',
    '    key,',
    '  );',
    '  cache.set(key, value);',
    '  return cache',
    '    .get(key);',
    '}',
    'const arrow = (x) =>',
    '  cache.size + x;',
    'class Store {',
    '  constructor() { this.items = new Set(); }',
    '  add(item) { this.items.add(item); }',
    '  get count() { return this.items.size; }',
    '}',
    'module.exports = { lookup, arrow, Store };',
  ].join('\n');

  it('keeps every user line on its line number', () => {
    const out = transform(src).code;
    expectLinesKept(src, out);
    // The prelude shares the first statement's line, after the directive and comments.
    expect(out.split('\n')[2]).toMatch(/^var _ar, _arS;_ar \|\| _arI\(\);const cache = /);
  });

  it('records sites with original 1-based positions and function names', () => {
    const { meta } = transform(src, '/virtual/app.js', '/virtual/app.js');
    expect(meta.file).toBe('/virtual/app.js');
    expect(meta.sources).toEqual(['/virtual/app.js']);
    const find = (what: string, line: number) => meta.sites.find((s) => s[0] === what && s[2] === line);
    expect(find('new', 3)).toEqual(['new', 0, 3, 15, '']);
    expect(find('function', 4)).toEqual(['function', 0, 4, 1, 'lookup']);
    expect(find('has', 5)).toEqual(['has', 0, 5, 13, 'lookup', 'cache.has is not a function']);
    expect(find('get', 5)).toEqual(['get', 0, 5, 36, 'lookup', 'cache.get is not a function']);
    expect(find('set', 9)).toEqual(['set', 0, 9, 9, 'lookup', 'cache.set is not a function']);
    expect(find('get', 11)).toEqual(['get', 0, 11, 6, 'lookup', 'cache.get is not a function']);
    expect(find('function', 13)).toEqual(['function', 0, 13, 15, 'arrow']);
    expect(find('size', 14)).toEqual(['size', 0, 14, 9, 'arrow']);
    expect(find('function', 16)).toEqual(['function', 0, 16, 3, 'new Store']);
    expect(find('add', 17)).toEqual(['add', 0, 17, 26, 'Store.add', 'this.items.add is not a function']);
    expect(find('size', 18)).toEqual(['size', 0, 18, 35, 'get count']);
  });

  it('names functions like V8 stack frames', () => {
    const { meta } = transform(
      [
        'exports.load = function () { m.get(1) };',
        'const o = { run() { m.get(2) }, go: () => m.get(3) };',
        'class K { static s() { m.get(4) } #p() { m.get(5) } f = m.get(6); static { m.get(7) } h = () => m.get(8) }',
        'export default function () { m.get(9) }',
      ].join('\n'),
      '/virtual/names.mjs',
    );
    const names = meta.sites.filter((s) => s[0] === 'get').map((s) => s[4]);
    expect(names).toEqual(['exports.load', 'run', 'go', 'K.s', 'K.#p', '<instance_members_initializer>', '<static_initializer>', 'K.h', 'default']);
  });

  it('uses the module name given for stack frames', () => {
    const { meta } = transform('m.get(1)', '/virtual/esm.mjs', 'file:///virtual/esm.mjs');
    expect(meta.file).toBe('file:///virtual/esm.mjs');
    expect(meta.sources).toEqual(['/virtual/esm.mjs']);
  });

  it('accepts file: URLs as filenames', () => {
    const out = instrument('m.get(1)', 'file:///virtual/u.mjs');
    expect(out).not.toBeNull();
    expect(out!.map.sources).toEqual(['/virtual/u.mjs']);
  });

  it('keeps the hashbang first', () => {
    const out = transform('#!/usr/bin/env node\nconst m = new Map();\nm.get(1)\n').code;
    expect(out.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(out.split('\n')[1]).toMatch(/^var _ar, _arS, _f;_ar \|\| _arI\(\);const m = _ar.made\(/);
    expect(out.split('\n')[2]).toBe('(_f = m.get, _ar.t(_arS + 1, m, _f))(_f, m, 1);');
  });

  it('keeps file pragmas above the prelude', () => {
    const out = transform('// @ts-nocheck\n/** @jsx h */\nm.get(1)').code;
    expect(out.startsWith('// @ts-nocheck\n/** @jsx h */var _ar')).toBe(true);
    expect(out.split('\n')[2]).toMatch(/^\(_o = m, _f = _o\.get, _ar\.t\(_arS \+ 0, _o, _f\)\)\(_f, _o, 1\);/);
  });
});
