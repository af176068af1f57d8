/**
 * The body of the ESM `load` hooks, shared by the in-thread hooks
 * (`module.registerHooks`, Node >= 22.15) and the hooks thread
 * (`module.register`, Node 20): given what the rest of the chain loaded,
 * instruments the source when the file is one to instrument.
 */
import { fileURLToPath } from 'node:url';
import { shouldInstrument } from '../instrument/filter';
import type { Options } from '../options';
import { reportInternalError, uninstrumented } from './internal-error';
import { annotatedLockSource } from './locks';
import { instrumentSource } from './transform';

/** What a `load` hook returns (the fields this hook reads; the rest pass through). */
export interface LoadResult {
  format?: string | null | undefined;
  source?: string | ArrayBuffer | ArrayBufferView | null | undefined;
  shortCircuit?: boolean | undefined;
  [other: string]: unknown;
}

/** ES module formats. */
const ESM_FORMATS: ReadonlySet<string> = new Set(['module', 'module-typescript']);

/**
 * CommonJS formats. The hooks thread instruments them when the chain gave a
 * source: Node then compiles that source itself, without `Module.prototype._compile`
 * (with no source, Node's CommonJS loader reads the file and the CJS hook sees it).
 * In-thread, every CommonJS module reaches `_compile`, so the CJS hook alone
 * handles them.
 */
const CJS_FORMATS: ReadonlySet<string> = new Set(['commonjs', 'commonjs-typescript']);

/**
 * CommonJS TypeScript that Node strips itself is instrumented in-thread too:
 * Node 22 compiles such a module that its ES module loader loads (an entry
 * run with `--import`, a `.cts` imported from ESM) without `_compile`. Where
 * `_compile` sees it afterwards (24+, and `require`), the CJS hook finds it
 * instrumented already and leaves it: each module is instrumented once.
 */
const IN_THREAD_CJS_FORMATS: ReadonlySet<string> = new Set(['commonjs-typescript']);

const decoder = new TextDecoder();

function sourceText(source: string | ArrayBuffer | ArrayBufferView): string {
  // TextDecoder takes any buffer or view at run time (the typings disagree) and drops a BOM, as Node does.
  return typeof source === 'string' ? source : decoder.decode(source as Uint8Array);
}

/**
 * The load result with the source instrumented, or `result` itself.
 *
 * @param withCommonJS also instrument CommonJS sources (the hooks thread); else only CommonJS TypeScript
 *
 * @example
 *   load(url, context, nextLoad) {
 *     return instrumentLoaded(url, nextLoad(url, context), options, false);
 *   }
 */
export function instrumentLoaded(url: string, result: LoadResult, options: Pick<Options, 'include' | 'exclude'>, withCommonJS: boolean): LoadResult {
  const { format, source } = result;
  if (source == null || typeof format !== 'string' || !url.startsWith('file:')) return result;
  const esm = ESM_FORMATS.has(format);
  if (!esm && !(withCommonJS ? CJS_FORMATS : IN_THREAD_CJS_FORMATS).has(format)) return result;
  try {
    const filename = fileURLToPath(url);
    // A lock library's entry module gets a line that hands it to the runtime's lock models (locks.ts).
    const annotated = annotatedLockSource(filename, esm, () => sourceText(source));
    if (!shouldInstrument(filename, { include: options.include, exclude: options.exclude })) {
      return annotated === null ? result : { ...result, source: annotated };
    }
    const text = annotated ?? sourceText(source);
    // V8 names an ES module, and TypeScript that Node strips itself, by the
    // file: URL; other CommonJS by its path.
    const code = instrumentSource(text, filename, esm || format.endsWith('typescript') ? url : filename);
    return code === text && annotated === null ? result : { ...result, source: code };
  } catch (err) {
    reportInternalError(uninstrumented(url), err);
    return result;
  }
}
