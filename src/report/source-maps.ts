/**
 * Maps positions in instrumented code back to the original source through the
 * output source map each instrumented module registered; and, where that
 * original is not on disk, forward again into the module's own file through
 * the map it ships (its `sourceMappingURL`).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as TraceMapping from '@jridgewell/trace-mapping';
import type { TraceMap } from '@jridgewell/trace-mapping';
import type { FileMeta } from '../runtime/api';
import { moduleMeta } from '../runtime/sites';
import { toPath } from './paths';

export interface OriginalPosition {
  /** Absolute path of the original source. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

// Parsed once per registered module; keyed by the metadata object so that a
// module registered again (a re-run) gets its new map.
// Loaded with the first report that needs a map, not at every start of a detected process.
let traceMapping: typeof TraceMapping | undefined;
const tracing = (): typeof TraceMapping => (traceMapping ??= require('@jridgewell/trace-mapping') as typeof TraceMapping);

const parsed = new WeakMap<FileMeta, TraceMap | null>();

/**
 * The map's text: `FileMeta.map` itself, or the file it names
 * (`file:<path>#<sha256>`, see mapFileRef) when its content has that hash;
 * null for a file gone or changed since (a report then shows generated positions).
 */
function mapText(map: string): string | null {
  const ref = /^file:(.*)#([0-9a-f]{64})$/s.exec(map);
  if (!ref) return map;
  let text: string;
  try {
    text = fs.readFileSync(ref[1]!, 'utf8');
  } catch {
    return null;
  }
  return createHash('sha256').update(text, 'utf8').digest('hex') === ref[2] ? text : null;
}

function traceMapOf(meta: FileMeta): TraceMap | null {
  let map = parsed.get(meta);
  if (map === undefined) {
    try {
      const text = meta.map ? mapText(meta.map) : null;
      map = text ? new (tracing().TraceMap)(text, meta.file) : null;
    } catch {
      // A malformed map: show generated positions rather than fail the report.
      map = null;
    }
    parsed.set(meta, map);
  }
  return map;
}

/** True when `file` (as V8 names it in stack frames) is an instrumented module. */
export function isInstrumented(file: string): boolean {
  return moduleMeta(file) !== undefined;
}

/**
 * The original position of a 1-based position in an instrumented module, or
 * undefined when the module is not instrumented or the map has no mapping there.
 *
 * @example
 *   originalPosition('/app/dist/cache.js', 40, 7)
 *   // => { file: '/app/src/cache.ts', line: 12, column: 11 }
 */
export function originalPosition(file: string, line: number, column: number): OriginalPosition | undefined {
  const meta = moduleMeta(file);
  if (!meta) return undefined;
  const map = traceMapOf(meta);
  if (!map) return undefined;
  // Source maps count columns from 0, stack frames from 1.
  const pos = tracing().originalPositionFor(map, { line, column: Math.max(0, column - 1) });
  if (pos.source === null || pos.line === null || pos.column === null) return undefined;
  return { file: sourcePath(pos.source, meta.file), line: pos.line, column: pos.column + 1 };
}

const existing = new Map<string, boolean>();

/**
 * Whether `file` (a path) is a file on disk. Asked once per file: a report
 * names the same few files many times.
 *
 * @example
 *   onDisk('/app/node_modules/pkg/src/index.ts') // => false (the package ships dist/ only)
 */
export function onDisk(file: string): boolean {
  let yes = existing.get(file);
  if (yes === undefined) {
    try {
      yes = path.isAbsolute(file) && fs.statSync(file).isFile();
    } catch {
      yes = false;
    }
    existing.set(file, yes);
  }
  return yes;
}

// `//# sourceMappingURL=...` or `/*# sourceMappingURL=... */` (also the old `@` form), as the
// transform reads it (instrument/sourcemap.ts, which the report side does not import).
const MAP_COMMENT = /(?:\/\/|\/\*)[#@][ \t]+sourceMappingURL=([^\s'"`*]+)[ \t]*(?:\*\/)?/g;

/** The map a module's own file ships: its trailing sourceMappingURL, inline or a file; null when none can be read. */
function shippedMap(moduleFile: string): TraceMap | null {
  try {
    const code = fs.readFileSync(moduleFile, 'utf8');
    let url: string | undefined;
    MAP_COMMENT.lastIndex = 0;
    for (let m = MAP_COMMENT.exec(code); m; m = MAP_COMMENT.exec(code)) url = m[1];
    if (url === undefined) return null;
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const header = url.slice(5, comma);
      const body = url.slice(comma + 1);
      const text = /;base64$/i.test(header) ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
      return new (tracing().TraceMap)(text, moduleFile);
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('file:')) return null;
    const mapFile = url.startsWith('file:') ? toPath(url) : path.resolve(path.dirname(moduleFile), decodeURI(url));
    return new (tracing().TraceMap)(fs.readFileSync(mapFile, 'utf8'), mapFile);
  } catch {
    // No map, an unreadable or malformed one: the original position stays.
    return null;
  }
}

const shipped = new Map<string, TraceMap | null>();

/**
 * Where an original position is in the file of the module that was compiled
 * from it (the code on disk that ran): through the map that file ships, back
 * from the original to the code. Undefined when the module's file or its map
 * cannot be read, or the map has no mapping there.
 *
 * @example
 *   // /app/node_modules/pkg/dist/index.js ships index.js.map, whose source ../src/index.ts is not in the package
 *   generatedPosition('/app/node_modules/pkg/dist/index.js', { file: '/app/node_modules/pkg/src/index.ts', line: 40, column: 3 })
 *   // => { file: '/app/node_modules/pkg/dist/index.js', line: 31, column: 5 }
 */
export function generatedPosition(moduleFile: string, pos: OriginalPosition): OriginalPosition | undefined {
  const file = toPath(moduleFile);
  if (!onDisk(file)) return undefined;
  let map = shipped.get(file);
  if (map === undefined) {
    map = shippedMap(file);
    shipped.set(file, map);
  }
  if (!map) return undefined;
  const index = map.resolvedSources.findIndex((s) => s !== null && sourcePath(s, file) === pos.file);
  if (index < 0) return undefined;
  try {
    const gen = tracing().generatedPositionFor(map, { source: map.resolvedSources[index]!, line: pos.line, column: Math.max(0, pos.column - 1) });
    if (gen.line === null || gen.column === null) return undefined;
    return { file, line: gen.line, column: gen.column + 1 };
  } catch {
    return undefined;
  }
}

// Sources come back resolved against the module's name (a path or a file: URL);
// a source still relative is taken relative to the module's directory.
function sourcePath(source: string, moduleFile: string): string {
  const p = toPath(source);
  if (path.isAbsolute(p) || /^[a-z][a-z0-9+.-]*:/i.test(p)) return p;
  return path.resolve(path.dirname(toPath(moduleFile)), p);
}
