/**
 * The on-disk transform cache (the cache_dir option): keys follow content,
 * options, inputs and version; a valid entry is what runs on the next start;
 * a truncated, corrupt, foreign or stale entry is ignored and written anew;
 * cache_dir=0 writes nothing, and a cache that cannot be written changes
 * nothing but speed. Real files in temporary directories, real Node processes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTRUMENTED_MARKER } from '../../src/instrument/prelude';
import * as sourceMaps from '../../src/instrument/sourcemap';
import { defaults, formatOptions, OptionsError, parseOptions } from '../../src/options';
import {
  ENTRY_MAGIC,
  TRANSFORM_VERSION,
  TransformCache,
  cacheKey,
  decodeEntry,
  encodeEntry,
  entryPath,
  fingerprintOf,
  resolveCacheDir,
  toolParts,
  transformInputs,
  type KeyParts,
  type ToolParts,
} from '../../src/register/transform-cache';
import { ENTRIES, NODES, errorHead, fixture, run, ROOT, type Run } from './helpers';

const RACE = 'WARNING: ASYNC RACE';
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-cache-'));
  temps.push(dir);
  return dir;
}

/** Every file under `dir`, sorted, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

const cacheOf = (project: string): string => path.join(project, 'node_modules', '.cache', 'asyncrace');

/** The code entries under a cache directory (each instrumented one has its source map next to it). */
function codeEntries(dir: string): string[] {
  return filesUnder(dir).filter((f) => !f.endsWith('.map'));
}

/** A project with a node_modules folder (so cache_dir=auto caches) holding the racy programs and the syntax errors. */
function project(withNodeModules = true): string {
  const dir = tempDir();
  if (withNodeModules) fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const f of ['race/stampede.cjs', 'race/stampede.mjs', 'syntax/bad.cjs', 'syntax/bad.mjs']) {
    fs.copyFileSync(fixture(f), path.join(dir, path.basename(f)));
  }
  return dir;
}

function expectRace(res: Run): void {
  expect(res.stdout).toContain('users 2\n');
  expect(res.stderr).toContain(RACE);
  expect(res.stderr).not.toContain('internal error');
  expect(res.status).toBe(66);
}

// --- Units ------------------------------------------------------------------

describe('the cache_dir option', () => {
  it('is auto by default, takes any directory, and needs a value', () => {
    expect(defaults.cache_dir).toBe('auto');
    expect(parseOptions('cache_dir=/tmp/c').cache_dir).toBe('/tmp/c');
    expect(parseOptions('cache_dir=0').cache_dir).toBe('0');
    expect(() => parseOptions('cache_dir=')).toThrow(OptionsError);
    expect(formatOptions(parseOptions('cache_dir=off'))).toBe('cache_dir=off');
    expect(formatOptions(defaults)).toBe('');
  });

  it('resolves auto to node_modules/.cache/asyncrace only where node_modules exists', () => {
    const withModules = project();
    const without = project(false);
    expect(resolveCacheDir('auto', withModules)).toBe(cacheOf(withModules));
    expect(resolveCacheDir('auto', without)).toBeNull();
    expect(resolveCacheDir('0', withModules)).toBeNull();
    expect(resolveCacheDir('off', withModules)).toBeNull();
    expect(resolveCacheDir('false', withModules)).toBeNull();
    expect(resolveCacheDir('.c', without)).toBe(path.join(without, '.c'));
    expect(resolveCacheDir('/abs/c', without)).toBe(path.resolve('/abs/c'));
  });
});

describe('keys', () => {
  const base: KeyParts = { tool: 'a'.repeat(64), filename: '/app/a.js', options: { moduleName: '/app/a.js' }, inputs: '', code: 'new Map().get(1);' };

  it('are 64 hex digits, the same for the same inputs', () => {
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base, options: { ...base.options } })).toBe(cacheKey(base));
  });

  it.each<[string, Partial<KeyParts>]>([
    ['the code', { code: 'new Map().get(2);' }],
    ['the file name', { filename: '/app/b.js' }],
    ['the module name (CommonJS path or ESM URL)', { options: { moduleName: 'file:///app/a.js' } }],
    ['the inputs besides the code', { inputs: 'b'.repeat(64) }],
    ['the transform (version)', { tool: 'c'.repeat(64) }],
    // Fields do not run into each other.
    ['where one field ends', { filename: '/app/a.jsn', code: 'ew Map().get(1);' }],
  ])('change with %s', (_what, change) => {
    expect(cacheKey({ ...base, ...change })).not.toBe(cacheKey(base));
  });

  it("follow asyncrace's version, TRANSFORM_VERSION, the instrumenter's files, Babel's version and the Node that runs it", () => {
    const parts: ToolParts = {
      version: '0.1.0',
      transformVersion: 1,
      files: [['instrument/instrument.js', 'x']],
      packages: [['@babel/parser', '7.29.14']],
      engine: 'node v20.20.2 v8 11.3.244.8-node.33',
    };
    const fp = fingerprintOf(parts);
    expect(fingerprintOf({ ...parts, files: [...parts.files] })).toBe(fp);
    expect(fingerprintOf({ ...parts, version: '0.1.1' })).not.toBe(fp);
    expect(fingerprintOf({ ...parts, transformVersion: 2 })).not.toBe(fp);
    expect(fingerprintOf({ ...parts, files: [['instrument/instrument.js', 'y']] })).not.toBe(fp);
    expect(fingerprintOf({ ...parts, packages: [['@babel/parser', '7.30.0']] })).not.toBe(fp);
    // Another Node (a CI job on Node 20, then 24, over one cache) prints callees its own way.
    expect(fingerprintOf({ ...parts, engine: 'node v24.21.0 v8 13.6.233.17-node.37' })).not.toBe(fp);
  });

  it("take this installation's version and instrumenter", () => {
    const parts = toolParts()!;
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(parts.version).toBe(pkg.version);
    expect(parts.transformVersion).toBe(TRANSFORM_VERSION);
    const names = parts.files.map(([name]) => name);
    expect(names).toContain('instrument/instrument.ts');
    expect(names).toContain('instrument/visitor.ts');
    expect(names).toContain('runtime/api.ts');
    expect(parts.packages.find(([name]) => name === '@babel/generator')?.[1]).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('follow the input source map file and the original sources it does not carry', () => {
    const dir = tempDir();
    const js = path.join(dir, 'a.js');
    const src = path.join(dir, 'a.ts');
    const code = 'new Map().get(1);\n//# sourceMappingURL=a.js.map\n';
    fs.writeFileSync(js, code);
    fs.writeFileSync(src, 'new Map().get(1);\n');
    const writeMap = (mappings: string): void =>
      fs.writeFileSync(`${js}.map`, JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings }));
    writeMap('AAAA');
    const first = transformInputs(code, js, sourceMaps);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(transformInputs(code, js, sourceMaps)).toBe(first);
    writeMap('AAAA;AACA');
    const second = transformInputs(code, js, sourceMaps);
    expect(second).not.toBe(first);
    // An ignore comment added to the original source changes what the transform makes of it.
    fs.writeFileSync(src, 'new Map().get(1); // asyncrace-ignore-next-line\n');
    expect(transformInputs(code, js, sourceMaps)).not.toBe(second);
    // Code without a map reads nothing else.
    expect(transformInputs('new Map().get(1);\n', js, sourceMaps)).toBe('');
  });
});

describe('entries', () => {
  const key = 'ab'.repeat(32);
  const code = `new Map();\n// ${INSTRUMENTED_MARKER}\n// ünïcødé\n`;

  it('hold a header line with the magic, format, key and payload hash, then the code', () => {
    const data = encodeEntry(key, code);
    const head = data.toString('latin1', 0, data.indexOf(10));
    expect(head).toMatch(new RegExp(`^${ENTRY_MAGIC} 1 ${key} code [0-9a-f]{64}$`));
    expect(decodeEntry(data, key)).toEqual({ code });
    expect(decodeEntry(encodeEntry(key, null), key)).toEqual({ code: null });
    expect(entryPath('/c', key)).toBe(path.join('/c', 'ab', key));
  });

  it.each<[string, (data: Buffer) => Buffer]>([
    ['empty', () => Buffer.alloc(0)],
    ['truncated in the header', (d) => d.subarray(0, 30)],
    ['truncated in the payload', (d) => d.subarray(0, d.length - 3)],
    ['a flipped payload byte', (d) => Buffer.from(d.map((b, i) => (i === d.length - 5 ? b ^ 1 : b)))],
    ['longer', (d) => Buffer.concat([d, Buffer.from('x')])],
    ['of another key', () => encodeEntry('cd'.repeat(32), code)],
    ['of another format', (d) => Buffer.from(d.toString('latin1').replace(`${ENTRY_MAGIC} 1 `, `${ENTRY_MAGIC} 2 `), 'latin1')],
    ['of another magic', (d) => Buffer.from(d.toString('latin1').replace(ENTRY_MAGIC, 'other-cache'), 'latin1')],
    ['"same" with a payload', () => Buffer.from(encodeEntry(key, 'x').toString('latin1').replace(' code ', ' same '), 'latin1')],
    ['not an entry', () => Buffer.from('garbage\n'.repeat(20))],
  ])('are ignored when %s', (_what, corrupt) => {
    expect(decodeEntry(corrupt(encodeEntry(key, code)), key)).toBeUndefined();
  });

  it('are written whole (no temporary file left) and read back', () => {
    const dir = path.join(tempDir(), 'c');
    const cache = new TransformCache(dir, 'f'.repeat(64));
    const k = cache.keyOf(code, '/app/a.js', '/app/a.js')!;
    expect(cache.get(k)).toBeUndefined();
    cache.set(k, code);
    expect(cache.get(k)).toEqual({ code });
    cache.set(k, null);
    expect(cache.get(k)).toEqual({ code: null });
    expect(filesUnder(dir)).toEqual([`${k.slice(0, 2)}/${k}`]);
  });

  it('are not cached for code that UTF-8 cannot hold (a lone surrogate)', () => {
    const cache = new TransformCache(path.join(tempDir(), 'c'), 'f'.repeat(64));
    expect(cache.keyOf('"\uD800";', '/app/a.js', '/app/a.js')).toBeUndefined();
  });

  it('fail silently where the directory cannot be made, and the thread stops writing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'file'), '');
    const cache = new TransformCache(path.join(dir, 'file', 'cache'), 'f'.repeat(64));
    const k = cache.keyOf(code, '/app/a.js', '/app/a.js')!;
    expect(() => cache.set(k, code)).not.toThrow();
    expect(cache.get(k)).toBeUndefined();
    expect(filesUnder(dir)).toEqual(['file']);
  });
});

// --- Processes --------------------------------------------------------------

/**
 * Ways an entry goes bad on disk, each given the good entry and its key: one that fails the payload's
 * hash and one that is whole but foreign, to show a process rewrites what it cannot use. Every other way
 * an entry is refused is a unit test of decodeEntry above.
 */
const CORRUPTIONS: Array<[string, (data: Buffer, key: string) => Buffer]> = [
  // The header is right; the code is not the one it was written with.
  ['other code under its header', (d) => Buffer.concat([d.subarray(0, d.indexOf(10) + 1), Buffer.from("console.log('tampered');\n")])],
  // Well-formed and hashed, but for another key (a foreign or misplaced file).
  ['a valid entry of another key', () => encodeEntry('0'.repeat(64), "console.log('foreign');\n")],
];

describe.each(NODES)('$name', (node) => {
  describe.each(ENTRIES)('$name', (entry) => {
    it.each(['stampede.cjs', 'stampede.mjs'])('caches %s, runs the next start from the entry, and rewrites a bad entry', (file) => {
      const dir = project();
      const cache = cacheOf(dir);
      const first = run(node, [...entry.args, file], { cwd: dir });
      expectRace(first);

      // One entry, named by its key, with a valid header, and its source map next to it.
      const files = filesUnder(cache);
      expect(files).toHaveLength(2);
      const key = path.basename(files[0]!);
      expect(files).toEqual([`${key.slice(0, 2)}/${key}`, `${key.slice(0, 2)}/${key}.map`]);
      const entryFile = entryPath(cache, key);
      const good = fs.readFileSync(entryFile);
      expect(good.toString('latin1', 0, good.indexOf(10))).toMatch(new RegExp(`^${ENTRY_MAGIC} 1 ${key} code [0-9a-f]{64}$`));
      const code = decodeEntry(good, key)!.code!;
      expect(code).toContain(INSTRUMENTED_MARKER);
      // The code carries no copy of the map: it names the file (by a URL relative to the module, as Node reads it).
      const mapFile = `${entryFile}.map`;
      const map = fs.readFileSync(mapFile, 'utf8');
      expect(JSON.parse(map)).toMatchObject({ version: 3, sources: [path.join(dir, file)] });
      expect(code).not.toContain('mappings');
      expect(code.trimEnd().split('\n').pop()).toBe(`//# sourceMappingURL=${path.relative(dir, mapFile).split(path.sep).join('/')}`);

      // The next start runs the entry's code: a valid entry with a line added shows it.
      fs.writeFileSync(entryFile, encodeEntry(key, `${code}\nconsole.log('served from the cache');\n`));
      const hit = run(node, [...entry.args, file], { cwd: dir });
      expect(hit.stdout).toContain('served from the cache\n');
      expectRace(hit);

      // A warm start with the real entry runs as the first did.
      fs.writeFileSync(entryFile, good);
      expect(run(node, [...entry.args, file], { cwd: dir })).toEqual(first);

      for (const [what, corrupt] of CORRUPTIONS) {
        fs.writeFileSync(entryFile, corrupt(good, key));
        const res = run(node, [...entry.args, file], { cwd: dir });
        expect(res, `entry ${what}`).toEqual(first);
        expect(fs.readFileSync(entryFile).equals(good), `entry ${what} is written anew`).toBe(true);
      }
      expect(filesUnder(cache)).toEqual(files);

      // A map file that changed since it was written is not used (reports show generated columns); nothing else changes.
      // (A well-formed map of other content: an empty or garbled file fails the same hash check.)
      for (const bad of ['{"version":3,"sources":[],"names":[],"mappings":";;;;"}']) {
        fs.writeFileSync(mapFile, bad);
        expectRace(run(node, [...entry.args, file], { cwd: dir }));
      }
      fs.writeFileSync(mapFile, map);
      expect(run(node, [...entry.args, file], { cwd: dir })).toEqual(first);

      // Edited code gets an entry of its own; the old one is not used.
      fs.appendFileSync(path.join(dir, file), "\nconsole.log('edited');\n");
      const edited = run(node, [...entry.args, file], { cwd: dir });
      expect(edited.stdout).toContain('edited\n');
      expectRace(edited);
      expect(codeEntries(cache)).toHaveLength(2);
    });

    it("maps a report's caller frames through the map file, checked against the hash the code carries", () => {
      const dir = project();
      // The call of touch() moves right in the instrumented line: only the map gives its column back.
      fs.writeFileSync(
        path.join(dir, 'callers.cjs'),
        "const m = new Map();\nfunction touch(k) { m.set(k, 1); }\nfunction outer() { m.has('x'); touch('k'); }\nsetTimeout(() => outer(), 1); setImmediate(() => outer());\n",
      );
      // Whichever callback runs second reports, with its live stack: both call touch() from outer().
      const cold = run(node, [...entry.args, 'callers.cjs'], { cwd: dir, env: { ASYNCRACE_OPTIONS: 'cache_dir=0' } });
      expect(cold.stderr).toContain('at outer (callers.cjs:3:32)');
      for (let i = 0; i < 2; i++) {
        const cached = run(node, [...entry.args, 'callers.cjs'], { cwd: dir });
        expect(cached.status).toBe(66);
        expect(cached.stderr).toContain('at outer (callers.cjs:3:32)');
      }
      const mapFile = filesUnder(cacheOf(dir)).find((f) => f.endsWith('.map'))!;
      fs.writeFileSync(path.join(cacheOf(dir), mapFile), '{"version":3,"sources":[],"names":[],"mappings":""}');
      const changed = run(node, [...entry.args, 'callers.cjs'], { cwd: dir });
      expect(changed.status).toBe(66);
      expect(changed.stderr).not.toContain('internal error');
      expect(changed.stderr).not.toContain('at outer (callers.cjs:3:32)');
      expect(changed.stderr).toMatch(/at outer \(callers\.cjs:3:\d+\)/);
    });

    it.each(['bad.cjs', 'bad.mjs'])('caches the syntax error of %s as "run the original": Node reports it the same', (file) => {
      const dir = project();
      const plain = run(node, [file], { cwd: dir });
      expect(plain.status).not.toBe(0);
      for (let i = 0; i < 2; i++) {
        const res = run(node, [...entry.args, file], { cwd: dir });
        expect(res.status).toBe(plain.status);
        expect(errorHead(res.stderr)).toBe(errorHead(plain.stderr));
        expect(res.stderr).not.toContain('asyncrace:');
      }
      const files = filesUnder(cacheOf(dir));
      expect(files).toHaveLength(1);
      const key = path.basename(files[0]!);
      expect(decodeEntry(fs.readFileSync(entryPath(cacheOf(dir), key)), key)).toEqual({ code: null });
    });

    it('follows the original source of a compiled file: an ignore comment added there counts on the next start', () => {
      // app.js is "compiled" from orig.js, line for line, with a map file that
      // does not carry the original's text: the transform reads orig.js.
      const dir = project();
      const original = fs.readFileSync(path.join(dir, 'stampede.cjs'), 'utf8');
      const lines = original.split('\n').length;
      fs.writeFileSync(path.join(dir, 'orig.js'), original);
      fs.writeFileSync(path.join(dir, 'app.js'), `${original}//# sourceMappingURL=app.js.map\n`);
      fs.writeFileSync(path.join(dir, 'app.js.map'), JSON.stringify({ version: 3, file: 'app.js', sources: ['orig.js'], names: [], mappings: `AAAA${';AACA'.repeat(lines)}` }));
      expectRace(run(node, [...entry.args, 'app.js'], { cwd: dir }));
      expect(codeEntries(cacheOf(dir))).toHaveLength(1);
      // The comment goes at the end of the line before the check: no line moves, app.js and its map stay as they are.
      const edited = original.split('\n');
      const check = edited.findIndex((line) => line.includes('cache.has(id)'));
      edited[check - 1] += ' // asyncrace-ignore-next-line';
      fs.writeFileSync(path.join(dir, 'orig.js'), edited.join('\n'));
      expect(run(node, [...entry.args, 'app.js'], { cwd: dir })).toEqual({ status: 0, stdout: 'users 2\n', stderr: '' });
      expect(codeEntries(cacheOf(dir))).toHaveLength(2);
    });

    it.each(['0', 'off'])('writes nothing with cache_dir=%s', (value) => {
      const dir = project();
      const before = filesUnder(dir);
      for (const file of ['stampede.cjs', 'stampede.mjs']) {
        expectRace(run(node, [...entry.args, file], { cwd: dir, env: { ASYNCRACE_OPTIONS: `cache_dir=${value}` } }));
      }
      expect(filesUnder(dir)).toEqual(before);
      expect(fs.existsSync(path.join(dir, 'node_modules', '.cache'))).toBe(false);
    });

    it('writes nothing by default where there is no node_modules', () => {
      const dir = project(false);
      const before = filesUnder(dir);
      expectRace(run(node, [...entry.args, 'stampede.mjs'], { cwd: dir }));
      expect(filesUnder(dir)).toEqual(before);
    });

    it('caches in the directory cache_dir names, relative to the working directory', () => {
      const dir = project(false);
      const options = { ASYNCRACE_OPTIONS: 'exitcode=66 cache_dir=.asyncrace-cache' };
      expectRace(run(node, [...entry.args, 'stampede.mjs'], { cwd: dir, env: options }));
      expectRace(run(node, [...entry.args, 'stampede.cjs'], { cwd: dir, env: options }));
      expect(codeEntries(path.join(dir, '.asyncrace-cache'))).toHaveLength(2);
    });

    it('runs and detects as without a cache when the cache cannot be written', () => {
      const dir = project();
      fs.writeFileSync(path.join(dir, 'plain-file'), '');
      // Under a regular file: no directory can be made there, whoever runs it (root too).
      const unwritable = [path.join(dir, 'plain-file', 'cache')];
      if (process.getuid?.() !== 0) {
        const locked = path.join(dir, 'locked');
        fs.mkdirSync(locked, { mode: 0o500 });
        unwritable.push(locked);
      }
      const plain = run(node, [...entry.args, 'stampede.cjs'], { cwd: dir, env: { ASYNCRACE_OPTIONS: 'cache_dir=0' } });
      expectRace(plain);
      for (const cacheDir of unwritable) {
        for (const file of ['stampede.cjs', 'stampede.mjs']) {
          const res = run(node, [...entry.args, file], { cwd: dir, env: { ASYNCRACE_OPTIONS: `cache_dir=${cacheDir}` } });
          expectRace(res);
        }
      }
      expect(run(node, [...entry.args, 'stampede.cjs'], { cwd: dir, env: { ASYNCRACE_OPTIONS: `cache_dir=${unwritable[0]}` } })).toEqual(plain);
      expect(filesUnder(dir).filter((f) => !f.endsWith('.cjs') && !f.endsWith('.mjs'))).toEqual(['plain-file']);
    });
  });
});
