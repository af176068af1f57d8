/**
 * The transform's output against the real runtime (src/runtime), in a child
 * process: the runtime installs process-wide hooks and a non-configurable global.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface ChildResult {
  original: unknown;
  instrumented: unknown;
  races: Array<{ kind: string; current: { frames: Array<{ line: number }> }; previous: { frames: Array<{ line: number }> } }>;
}

/** Runs `program` (a CommonJS module whose exports may be a promise) plain, then instrumented with the real runtime. */
function runWithRuntime(program: string, name = 'program.js', prefix = 'asyncrace-rt-', sourceMaps = true): ChildResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, program);
    const runner = path.join(dir, 'runner.ts');
    fs.writeFileSync(
      runner,
      `import * as fs from 'node:fs';
      import Module from 'node:module';
      import { instrument } from ${JSON.stringify(path.join(ROOT, 'src/instrument/index.ts'))};
      import { defaults } from ${JSON.stringify(path.join(ROOT, 'src/options.ts'))};
      import { startDetection } from ${JSON.stringify(path.join(ROOT, 'src/start-detection.ts'))};
      import { collectedRaces } from ${JSON.stringify(path.join(ROOT, 'src/report/collect.ts'))};
      const file = ${JSON.stringify(file)};
      ${sourceMaps ? '' : 'process.setSourceMapsEnabled(false);'}
      const load = (code: string) => { const m = new Module(file); m.filename = file; (m as any)._compile(code, file); return m.exports; };
      (async () => {
        const code = fs.readFileSync(file, 'utf8');
        const original = await load(code);
        startDetection(defaults, undefined);
        const instrumented = await load(instrument(code, file, { moduleName: file })!.code);
        await new Promise((r) => setTimeout(r, 50));
        process.stdout.write(JSON.stringify({ original, instrumented, races: collectedRaces() }));
        process.exit(0);
      })();`,
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', runner], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out) as ChildResult;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('with the real runtime', () => {
  it('keeps results of collection code, optional chains, classes and async functions', () => {
    const r = runWithRuntime(`
      const m = new Map([[1, { x: 'a' }]]);
      const s = new Set([1, 2, 3]);
      class Counting extends Map { get(k) { return (super.get(k) ?? 0) + 1; } }
      const c = new Counting([['k', 1]]);
      const wm = new WeakMap(); const key = {}; wm.set(key, 'w');
      async function work(k) {
        try { await null; if (!m.has(k)) m.set(k, { x: 'b' + k }); return m.get(k)?.x; }
        finally { s.add(k); }
      }
      module.exports = Promise.all([work(1), work(2), work(3)]).then((xs) => [
        xs, [...m.keys()], m.size, s.size, [...s], c.get('k'), c.get('z'), wm.get(key), m?.get(9)?.x, m.get?.(1).x,
        Array.from(s, (v) => v * 2), Object.fromEntries(m.entries()),
      ]);
    `);
    expect(r.instrumented).toEqual(r.original);
    expect(r.races).toEqual([]);
  });

  it('lets untracked methods run from the user\'s frame: same stack frames and caller', () => {
    // Sloppy file (for `caller`); the directory name must not contain "asyncrace".
    const program = [
      'const records = [];',
      'const record = (what, fn) => records.push([what, new Error().stack, fn && fn.caller ? fn.caller.name : String(fn && fn.caller)]);',
      'function Store() { this.items = { a: 1 }; }',
      'Store.prototype.get = function get(k) { record("Store.get", get); return this.items[k]; };',
      'class Headers2 { get(h) { record("Headers2.get", null); return h; } has(h) { record("Headers2.has", null); return !!h; } }',
      'const req = { headers: { host: "x" }, get: function get(h) { record("req.get", get); return this.headers[h]; } };',
      'const m = new Map();',
      'function lookup(s, k) { return s.get(k); }',
      'function optional(s, k) { return [s?.get(k), s.get?.(k), s.x?.get(k)]; }',
      'function spread(s, ks) { return s.get(...ks); }',
      'async function later(h) { await null; return h.has(await "y"); }',
      'module.exports = (async () => {',
      '  const s = new Store();',
      '  const out = [lookup(s, "a"), optional(s, "a"), spread(s, ["a"]), new Headers2().get("h")];',
      '  m.set("host", req.get("host"));',
      '  out.push(m.get("host"), await later(new Headers2()));',
      '  return { out, records };',
      '})();',
    ].join('\n');
    // Node's source-map rewriting of stack traces (tsx turns it on) renames frames: compared without it.
    const r = runWithRuntime(program, 'program.js', 'ar-stack-', false);
    type Rec = [string, string, string];
    const orig = r.original as { out: unknown; records: Rec[] };
    const inst = r.instrumented as { out: unknown; records: Rec[] };
    expect(inst.out).toEqual(orig.out);
    expect(inst.records.length).toBe(orig.records.length);
    expect(orig.records.length).toBe(7);
    // The frames of the program (function and line; columns move), up to the first frame elsewhere.
    const frames = (stack: string): string[] => {
      const lines = stack.split('\n').slice(1);
      const out: string[] = [];
      for (const line of lines) {
        expect(line).not.toMatch(/asyncrace|[\\/]runtime[\\/]|collections\.[jt]s/);
        const m = /^\s*at (?:(.*) \()?(.*program\.js):(\d+):\d+\)?$/.exec(line);
        if (!m) break;
        out.push(`${m[1] ?? ''}@${m[3]}`);
      }
      return out;
    };
    inst.records.forEach(([what, stack, caller], i) => {
      const [ow, ostack, ocaller] = orig.records[i]!;
      expect(what).toBe(ow);
      expect(frames(stack), what).toEqual(frames(ostack));
      expect(frames(stack).length, what).toBeGreaterThan(1);
      expect(caller, what).toBe(ocaller);
    });
    expect(orig.records[0]![2]).toBe('lookup');

    // Through the source map, the called method is named after its call site (`get`), never after the runtime.
    const mapped = runWithRuntime(program, 'program.js', 'ar-stack-', true).instrumented as { records: Rec[] };
    for (const [what, stack] of mapped.records) {
      expect(stack, what).not.toMatch(/asyncrace|[\\/]runtime[\\/]|\bat (?:\S+\.)?(?:fc|fa|c[012n]|t) /);
      expect(stack, what).toMatch(/\bat (?:\S+\.)?(?:get|has) \(/);
    }
  });

  it('hands Array.from the collection itself and keeps nested and awaited arguments apart', () => {
    const r = runWithRuntime(`
      const m = new Map([[1, 2]]);
      const from = Array.from;
      const seen = [];
      Array.from = function (x, ...rest) { seen.push(x === m); return from.call(this, x, ...rest); };
      const arr = Array.from(m, ([k, v]) => k + v);
      Array.from = from;
      const counts = new Map();
      const bump = (k) => counts.set(k, (counts.get(k) ?? 0) + 1).get(k);
      function depth(n) { return n === 0 ? 0 : counts.set('d' + n, depth(n - 1) + 1).get('d' + n); }
      const tick = (v) => new Promise((r) => setTimeout(() => r(v), 1));
      async function put(k) { counts.set(k, await tick(k)); return counts.get(k); }
      module.exports = Promise.all([put('x'), put('y')]).then((ps) => [arr, seen, bump('a'), bump('a'), depth(4), ps, [...counts]]);
    `);
    expect(r.instrumented).toEqual(r.original);
    expect((r.instrumented as unknown[])[1]).toEqual([true]);
  });

  it('throws what the original throws, after the arguments ran', () => {
    const r = runWithRuntime(`
      const log = [];
      const k = (x) => (log.push('k' + x), x);
      const attempt = (f) => { try { log.push(f()); } catch (e) { log.push(e.constructor.name + ': ' + e.message); } };
      const m = new Map([[1, 'one']]);
      const o = { get: 1, holder: { set: undefined } };
      attempt(() => o.get(k(1)));
      attempt(() => o.holder.set(k(2), k(3)));
      attempt(() => o.has(...[k(4)]));
      attempt(() => new Proxy(m, {}).get(k(5)));
      attempt(() => m.forEach(k(null)));
      attempt(() => Map.prototype.get.call({}, k(6)));
      attempt(() => m.get(k(1)));
      module.exports = log;
    `);
    expect(r.instrumented).toEqual(r.original);
    expect((r.original as string[])[1]).toBe('TypeError: o.get is not a function');
  });

  it('words a value that is not iterable as V8 does, for each iteration form', () => {
    // V8 picks its wording by where the error position falls in the expression: by value, the
    // expression, "(intermediate value)", or the callee of a call, in ways that differ form by form.
    const subjects = [
      'nul', 'o.n', 'o[k]', 'o?.n', 'o?.g.n', 'o.g?.n', 'o.f()', 'o?.f()', 'o.f?.()', 'o.h().g.f()', 'o.h()?.f()',
      'F()', 'new F()', '(a || o.n)', '(o.n ?? nul)', '(o.n ?? null)', '(c && nul)', '(0, o.n)', '(c ? o.n : nul)',
      '-num', '!num', 'num + 1', 'this.n', '(b = nul)', '(o?.g).n', '(b || o).f()', 'm.get(1)', 'm.get(2).f()', 'm?.get(1)',
      'F().x', 'F().g()', 'F()?.x', 'new F().x', '(F()).x', 'F()[k]', 'new Map([[1, 1]]).get(2)', 'new Map().get?.(1)', 'o.h().g.n',
      '(wm || o.h(0))', '(nul || o.f())', '(c ? o.f() : nul)', '(c ? nul : o.f())', '(o.f() || nul)', '(o.f() ?? wm)', '(wm || new F())',
      '(nul ?? o.h().f())', '(wm || o?.f())', '(0, o.f())', '(o.f(), nul)', '(wm && o.g.f())',
    ];
    const forms = [
      (e: string) => `for (const x of ${e});`,
      (e: string) => `[...${e}];`,
      (e: string) => `arr(...${e});`,
      (e: string) => `const [x] = ${e};`,
      (e: string) => `let x; [x] = ${e};`,
      (e: string) => `[...(function* () { yield* ${e}; })()];`,
      (e: string) => `Array.from(${e});`,
    ];
    const attempts = subjects.flatMap((e) => forms.map((f) => `try { ${f(e)} log.push('ok'); } catch (e) { log.push(${JSON.stringify(f(e))} + ' -> ' + e.message); }`));
    const r = runWithRuntime(`
      const m = new Map([[1, null], [2, { f() { return null; } }]]);
      const o = { n: null, f() { return null; }, g: { f() { return null; }, n: null }, h() { return o; }, m };
      const k = 'n', a = 0, c = true, num = 5, nul = null, wm = new WeakMap();
      const arr = (...x) => x;
      function F() { return { x: null, n: null, g() { return null; } }; }
      const log = [];
      let b;
      (function () { ${attempts.join('\n')} }).call({ n: undefined });
      async function later() { const p = Promise.resolve(null); ${forms.slice(0, 5).map((f) => `try { ${f('await p')} } catch (e) { log.push(${JSON.stringify(f('await p'))} + ' -> ' + e.message); }`).join('\n')} }
      module.exports = later().then(() => log);
    `);
    expect(r.instrumented).toEqual(r.original);
    expect((r.original as string[]).filter((x) => x !== 'ok').length).toBeGreaterThan(200);
  });

  it('lets the runtime see a cache stampede at the original lines', () => {
    const r = runWithRuntime(
      [
        "const { setTimeout: sleep } = require('node:timers/promises');",
        'const users = new Map();',
        'async function getUser(id) {',
        '  if (!users.has(id)) {',
        '    await sleep(5);',
        '    users.set(id, { id });',
        '  }',
        '  return users.get(id);',
        '}',
        "module.exports = Promise.all([getUser('u'), getUser('u')]).then(() => users.size);",
      ].join('\n'),
    );
    expect(r.instrumented).toBe(1);
    expect(r.races.length).toBeGreaterThan(0);
    const lines = r.races.flatMap((race) => [race.current.frames[0]!.line, race.previous.frames[0]!.line]);
    expect(lines.every((l) => [4, 6, 8].includes(l))).toBe(true);
  });
});
