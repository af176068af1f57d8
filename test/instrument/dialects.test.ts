import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { TraceMap, originalPositionFor, generatedPositionFor } from '@jridgewell/trace-mapping';
import { instrument, isInstrumented } from '../../src/instrument/index';
import { PlainRuntime, install, metaOf, runModule } from './harness';

const TS_SOURCE = [
  'interface User { id: string; name: string }',
  'const cache: Map<string, User> = new Map();',
  'export async function getUser(id: string): Promise<User | undefined> {',
  '  if (!cache.has(id)) {',
  '    const user = await load(id);',
  '    cache.set(id, user);',
  '  }',
  '  let names: string[] = [];',
  '  cache.forEach((u, k) => { names.push(u.name + k.length); });',
  '  for (const [k, u] of cache) names.push(k + u.id);',
  '  return cache.get(id)!;',
  '}',
  'async function load(id: string): Promise<User> {',
  '  return { id, name: `user ${id}` };',
  '}',
  'export class Registry<T> {',
  '  private readonly items = new Set<T>();',
  '  constructor(private label: string) {}',
  '  add(item: T): this { this.items.add(item); return this; }',
  '  get count(): number { return this.items.size; }',
  '  describe = (): string => `${this.label}: ${[...this.items].length}`;',
  '}',
].join('\n');

/** Type-checks one TypeScript module in memory (strict); returns the diagnostics' texts. */
function typeCheck(code: string, fileName = '/virtual/check.ts'): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noUnusedLocals: true,
    noPropertyAccessFromIndexSignature: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === fileName ? ts.createSourceFile(name, code, lang) : read(name, lang, ...rest));
  host.fileExists = ((exists) => (name: string) => name === fileName || exists(name))(host.fileExists.bind(host));
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.start}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('dialects', () => {
  it('prints TypeScript back as TypeScript, types kept, lines kept', () => {
    const out = instrument(TS_SOURCE, '/virtual/users.ts')!;
    expect(out).not.toBeNull();
    expect(out.code).toContain('interface User {id: string;name: string;}');
    expect(out.code).toContain('const cache: Map<string, User> = _ar.made(_arS + 0, new Map());');
    expect(out.code).toContain('Promise<User | undefined>');
    expect(out.code).toContain('private readonly items = _ar.made(');
    expect(out.code).toContain('new Set<T>()');
    // Callbacks that lose their contextual type get explicit `any` parameters.
    expect(out.code).toContain('(u: any, k: any) =>');
    const outLines = out.code.split('\n');
    TS_SOURCE.split('\n').forEach((line, i) => {
      const word = /(interface User|getUser|cache\.has|load\(id\)|cache\.set|names\.push\(u\.name|for \(const|cache\.get|async function load|user \$|class Registry|private readonly|constructor|add\(item|get count|describe)/.exec(line);
      if (word) expect(outLines[i], `line ${i + 1}`).toContain(word[1]!.replace(/^cache\./, '').replace(/\\/g, ''));
    });
  });

  it('produces TypeScript that type-checks under strict settings and runs the same', async () => {
    expect(typeCheck(TS_SOURCE)).toEqual([]);
    const out = instrument(TS_SOURCE, '/virtual/check.ts')!;
    expect(typeCheck(out.code.replace(/\/\/# sourceMappingURL=.*/, ''))).toEqual([]);

    const run = async (code: string): Promise<unknown> => {
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      const exp = runModule(js) as { getUser(id: string): Promise<unknown>; Registry: new (l: string) => { add(x: number): unknown; count: number; describe(): string } };
      const r = new exp.Registry('r');
      r.add(1).toString();
      r.add(2);
      return [await exp.getUser('a'), await exp.getUser('a'), r.count, r.describe()];
    };
    const original = await run(TS_SOURCE);
    const rt = new PlainRuntime();
    const uninstall = install(rt);
    try {
      expect(await run(out.code)).toEqual(original);
      expect(rt.kinds()).toContain('call:get');
      expect(rt.kinds()).toContain('call:set');
    } finally {
      uninstall();
    }
  });

  it('adds no type syntax to a .ts file that holds JavaScript (after another compiler)', () => {
    const js = ts.transpileModule(TS_SOURCE, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const out = instrument(js, '/virtual/compiled.ts')!;
    expect(out.code).not.toContain(': any');
    expect(out.code).toContain('globalThis[Symbol.for("asyncrace")]');
    const uninstall = install(new PlainRuntime());
    try {
      expect(() => runModule(out.code)).not.toThrow();
    } finally {
      uninstall();
    }
  });

  it('gives TypeScript scripts file-unique generated names', () => {
    const out = instrument('const m: Map<string, number> = new Map();\nm.get("a");', '/virtual/script.ts')!;
    expect(out.code).toMatch(/var _ar_[0-9a-f]+!: _arT_[0-9a-f]+/);
    expect(typeCheck(out.code.replace(/\/\/# sourceMappingURL=.*/, ''), '/virtual/script.ts')).toEqual([]);
  });

  it('keeps JSX in .jsx, .js and .tsx', () => {
    const jsx = 'const m = new Map();\nexport const App = () => <div onClick={() => m.get(1)}>{m.size}</div>;';
    for (const file of ['/virtual/app.jsx', '/virtual/app.js']) {
      const out = instrument(jsx, file)!;
      expect(out.code).toContain('<div onClick={() => {var _arc');
      expect(out.code).toContain('{_ar.size(_arS + 4, m, m.size)}</div>');
    }
    const tsx = 'const m = new Map<number, string>();\nexport const App = (p: { k: number }) => <b>{m.get(p.k)}</b>;';
    const out = instrument(tsx, '/virtual/app.tsx')!;
    expect(out.code).toContain('(p: {k: number;}) =>');
    expect(out.code).toContain('<b>{(_f = m.get, _ar.t(_arS + 2, m, _f))(_f, m, p.k)}</b>');
    expect(out.code).toContain('var _arc: any = _ar.push(_arS + 1),_f: any;');
  });

  it('parses modern syntax and both decorator syntaxes', () => {
    expect(instrument('using r = f(); m.get(1);', '/virtual/a.mjs')).not.toBeNull();
    expect(instrument('import j from "./j.json" with { type: "json" }; j.get(1);', '/virtual/a.mjs')).not.toBeNull();
    expect(instrument('@dec class A { @dec m() {} }', '/virtual/a.ts')).not.toBeNull();
    expect(instrument('class A { constructor(@inject() x: number) {} }', '/virtual/b.ts')).not.toBeNull();
    expect(instrument('export @dec class A {}', '/virtual/c.ts')).not.toBeNull();
    expect(instrument('return m.get(1)', '/virtual/top-level-return.cjs')).not.toBeNull();
    expect(instrument('await m.get(1)', '/virtual/tla.mjs')).not.toBeNull();
  });

  it('returns null for syntax errors and for instrumented code', () => {
    expect(instrument('const = 1;', '/virtual/bad.js')).toBeNull();
    expect(instrument('let x: number = 1;', '/virtual/types-in-js.js')).toBeNull();
    const out = instrument('m.get(1)', '/virtual/once.js')!;
    expect(isInstrumented(out.code)).toBe(true);
    expect(instrument(out.code, '/virtual/once.js')).toBeNull();
  });
});

describe('source maps', () => {
  const ORIGINAL = ['const cache = new Map<string, number>();', '', 'export function bump(key: string): number {', '  const n: number = cache.get(key) ?? 0;', '  cache.set(key, n + 1);', '  return n;', '}'].join('\n');

  function compile(fileName: string, inline: boolean): string {
    return ts.transpileModule(ORIGINAL, {
      fileName,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, inlineSourceMap: inline, sourceMap: !inline },
    }).outputText;
  }

  it('chains an inline input map: sites and output map point into the .ts', () => {
    const dir = '/virtual/proj/src';
    const js = compile(path.join(dir, 'bump.ts'), true);
    const out = instrument(js, path.join(dir, 'bump.js'))!;
    const meta = metaOf(out.code);
    expect(meta.sources).toEqual([path.join(dir, 'bump.ts')]);
    const get = meta.sites.find((s) => s[0] === 'get')!;
    expect(get).toEqual(['get', 0, 4, 27, 'bump', 'cache.get is not a function']);
    const set = meta.sites.find((s) => s[0] === 'set')!;
    expect(set.slice(0, 4)).toEqual(['set', 0, 5, 9]);

    // The output map (inline comment and FileMeta.map) maps the generated `t` back to `get` in the .ts.
    const inline = /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,(\S+)\s*$/.exec(out.code)![1]!;
    const map = JSON.parse(Buffer.from(inline, 'base64').toString('utf8'));
    expect(map.sources).toEqual([path.join(dir, 'bump.ts')]);
    expect(JSON.parse(meta.map!).mappings).toBe(map.mappings);
    const lines = out.code.split('\n');
    const line = lines.findIndex((l) => l.includes('_ar.t('));
    const col = lines[line]!.indexOf('.t(') + 1;
    const pos = originalPositionFor(new TraceMap(map), { line: line + 1, column: col });
    expect(pos).toMatchObject({ source: path.join(dir, 'bump.ts'), line: 4, column: 26 });
  });

  it('reads a .map file next to the code', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-map-'));
    try {
      const result = ts.transpileModule(ORIGINAL, {
        fileName: path.join(dir, 'src', 'bump.ts'),
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, sourceMap: true, sourceRoot: '' },
      });
      fs.mkdirSync(path.join(dir, 'dist'));
      const map = JSON.parse(result.sourceMapText!);
      map.sources = ['../src/bump.ts'];
      fs.writeFileSync(path.join(dir, 'dist', 'bump.js.map'), JSON.stringify(map));
      const js = result.outputText.replace(/\/\/# sourceMappingURL=.*/, '//# sourceMappingURL=bump.js.map');
      const out = instrument(js, path.join(dir, 'dist', 'bump.js'))!;
      const meta = metaOf(out.code);
      expect(meta.sources).toEqual([path.join(dir, 'src', 'bump.ts')]);
      expect(meta.sites.find((s) => s[0] === 'get')!.slice(0, 4)).toEqual(['get', 0, 4, 27]);
      expect(out.code.match(/sourceMappingURL/g)!.length).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes an explicit input map', () => {
    const result = ts.transpileModule(ORIGINAL, {
      fileName: '/virtual/x/bump.ts',
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, sourceMap: true },
    });
    const out = instrument(result.outputText, '/virtual/x/bump.js', { inputSourceMap: JSON.parse(result.sourceMapText!) })!;
    expect(metaOf(out.code).sources).toEqual(['/virtual/x/bump.ts']);
  });

  it('maps user code on the prelude line with the prelude\'s column shift', () => {
    const code = 'const m = new Map(); m.get(1);\nm.set(2, 3);';
    const out = instrument(code, '/virtual/shift.js')!;
    const trace = new TraceMap(out.map as never);
    const gen = generatedPositionFor(trace, { source: '/virtual/shift.js', line: 1, column: 21 });
    expect(gen.line).toBe(1);
    expect(gen.column).toBeGreaterThan(21);
    // The shape starts where the call did; its `t` maps back to the method name, under its name.
    expect(out.code.split('\n')[0]!.slice(gen.column!)).toMatch(/^\(_f = m\.get, _ar\.t\(_arS \+ 1, m, _f\)\)\(_f, m, 1\);/);
    const back = originalPositionFor(trace, { line: 1, column: out.code.split('\n')[0]!.indexOf('.t(') + 1 });
    expect(back).toMatchObject({ line: 1, column: 23 });
    // No symbol names: Node would name source-mapped frames after them instead of as V8 does.
    expect(back.name).toBeNull();
    expect(out.map.names).toEqual([]);
  });
});

describe('TypeScript features', () => {
  const TOUR = [
    'enum Color { Red = 1, Green = Red * 2 }',
    'namespace Shapes { export const registry = new Map<string, number>(); export function add(n: string): number { registry.set(n, registry.size); return registry.size; } }',
    'abstract class Base<T> { protected items = new Set<T>(); abstract name(): string; has(x: T): boolean { return this.items.has(x); } }',
    'class Impl extends Base<number> { constructor(private readonly seed: number) { super(); this.items.add(seed); } name(): string { return `impl${this.seed}`; } }',
    'function over(x: string): string;',
    'function over(x: number): number;',
    'function over(x: any): any { return x; }',
    'declare const maybe: unknown;',
    'type Pair = readonly [string, number];',
    'const pairs = new Map<string, Pair>([["a", ["a", 1] as const]]);',
    'const cfg = { depth: 2 } satisfies Record<string, number>;',
    'const first = pairs.get("a")!;',
    'const opt = pairs?.get("a")![1];',
    'const impl = new Impl(7);',
    'export const result = [Color.Green, Shapes.add("x"), Shapes.add("y"), impl.has(7), impl.name(), over(3), cfg.depth, first[1], opt, typeof maybe];',
  ].join('\n');

  it('type-checks and runs the same after instrumentation', () => {
    const out = instrument(TOUR, '/virtual/tour.ts')!;
    expect(typeCheck(out.code.replace(/\/\/# sourceMappingURL=.*/, ''), '/virtual/tour.ts')).toEqual([]);
    const run = (code: string): unknown => {
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      return (runModule(`var maybe = 1;\n${js}`) as { result: unknown }).result;
    };
    const original = run(TOUR);
    const uninstall = install(new PlainRuntime());
    try {
      expect(run(out.code)).toEqual(original);
    } finally {
      uninstall();
    }
  });
});

describe('TypeScript class members', () => {
  const SRC = [
    'const m = new Map<string, number>();',
    'export class Counter extends Map<string, number> {',
    "  static seed = m.get('a') ?? m.size;",
    "  static { m.set('s', 1); }",
    "  field: number = m.get('b') ?? 0;",
    "  constructor(readonly start: number = m.get('c') ?? 0) { super(); }",
    '  bump(k: string): number { this.set(k, (this.get(k) ?? 0) + 1); return super.get(k)!; }',
    '  maybe(k: string): number | undefined { return super.get?.(k); }',
    '}',
    'export async function fill(k: string, p: Promise<number>): Promise<number | undefined> {',
    '  m.set(k, await p);',
    '  const o: { m?: Map<string, number> } = { m };',
    '  m.forEach((v, key) => { if (v > 1) m.delete(key); });',
    '  const all = await Promise.all([p, p]);',
    '  return o.m?.get(k) ?? o.m!.get?.(k) ?? all[0] + Array.from(m).length + m.size;',
    '}',
  ].join('\n');

  it('type-checks the call shapes in static initializers, static blocks, fields, parameters and async code', () => {
    expect(typeCheck(SRC)).toEqual([]);
    const out = instrument(SRC, '/virtual/check.ts')!.code;
    expect(out).toContain("static {var _f: any, _t: any, _t2: any;(_f = m.set, _t = _f, _ar.tl(_arS + 3, m, _t))(_t, m, _t2 = 's', _ar.k(_arS + 3, _t, m, 1, 1, _t2));}");
    expect(typeCheck(out.replace(/\/\/# sourceMappingURL=.*/, ''))).toEqual([]);
  });
});

describe('module kinds', () => {
  it('parses .cts with import syntax and .cjs as scripts', () => {
    expect(instrument('import fs from "node:fs";\nconst m: Map<string, number> = new Map();\nexport = m;', '/virtual/a.cts')).not.toBeNull();
    expect(instrument('const m = new Map(); with (m) { get(1); }', '/virtual/sloppy.cjs')).not.toBeNull();
    expect(instrument('import x from "y";', '/virtual/not-a-script.cjs')).toBeNull();
  });
});
