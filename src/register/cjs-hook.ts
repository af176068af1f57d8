/**
 * The CommonJS hook: instruments every module compiled by Node's CommonJS
 * loader, by wrapping `Module.prototype._compile`.
 *
 * Wrapping `_compile` rather than `Module._extensions` (as require-hook
 * libraries do) keeps it working with any other loader in any order: tsx
 * replaces the `.ts` extension handlers with its own, which transform the
 * file and call `module._compile` themselves, so an extension hook installed
 * before tsx never sees a `.ts` file; ts-node and pirates-based hooks wrap
 * `module._compile` per module and end in this one. It also passes on the
 * arguments after the filename untouched (Node 22+ gives the format there,
 * which drives its own type stripping of required `.ts` files).
 */
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { shouldInstrument } from '../instrument/filter';
import type { Options } from '../options';
import { reportInternalError, uninstrumented } from './internal-error';
import { modelCjsExports } from './locks';
import { instrumentSource } from './transform';

/** Extensions of the files Node's CommonJS loader compiles as JavaScript or (with a type stripper or tsx) TypeScript. */
export const CJS_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.cjs', '.jsx', '.ts', '.cts', '.tsx']);

// Node (22.6+) strips the types of a `.ts` file it loads itself and names the
// stripped code by its file: URL in stack frames; other CommonJS code is named
// by its path.
function v8Name(filename: string, format: unknown): string {
  return typeof format === 'string' && format.endsWith('typescript') ? pathToFileURL(filename).href : filename;
}

type Compile = (this: Module, content: string, filename: string, ...rest: unknown[]) => unknown;

/**
 * Installs the hook. `options.include` / `options.exclude` choose the files.
 *
 * @example
 *   installCjsHook(parseOptions(process.env.ASYNCRACE_OPTIONS));
 *   require('./app'); // compiled instrumented
 */
export function installCjsHook(options: Pick<Options, 'include' | 'exclude'>): void {
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  const filter = { include: options.include, exclude: options.exclude };
  proto._compile = function asyncraceCompile(this: Module, content: string, filename: string, ...rest: unknown[]): unknown {
    if (typeof content === 'string' && typeof filename === 'string' && CJS_EXTENSIONS.has(path.extname(filename))) {
      try {
        if (shouldInstrument(filename, filter)) content = instrumentSource(content, filename, v8Name(filename, rest[0]));
      } catch (err) {
        reportInternalError(uninstrumented(filename), err);
      }
    }
    const result = original.call(this, content, filename, ...rest);
    // A lock library's entry: its exports go to the runtime's lock models (locks.ts).
    if (typeof filename === 'string') modelCjsExports(this as { exports: unknown }, filename);
    return result;
  };
}
