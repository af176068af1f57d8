/**
 * Maps positions in instrumented code back to the original source through the
 * output source map each instrumented module registered.
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

// Sources come back resolved against the module's name (a path or a file: URL);
// a source still relative is taken relative to the module's directory.
function sourcePath(source: string, moduleFile: string): string {
  const p = toPath(source);
  if (path.isAbsolute(p) || /^[a-z][a-z0-9+.-]*:/i.test(p)) return p;
  return path.resolve(path.dirname(toPath(moduleFile)), p);
}
