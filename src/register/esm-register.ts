/**
 * Installs the ESM hooks: in-thread with `module.registerHooks()` where Node
 * has it (22.15+, 23.5+), else in Node's hooks thread with `module.register()`
 * (Node 20; Node 26 deprecates `module.register()`, DEP0205).
 *
 * In-thread, the `load` hook also sees CommonJS modules, which reach
 * `Module.prototype._compile` afterwards, so it instruments only ES modules
 * (and CommonJS TypeScript, which Node 22 may compile without `_compile`:
 * load-hook.ts) and leaves CommonJS to the CJS hook: every module is
 * instrumented once.
 */
import Module from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Options } from '../options';
import { HOOKS_THREAD_ENV } from './hooks-thread';
import { instrumentLoaded, type LoadResult } from './load-hook';

type LoadContext = { format?: string | null | undefined; [other: string]: unknown };
type SyncLoad = (url: string, context: LoadContext, nextLoad: (url: string, context?: LoadContext) => LoadResult) => LoadResult;
type Register = (specifier: string | URL, parentURL?: unknown, options?: unknown) => void;

// Typed here: the @types/node this builds with predates registerHooks.
interface ModuleHooksApi {
  registerHooks?: (hooks: { load?: SyncLoad }) => unknown;
  register?: Register;
  syncBuiltinESMExports?: () => void;
}

const api = Module as unknown as ModuleHooksApi;

/**
 * Which mechanism `installEsmHooks` uses on this Node.
 *
 * @example
 *   esmHooksKind() // => 'registerHooks' on Node 22.15+, 'register' on Node 20
 */
export function esmHooksKind(): 'registerHooks' | 'register' | 'none' {
  if (typeof api.registerHooks === 'function') return 'registerHooks';
  if (typeof api.register === 'function') return 'register';
  return 'none';
}

/**
 * Installs the hooks. `options.include` / `options.exclude` choose the files.
 *
 * @example
 *   installEsmHooks(parseOptions(process.env.ASYNCRACE_OPTIONS));
 *   await import('./app.mjs'); // instrumented
 */
export function installEsmHooks(options: Pick<Options, 'include' | 'exclude'>): void {
  const filter = { include: [...options.include], exclude: [...options.exclude] };
  const kind = esmHooksKind();
  if (kind === 'registerHooks') {
    api.registerHooks!({
      load(url, context, nextLoad) {
        return instrumentLoaded(url, nextLoad(url, context), filter, false);
      },
    });
  } else if (kind === 'register') {
    registerInHooksThread(api.register!, filter);
  }
}

function registerInHooksThread(register: Register, filter: Pick<Options, 'include' | 'exclude'>): void {
  const registerOurs = (): void => {
    // The hooks thread starts inside the first register() with a copy of the
    // environment: the marker tells the register module preloaded there
    // (Node runs --require preloads in it too) to stay idle.
    process.env[HOOKS_THREAD_ENV] = '1';
    try {
      register.call(api, './esm-hooks.mjs', { parentURL: pathToFileURL(__filename), data: filter });
    } finally {
      delete process.env[HOOKS_THREAD_ENV];
    }
  };
  registerOurs();

  // Hooks registered later run first, and a loader there may read a file
  // itself and ignore the source ours returned (tsx does so for CommonJS
  // TypeScript, which Node then compiles without `_compile`). So ours are
  // registered again after each later registration: the outermost copy
  // instruments what actually runs, and the copies further in pass through
  // (esm-hooks.mts).
  api.register = function registerThenOurs(this: unknown, ...args: Parameters<Register>): void {
    register.apply(this, args);
    registerOurs();
  };
  // ES modules importing { register } from 'node:module' see the wrapper too.
  api.syncBuiltinESMExports?.();
}
