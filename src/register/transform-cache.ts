/**
 * The on-disk cache of the register hooks' transform (the `cache_dir` option):
 * a warm start skips Babel, which dominates the start-up of a large program.
 *
 * An entry is keyed by everything the instrumented code depends on: the
 * transform itself (asyncrace's version, TRANSFORM_VERSION, the instrumenter's
 * own files and those of the runtime contract it writes to, the versions of
 * the Babel packages it runs on, and the Node and V8 it runs in, since it
 * writes callee text as this V8 prints it), the file's name, the
 * transform's options, the files the transform reads besides the code (an
 * input source map in a file of its own, original sources the map does not
 * carry), and the code. The code an entry holds is self-contained:
 * the site table, sources and map the runtime registers are a literal in the
 * code's own call to the runtime's `file()`.
 *
 * An entry is one file, `<dir>/<first 2 hex of key>/<key>`:
 *
 *     asyncrace-transform-cache 1 <key> <code|same> <sha256 of payload>\n<payload>
 *
 * `code`: the payload is the instrumented code; `same`: the transform declined
 * the code (a syntax error, code instrumented already) and the payload is
 * empty, so the original runs. An entry is used only when its header names
 * this format and this key and the payload has that hash: a truncated,
 * corrupt, foreign or stale entry is a miss (the module is transformed again
 * and the entry written anew). Entries are written to a temporary file, then
 * renamed: a reader sees a whole entry or none, whatever other processes and
 * threads do at the same time.
 *
 * The cache never changes what runs, only how fast: any failure (a directory
 * that cannot be made, a read-only or full disk) falls back silently to
 * transforming, and after one failed write this thread stops writing. It is
 * not reported: it would print in every process, worker and hooks thread, and
 * reportInternalError's once-per-thread report must stay free for failures
 * that do change what runs (a module left uninstrumented).
 *
 * It guards against accidents, not against someone who can write to the
 * cache directory (who can as well edit node_modules).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as SourceMapModule from '../instrument/sourcemap';
import { parseOptions } from '../options';
import { readSettings } from './settings';

/**
 * Bump when what the key covers changes (a new input of the transform that
 * the key must follow), or when the runtime stops taking code of an earlier
 * shape (4: the checks of destructuring, construction and for await left
 * `iter` for entries of their own); the instrumenter's own changes are
 * followed through its files' contents.
 */
export const TRANSFORM_VERSION = 4;

/** The first word of an entry's header. */
export const ENTRY_MAGIC = 'asyncrace-transform-cache';

/** The entry format, the header's second word. */
export const ENTRY_FORMAT = 1;

/** What a cache entry gives back: the instrumented code, or null when the transform declined the code (run the original). */
export interface CachedTransform {
  code: string | null;
}

/** Values of `cache_dir` that turn the cache off. */
const OFF: ReadonlySet<string> = new Set(['0', 'off', 'false']);

/** This process's Node and V8 (part of every key). */
const ENGINE = `node ${process.version} v8 ${process.versions.v8}`;

/** The packages whose code shapes the output of `instrument()`. */
const TRANSFORM_PACKAGES = [
  '@babel/parser',
  '@babel/traverse',
  '@babel/types',
  '@babel/generator',
  '@jridgewell/trace-mapping',
  '@jridgewell/sourcemap-codec',
];

function sha256(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Feeds fields into a hash so that no two sequences of fields give the same stream. */
function updateFields(hash: crypto.Hash, fields: readonly string[]): void {
  for (const field of fields) {
    hash.update(`${field.length}:`);
    hash.update(field);
  }
}

// A lone surrogate becomes U+FFFD in UTF-8: two different strings would hash
// (and store) alike. Such code is transformed, never cached.
function wellFormed(text: string): boolean {
  const check = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
  return check ? check.call(text) : !/\p{Cs}/u.test(text);
}

/**
 * The directory `cache_dir` names, or null for no cache. `auto` is
 * `<cwd>/node_modules/.cache/asyncrace` when `<cwd>/node_modules` exists.
 *
 * @example
 *   resolveCacheDir('auto', '/app') // => '/app/node_modules/.cache/asyncrace' (when /app/node_modules exists)
 *   resolveCacheDir('.cache/ar', '/app') // => '/app/.cache/ar'
 *   resolveCacheDir('0', '/app') // => null
 */
export function resolveCacheDir(value: string, cwd: string): string | null {
  if (value === '' || OFF.has(value)) return null;
  if (value !== 'auto') return path.resolve(cwd, value);
  const modules = path.join(cwd, 'node_modules');
  try {
    return fs.statSync(modules).isDirectory() ? path.join(modules, '.cache', 'asyncrace') : null;
  } catch {
    return null;
  }
}

/** What identifies the transform: the inputs of `fingerprintOf`. */
export interface ToolParts {
  /** asyncrace's version (package.json). */
  version: string;
  /** TRANSFORM_VERSION. */
  transformVersion: number;
  /** The instrumenter's files (and the runtime contract's, and this module's), as [name, content]. */
  files: ReadonlyArray<readonly [string, string]>;
  /** The transform's dependencies, as [name, version]. */
  packages: ReadonlyArray<readonly [string, string]>;
  /** The Node and V8 that run it: the transform writes callee text the way this V8 prints it in errors. */
  engine: string;
}

/**
 * The hash that stands for the transform in every key.
 *
 * @example
 *   fingerprintOf({ version: '0.1.0', transformVersion: 1, files: [['instrument.js', '...']], packages: [], engine: 'node v20.20.2 v8 11.3' }) // => 64 hex digits
 */
export function fingerprintOf(parts: ToolParts): string {
  const hash = crypto.createHash('sha256');
  updateFields(hash, [parts.version, String(parts.transformVersion), parts.engine]);
  for (const [name, content] of parts.files) updateFields(hash, ['file', name, content]);
  for (const [name, version] of parts.packages) updateFields(hash, ['package', name, version]);
  return hash.digest('hex');
}

function packageVersion(name: string, from: string): string {
  try {
    const file = require.resolve(`${name}/package.json`, { paths: [from] });
    const version = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'no version';
  } catch {
    return 'not found';
  }
}

/**
 * The parts of this installation's fingerprint, or null when the
 * instrumenter's files cannot be read (a bundled copy of asyncrace): its
 * version alone would not tell a changed instrumenter (a linked or git
 * checkout keeps its version across changes), so there is no cache then.
 */
export function toolParts(): ToolParts | null {
  try {
    const root = path.join(__dirname, '..', '..');
    const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
    if (typeof version !== 'string') return null;
    // The compiled .js files under dist/, the .ts sources where the sources run (tests).
    const ext = path.extname(__filename);
    const instrumentDir = path.join(__dirname, '..', 'instrument');
    const names = fs.readdirSync(instrumentDir).filter((n) => n.endsWith(ext) && !n.endsWith(`.d${ext}`)).sort();
    if (!names.includes(`instrument${ext}`)) return null;
    const files: Array<[string, string]> = names.map((n) => [`instrument/${n}`, fs.readFileSync(path.join(instrumentDir, n), 'utf8')]);
    // The contract the generated code is written against (entry names, site tuples), which the instrumenter imports.
    files.push([`runtime/api${ext}`, fs.readFileSync(path.join(__dirname, '..', 'runtime', `api${ext}`), 'utf8')]);
    files.push([`register/${path.basename(__filename)}`, fs.readFileSync(__filename, 'utf8')]);
    const packages = TRANSFORM_PACKAGES.map((name): [string, string] => [name, packageVersion(name, instrumentDir)]);
    return { version, transformVersion: TRANSFORM_VERSION, files, packages, engine: ENGINE };
  } catch {
    return null;
  }
}

// Loaded on first need (code with a sourceMappingURL): the hooks thread of a
// warm start loads neither Babel nor the source map packages.
let sourceMapModule: typeof SourceMapModule | undefined;

function readOr(file: string, missing: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return missing;
  }
}

/** The functions `instrument()` reads its other inputs with. */
export type SourceMapReading = Pick<typeof SourceMapModule, 'readInputSourceMap' | 'normalizeInputMap'>;

/**
 * A hash of what `instrument()` reads besides the code, with the same
 * functions it reads them with: the input source map when it is a file of its
 * own, and the original sources the map does not carry (their
 * `asyncrace-ignore-next-line` comments count). `''` for code without a
 * `sourceMappingURL`, which reads nothing else.
 *
 * @param sourceMaps the reading functions; default: instrument/sourcemap, loaded on first need
 *
 * @example
 *   transformInputs('x();\n//# sourceMappingURL=a.js.map\n', '/app/a.js') // => hash of /app/a.js.map and its sources
 */
export function transformInputs(code: string, filename: string, sourceMaps?: SourceMapReading): string {
  if (!code.includes('sourceMappingURL')) return '';
  const sm = sourceMaps ?? (sourceMapModule ??= require('../instrument/sourcemap') as typeof SourceMapModule);
  const file = filename.startsWith('file:') ? fileURLToPath(filename) : path.resolve(filename);
  const input = sm.readInputSourceMap(code, file);
  if (!input) return 'no map';
  const hash = crypto.createHash('sha256');
  updateFields(hash, ['map', input.mapFile, typeof input.map === 'string' ? input.map : JSON.stringify(input.map)]);
  const traced = sm.normalizeInputMap(input.map, input.mapFile);
  if (traced) {
    const { resolvedSources, sourcesContent } = traced;
    for (let i = 0; i < resolvedSources.length; i++) {
      if (sourcesContent?.[i] != null) continue;
      const source = resolvedSources[i]!;
      updateFields(hash, ['source', source, readOr(source, '\0missing')]);
    }
  }
  return hash.digest('hex');
}

/** What a key is made of. */
export interface KeyParts {
  /** The transform's fingerprint (`fingerprintOf`). */
  tool: string;
  filename: string;
  /** The options `instrument()` is called with. */
  options: { moduleName: string };
  /** `transformInputs` of the code. */
  inputs: string;
  code: string;
}

/**
 * An entry's key: 64 hex digits.
 *
 * @example
 *   cacheKey({ tool, filename: '/app/a.js', options: { moduleName: '/app/a.js' }, inputs: '', code })
 */
export function cacheKey(parts: KeyParts): string {
  const hash = crypto.createHash('sha256');
  updateFields(hash, [parts.tool, parts.filename, JSON.stringify({ moduleName: parts.options.moduleName }), parts.inputs, parts.code]);
  return hash.digest('hex');
}

/**
 * The entry's file: `<dir>/<first 2 hex of key>/<key>`.
 *
 * @example
 *   entryPath('/c', 'ab12...') // => '/c/ab/ab12...'
 */
export function entryPath(dir: string, key: string): string {
  return path.join(dir, key.slice(0, 2), key);
}

/**
 * An entry's bytes: the header line, then the instrumented code (nothing
 * when `code` is null, the transform declined).
 *
 * @example
 *   encodeEntry(key, 'instrumented();') // => Buffer 'asyncrace-transform-cache 1 <key> code <sha256>\ninstrumented();'
 */
export function encodeEntry(key: string, code: string | null): Buffer {
  const payload = Buffer.from(code ?? '', 'utf8');
  const header = `${ENTRY_MAGIC} ${ENTRY_FORMAT} ${key} ${code === null ? 'same' : 'code'} ${sha256(payload)}\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), payload]);
}

/**
 * The entry's content when it is a whole entry of this format for this key,
 * else undefined (a miss).
 *
 * @example
 *   decodeEntry(encodeEntry(key, 'x();'), key) // => { code: 'x();' }
 *   decodeEntry(encodeEntry(key, null), key) // => { code: null }
 *   decodeEntry(Buffer.from('garbage'), key) // => undefined
 */
export function decodeEntry(data: Uint8Array, key: string): CachedTransform | undefined {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const end = buf.indexOf(10);
  // magic, format, key, kind and hash, single spaces: well under 200 bytes.
  if (end < 0 || end > 200) return undefined;
  const fields = buf.toString('latin1', 0, end).split(' ');
  if (fields.length !== 5 || fields[0] !== ENTRY_MAGIC || fields[1] !== String(ENTRY_FORMAT) || fields[2] !== key) return undefined;
  const kind = fields[3];
  const payload = buf.subarray(end + 1);
  if ((kind !== 'code' && kind !== 'same') || sha256(payload) !== fields[4]) return undefined;
  if (kind === 'same') return payload.length === 0 ? { code: null } : undefined;
  return { code: payload.toString('utf8') };
}

/**
 * One thread's view of a cache directory.
 *
 * @example
 *   const cache = new TransformCache('/app/node_modules/.cache/asyncrace', fingerprint);
 *   const key = cache.keyOf(code, file, file);
 *   const hit = key && cache.get(key); // { code } or undefined
 *   if (key && !hit) cache.set(key, instrumented);
 */
export class TransformCache {
  private writable = true;
  private readonly shards = new Set<string>();

  constructor(readonly dir: string, readonly tool: string) {}

  /** The key of a module, or undefined when it is not to be cached. */
  keyOf(code: string, filename: string, moduleName: string): string | undefined {
    if (!wellFormed(code) || !wellFormed(filename) || !wellFormed(moduleName)) return undefined;
    return cacheKey({ tool: this.tool, filename, options: { moduleName }, inputs: transformInputs(code, filename), code });
  }

  /** The verified entry of `key`, or undefined (none, or not a valid entry of this key). */
  get(key: string): CachedTransform | undefined {
    let data: Buffer;
    try {
      data = fs.readFileSync(entryPath(this.dir, key));
    } catch {
      return undefined;
    }
    return decodeEntry(data, key);
  }

  /**
   * The file where the source map of `key`'s code is kept: plain JSON, so
   * that Node (`--enable-source-maps`) and coverage tools can read it by the
   * code's `sourceMappingURL`; the runtime checks it against the hash the
   * code carries.
   */
  mapFileOf(key: string): string {
    return `${entryPath(this.dir, key)}.map`;
  }

  /** Whether writing has not failed yet (a read-only cache is only read). */
  get canWrite(): boolean {
    return this.writable;
  }

  /** Stores the source map of `key`'s code (before the code, which refers to it); false when it could not. */
  setMap(key: string, text: string): boolean {
    return this.write(this.mapFileOf(key), Buffer.from(text, 'utf8'));
  }

  /** Stores the transform's result for `key` (null: it declined the code); never throws. */
  set(key: string, code: string | null): void {
    if (code !== null && !wellFormed(code)) return;
    this.write(entryPath(this.dir, key), encodeEntry(key, code));
  }

  /** Writes a file of the cache whole (a temporary file renamed into place); never throws. */
  private write(file: string, data: Buffer): boolean {
    if (!this.writable) return false;
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    try {
      const shard = path.dirname(file);
      if (!this.shards.has(shard)) {
        fs.mkdirSync(shard, { recursive: true });
        this.shards.add(shard);
      }
      fs.writeFileSync(tmp, data, { flag: 'wx' });
      fs.renameSync(tmp, file);
      return true;
    } catch {
      // Read-only, full, not a directory: this thread runs on without writing.
      this.writable = false;
      try {
        fs.unlinkSync(tmp);
      } catch {
        // Never created.
      }
      return false;
    }
  }
}

/** The `cache_dir` option of this thread; the other options are not parsed again here (suppressions reads a file). */
function cacheDirOption(): string {
  // The hooks thread of Node 20 has a copy of the environment; the hooks get only the include/exclude filter as data.
  const own = (readSettings().options ?? '').split(/\s+/).filter((part) => part.startsWith('cache_dir='));
  try {
    return parseOptions(own.join(' ')).cache_dir;
  } catch {
    // Malformed: the register module stopped the program already.
    return '0';
  }
}

let threadCache: TransformCache | null | undefined;

/**
 * This thread's cache, or null when there is none (`cache_dir=0`, `auto`
 * without node_modules, an unreadable installation). Decided on first use,
 * against the working directory then.
 */
export function transformCache(): TransformCache | null {
  if (threadCache === undefined) {
    threadCache = null;
    try {
      const dir = resolveCacheDir(cacheDirOption(), process.cwd());
      const parts = dir === null ? null : toolParts();
      if (dir !== null && parts !== null) threadCache = new TransformCache(dir, fingerprintOf(parts));
    } catch {
      // No cache.
    }
  }
  return threadCache;
}
