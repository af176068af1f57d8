/**
 * ESM loader hooks for `module.register()` (Node before 22.15): they run in
 * Node's hooks thread, receive the options as `data`, and instrument each
 * module's source after the rest of the chain (tsx, type stripping, Node's
 * default loader) has loaded it.
 *
 * @example
 *   register('./esm-hooks.mjs', { parentURL: pathToFileURL(__filename), data: options });
 */
import { createRequire } from 'node:module';
import type * as OptionsModule from '../options.js';
import type * as LoadHookModule from './load-hook.js';
import type { LoadResult } from './load-hook.js';

type Filter = { include: string[]; exclude: string[] };
type LoadContext = { format?: string | null | undefined; [other: string]: unknown };
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult> | LoadResult;

// The shared hook body is CommonJS, like the rest of asyncrace. It loads on the first ES module: a
// program that loads none (a CommonJS one under --require) does not pay for it in this thread.
const require = createRequire(import.meta.url);
let hookBody: typeof LoadHookModule | undefined;
const { defaults } = require('../options.js') as typeof OptionsModule;

let options: Filter = { include: defaults.include, exclude: defaults.exclude };

// Set in the context by the outermost copy of these hooks in the chain (they
// are registered again after any later hooks: esm-register.ts); the copies
// further in pass the load through.
const OUTER = 'asyncraceInstruments';

/** Receives the options given to `module.register()` as `data`. */
export function initialize(data: Filter | undefined): void {
  if (data && Array.isArray(data.include) && Array.isArray(data.exclude)) options = { include: data.include, exclude: data.exclude };
}

/** Loads through the rest of the chain, then instruments the source. */
export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (context[OUTER] === true) return nextLoad(url, context);
  const result = await nextLoad(url, { ...context, [OUTER]: true });
  hookBody ??= require('./load-hook.js') as typeof LoadHookModule;
  return hookBody.instrumentLoaded(url, result, options, true);
}
