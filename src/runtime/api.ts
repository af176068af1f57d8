/**
 * The contract between instrumented code and the runtime.
 *
 * Instrumented modules find the runtime at `globalThis[Symbol.for('asyncrace')]`
 * (installed non-enumerable by `installRuntime()`), register their site table
 * once, and then call the entry points below in place of the original
 * operations. Every entry point returns exactly what the original expression
 * would have returned and throws what it would have thrown; when the receiver
 * is not a tracked collection it performs the original operation untouched.
 *
 * Site ids: `file()` returns a base; the site at index `i` of `FileMeta.sites`
 * has id `base + i`. Generated code writes `_arS + i`.
 */

/** Global symbol under which the runtime object is installed. */
export const RUNTIME_KEY = Symbol.for('asyncrace');

/**
 * One site of an instrumented file: `[what, sourceIndex, line, column, functionName]`.
 * - `what`: the method name for a call site (`get`, `set`, `has`, `delete`,
 *   `clear`, `add`, `forEach`, `keys`, `values`, `entries`, `all`,
 *   `allSettled`, `any`), `size`, `iterate`, `new` (collection creation), or
 *   `function` (a function's own entry, for the shadow call stack).
 * - `sourceIndex`: index into `FileMeta.sources` (the original file after
 *   following any input source map).
 * - `line` 1-based, `column` 1-based, both in the original source.
 * - `functionName`: the enclosing function's name (for a `function` site, the
 *   function's own name); `''` at module top level.
 * - `callee` (optional): V8's wording for the site's TypeError. At a call site,
 *   the callee as written (`this.cache.get`) for "is not a function". At an
 *   iteration site, the whole "not iterable" message (`''`: V8's wording by
 *   value; absent: the site never throws, the consumer does, as for
 *   `Array.from`); `%s` stands for the value.
 * - `nullishOnly`: an iteration site that throws only for null and undefined
 *   (a spread in call arguments: V8 words the other cases by value itself).
 */
export type SiteTuple = [what: string, sourceIndex: number, line: number, column: number, functionName: string, callee?: string, nullishOnly?: 1];

/** What an instrumented module registers about itself. */
export interface FileMeta {
  /** The module as V8 names it in stack frames: an absolute path (CJS) or a file: URL (ESM). */
  file: string;
  /** Original source files (absolute paths), after following the input source map. */
  sources: string[];
  sites: SiteTuple[];
  /** Source map (JSON text) from the instrumented code back to the original sources. */
  map?: string;
}

/** A cell of the persistent shadow call stack: one instrumented function activation. */
export interface Frame {
  /** Site id of the function (`what === 'function'`). */
  readonly site: number;
  readonly parent: Frame | null;
}

/**
 * The runtime object. Generated code shapes (S is a site id; R a receiver
 * expression, evaluated once; `_o`, `_f`, `_a0`... temporaries of the
 * generated code, unique to the call site within the enclosing function, so
 * that nested calls and awaits in the arguments cannot clobber them):
 *
 * | original                        | generated                                   |
 * |---------------------------------|---------------------------------------------|
 * | `R.get(k)`                      | `(_o = R, _f = _o.get, _a0 = k, _ar.t(_o, _f) ? _ar.c1(S, _o, _f, _a0) : _ar.fc(_f, _o, _a0))` |
 * | `R.set(k, v)`                   | same with `c2` and `_a0, _a1`               |
 * | `R.clear()`                     | `(_o = R, _f = _o.clear, _ar.t(_o, _f) ? _ar.c0(S, _o, _f) : _ar.fc(_f, _o))` |
 * | `R.add(a, b, c)` / spread args  | `(..., _a = [a, b, c], _ar.t(_o, _f) ? _ar.cn(S, _o, _f, _a) : _ar.fa(_f, _o, _a))` |
 * | `super.get(k)`                  | `(_f = super.get, _a0 = k, _ar.t(this, _f) ? _ar.c1(S, this, _f, _a0) : _ar.fc(_f, this, _a0))` |
 * | `Promise.all(x)` (global)       | the call shape with R = `Promise`           |
 * | `R.size`                        | `_ar.size(S, _o = R, _o.size)`              |
 * | `Array.from(E, ...)` (global)   | `Array.from(_ar.whole(S, E), ...)`          |
 * | `for (x of E)`, `[...E]`, `f(...E)`, `[a] = E`, `yield* E` | E becomes `_ar.iter(S, E)` |
 * | `new Map(a)` (global Map, Set, WeakMap, WeakSet) | `_ar.made(S, new Map(a))`  |
 * | function body `B`               | `var _arc = _ar.push(S); try { B } finally { _ar.pop(_arc) }` |
 * | `await X` in an instrumented async function | `_ar.res(await _ar.sus(X, _arc), _arc)` |
 * | first statement of a `catch`/`finally` block in an instrumented async function | `_ar.res(0, _arc);` |
 *
 * When R is an identifier or `this`, `_o` is not needed; literal arguments need
 * no `_aN`. The untracked branch (`fc`/`fa`) calls the method from the user's
 * own frame: stack traces and `caller` are those of the original call.
 */
export interface Runtime {
  /** Registers an instrumented module; returns the base of its site ids. */
  file(meta: FileMeta): number;

  /** Whether the call `o.f(...)` is tracked (or `f` is not callable): then the `c*` entry makes it. */
  t(o: unknown, f: unknown): boolean;
  /** `f.call(o, ...args)`, transparent in stack traces. */
  fc(f: unknown, o: unknown, ...args: unknown[]): unknown;
  /** `Reflect.apply(f, o, args)`. */
  fa(f: Function, o: unknown, args: ArrayLike<unknown>): unknown;
  /** `x` about to be iterated whole by a builtin (Array.from); returns it. */
  whole(site: number, x: unknown): unknown;

  /** A call `o.m()` with zero arguments, where `f` is the already-looked-up `o.m`. */
  c0(site: number, o: unknown, f: unknown): unknown;
  /** A call `o.m(a)`. */
  c1(site: number, o: unknown, f: unknown, a: unknown): unknown;
  /** A call `o.m(a, b)`. */
  c2(site: number, o: unknown, f: unknown, a: unknown, b: unknown): unknown;
  /** A call `o.m(...args)` with any other argument list (already evaluated, spreads expanded). */
  cn(site: number, o: unknown, f: unknown, args: unknown[]): unknown;

  /** A read `o.size` whose value `v` was already evaluated; returns `v`. */
  size(site: number, o: unknown, v: unknown): unknown;
  /** An iterable about to be iterated (for..of, spread, destructuring, yield*, Array.from); returns it or a transparent tracking wrapper. */
  iter(site: number, iterable: unknown): unknown;
  /** A collection just created with `new`; returns it. */
  made<T>(site: number, collection: T): T;

  /** Enters an instrumented function; returns its shadow frame. */
  push(site: number): Frame;
  /** Leaves the function whose frame `push` returned. */
  pop(frame: Frame): void;
  /** Suspends at an await: restores the caller's frame; returns `v`. */
  sus<T>(v: T, frame: Frame): T;
  /** Resumes after an await (or enters a catch/finally block): makes `frame` current again; returns `v`. */
  res<T>(v: T, frame: Frame): T;

  /** Go's RaceAcquire: the current event happens after every `release(obj)` before it. */
  acquire(obj: object): void;
  /** Go's RaceRelease. */
  release(obj: object): void;
}
