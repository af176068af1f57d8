/**
 * Instruments one module's source for the loader hooks, or hands it back
 * untouched: code the transform declines (a syntax error stays Node's own, at
 * the same file and line) or a failure of the transform itself, which must
 * never break loading. Results go through the on-disk cache of the
 * `cache_dir` option (transform-cache.ts): a warm start loads no Babel.
 */
import type * as InstrumentModule from '../instrument/instrument';
import { reportInternalError, uninstrumented } from './internal-error';
import { transformCache, type CachedTransform, type TransformCache } from './transform-cache';

type InstrumentFn = typeof InstrumentModule.instrument;

// Loaded on first use: a process (or hooks thread) that never loads a file
// to instrument never pays for Babel.
let instrumentFn: InstrumentFn | undefined;
function loadInstrument(): InstrumentFn {
  instrumentFn ??= (require('../instrument/instrument') as typeof InstrumentModule).instrument;
  return instrumentFn;
}

let busy = false;

// A parse error is the program's own: Node reports it when it compiles the
// original code, so it is not an internal error.
function isSyntaxError(err: unknown): boolean {
  return err instanceof SyntaxError || (err as { code?: unknown } | null)?.code === 'BABEL_PARSE_ERROR';
}

/**
 * The instrumented code of a module, or `code` itself when the transform
 * declines it (a syntax error, code instrumented already) or fails. The
 * transform follows the code's own source map (another loader's output) and
 * appends an inline one back to the original.
 *
 * @param filename the file's path (its dialect, TypeScript or JSX, follows its extension)
 * @param moduleName the module's name in V8 stack frames: the path for CommonJS, the file: URL for ESM
 *
 * @example
 *   instrumentSource("const m = new Map(); m.get('k');", '/app/a.js', '/app/a.js')
 *   // => instrumented code calling the runtime, with an inline source map
 */
export function instrumentSource(code: string, filename: string, moduleName: string): string {
  // A module loaded while instrumenting (the transform and Babel load on
  // first use, through the hooks) is left as it is.
  if (busy) return code;
  busy = true;
  try {
    const cached = lookUp(code, filename, moduleName);
    if (cached?.hit) return cached.hit.code ?? code;
    if (!cached?.cache.canWrite) return loadInstrument()(code, filename, { moduleName })?.code ?? code;
    // Cached code refers to its source map in a file of the cache, which it then need not carry.
    const { cache, key } = cached;
    let out = loadInstrument()(code, filename, { moduleName, mapFile: cache.mapFileOf(key) });
    if (out?.mapText !== undefined && !cache.setMap(key, out.mapText)) out = loadInstrument()(code, filename, { moduleName });
    // Declined code is cached too (as "run the original"): a warm start parses nothing.
    cache.set(key, out?.code ?? null);
    return out?.code ?? code;
  } catch (err) {
    // A failure is not cached: the next run tries again (and reports it).
    if (!isSyntaxError(err)) reportInternalError(uninstrumented(filename), err);
    return code;
  } finally {
    busy = false;
  }
}

/**
 * The module's cache key and verified entry, if any; undefined when there is
 * no cache or the module is not cacheable. A failure of the cache itself is a
 * miss: it must cost at most the transform.
 */
function lookUp(code: string, filename: string, moduleName: string): { cache: TransformCache; key: string; hit: CachedTransform | undefined } | undefined {
  try {
    const cache = transformCache();
    const key = cache?.keyOf(code, filename, moduleName);
    if (!cache || key === undefined) return undefined;
    return { cache, key, hit: cache.get(key) };
  } catch {
    return undefined;
  }
}
