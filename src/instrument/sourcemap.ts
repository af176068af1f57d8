/**
 * Source maps in: finding the map a previous compiler (tsc, tsx, esbuild, Babel)
 * left on the file, and normalising it so that every source is an absolute path.
 * Positions of sites and of the output map are then resolved through it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnyMap, TraceMap, encodedMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

/** A raw source map (version 3), as JSON text or parsed. */
export type RawSourceMap = string | { version: number; [key: string]: unknown };

// `//# sourceMappingURL=...` or `/*# sourceMappingURL=... */` (also the old `@` form).
const MAP_COMMENT = /(?:\/\/|\/\*)[#@][ \t]+sourceMappingURL=([^\s'"`*]+)[ \t]*(?:\*\/)?/g;

/**
 * True for the text of a comment that is a `sourceMappingURL` annotation.
 *
 * @example
 * isSourceMapComment('# sourceMappingURL=a.js.map') // true
 */
export function isSourceMapComment(value: string): boolean {
  return /^[#@][ \t]+sourceMappingURL=/.test(value.trim());
}

/**
 * The URL of the file's trailing `sourceMappingURL` comment, if any.
 *
 * @example
 * sourceMappingURL('x();\n//# sourceMappingURL=x.js.map\n') // 'x.js.map'
 */
export function sourceMappingURL(code: string): string | undefined {
  let found: RegExpExecArray | undefined;
  MAP_COMMENT.lastIndex = 0;
  for (let m = MAP_COMMENT.exec(code); m; m = MAP_COMMENT.exec(code)) found = m;
  if (!found) return undefined;
  // Only a trailing annotation counts: a string in the code may contain the same text.
  const rest = code.slice(found.index + found[0].length);
  if (!/^\s*$/.test(rest.replace(/^[^\n]*/, ''))) return undefined;
  return found[1];
}

function decodeDataUrl(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return /;base64$/i.test(header) ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
}

/**
 * Reads the input source map of a file: an inline `data:` URL or a `.map` file
 * next to it. Returns the map and the location sources resolve against, or
 * undefined when there is none or it cannot be read.
 *
 * @example
 * readInputSourceMap(code, '/app/dist/main.js') // { map: {...}, mapFile: '/app/dist/main.js.map' }
 */
export function readInputSourceMap(code: string, filename: string): { map: RawSourceMap; mapFile: string } | undefined {
  const url = sourceMappingURL(code);
  if (!url) return undefined;
  try {
    if (url.startsWith('data:')) {
      const text = decodeDataUrl(url);
      return text ? { map: JSON.parse(text) as RawSourceMap, mapFile: filename } : undefined;
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('file:')) return undefined;
    const mapFile = url.startsWith('file:') ? fileURLToPath(url) : path.resolve(path.dirname(filename), decodeURI(url));
    return { map: JSON.parse(fs.readFileSync(mapFile, 'utf8')) as RawSourceMap, mapFile };
  } catch {
    return undefined;
  }
}

function toPath(source: string): string {
  if (source.startsWith('file:')) {
    try {
      return fileURLToPath(source);
    } catch {
      return source;
    }
  }
  return source;
}

/**
 * A map whose sources are absolute paths (resolved against `mapFile` and the
 * map's own `sourceRoot`), ready for position look-ups and for chaining.
 *
 * @example
 * normalizeInputMap({ version: 3, sources: ['../src/a.ts'], names: [], mappings: 'AAAA' }, '/app/dist/a.js.map')
 * // a TraceMap whose resolvedSources are ['/app/src/a.ts']
 */
export function normalizeInputMap(map: RawSourceMap, mapFile: string): TraceMap | undefined {
  try {
    const parsed = typeof map === 'string' ? (JSON.parse(map) as Record<string, unknown>) : map;
    const traced = 'sections' in parsed ? new AnyMap(parsed as never, mapFile) : new TraceMap(parsed as never, mapFile);
    const raw = encodedMap(traced);
    const sources = traced.resolvedSources.map(toPath);
    return new TraceMap({ ...raw, sources, sourceRoot: undefined } as never);
  } catch {
    return undefined;
  }
}

/** An original position: absolute source path, 1-based line and column. */
export interface OriginalPosition {
  source: string;
  line: number;
  column: number;
}

/**
 * Maps a position of the parsed code (1-based line, 0-based column, as Babel
 * gives it) to the original source; without a map, the file itself.
 *
 * @example
 * originalPosition(undefined, '/app/a.js', 3, 4) // { source: '/app/a.js', line: 3, column: 5 }
 */
export function originalPosition(trace: TraceMap | undefined, filename: string, line: number, column: number): OriginalPosition {
  if (trace) {
    const o = originalPositionFor(trace, { line, column });
    if (o.source != null && o.line != null) return { source: o.source, line: o.line, column: o.column + 1 };
  }
  return { source: filename, line, column: column + 1 };
}

/**
 * Chains a map onto the map of its input: the result maps the output of
 * `map` straight to the sources of `input`. Segments whose input position
 * has no original are dropped.
 *
 * @example
 * composeMaps(instrumentedToCompiled, compiledToTs) // instrumented -> .ts
 */
export function composeMaps<M extends { sources: string[]; names: string[]; mappings: string }>(map: M, input: TraceMap): M {
  const sources: string[] = [];
  const index = new Map<string, number>();
  const lines = decode(map.mappings).map((line) => {
    const out: SourceMapSegment[] = [];
    for (const seg of line) {
      if (seg.length < 4) {
        out.push([seg[0]]);
        continue;
      }
      const o = originalPositionFor(input, { line: seg[2]! + 1, column: seg[3]! });
      if (o.source == null || o.line == null) continue;
      let i = index.get(o.source);
      if (i === undefined) {
        i = sources.push(o.source) - 1;
        index.set(o.source, i);
      }
      out.push([seg[0], i, o.line - 1, o.column]);
    }
    return out;
  });
  const { sourcesContent: _content, ...rest } = map as M & { sourcesContent?: unknown };
  return { ...rest, sources, names: [], mappings: encode(lines) } as unknown as M;
}
