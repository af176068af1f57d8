/**
 * Instruments one module's source for the loader hooks, or hands it back
 * untouched: code the transform declines (a syntax error stays Node's own, at
 * the same file and line) or a failure of the transform itself, which must
 * never break loading.
 */
import type * as InstrumentModule from '../instrument/instrument';
import { reportInternalError, uninstrumented } from './internal-error';

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
    return loadInstrument()(code, filename, { moduleName })?.code ?? code;
  } catch (err) {
    if (!isSyntaxError(err)) reportInternalError(uninstrumented(filename), err);
    return code;
  } finally {
    busy = false;
  }
}
