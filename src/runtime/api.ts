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
 * One site of an instrumented file, as the transform encodes it (SiteTuple)
 * and the runtime reads it (through the indices of SITE).
 * - `what`: the method name for a call site (`get`, `set`, `has`, `delete`,
 *   `clear`, `add`, `forEach`, `keys`, `values`, `entries`, `all`,
 *   `allSettled`, `any`; `call` or any other name for a call routed only for
 *   its message), `size`, `iterate`, `new` (collection creation), `function`
 *   (a function's own entry, for the shadow call stack), or a check site:
 *   `destructure`, `construct`, `iterate-async` (checks.ts).
 * - `sourceIndex`: index into `FileMeta.sources` (the original file after
 *   following any input source map).
 * - `line` 1-based, `column` 1-based, both in the original source.
 * - `functionName`: the enclosing function's name (for a `function` site, the
 *   function's own name); `''` at module top level.
 * - `message`: V8's TypeError message for the site, the expression
 *   printed as written. At a call site, its "is not a function" message, as
 *   V8 words it where the call is (`this.cache.get is not a function`, or
 *   `o.f is not a function or its return value is not iterable` for a call an
 *   iteration takes directly). At an iteration site, the "not iterable"
 *   message (`''`: V8's wording by value; absent: the site never throws, the
 *   consumer does, as for `Array.from`). At a check site, the message of a
 *   failing check. `%s` stands for the value.
 * - `nullishOnly`: an iteration site that throws only for null and undefined
 *   (a spread in call arguments: V8 words the other cases by value itself).
 * - `argsSuspend`: a call or construct site whose arguments contain `await`
 *   or `yield` (the call then happens in a later event than the choice of the function that makes it).
 * - `ignored`: the site is on the line after an `asyncrace-ignore-next-line`
 *   comment: no race in which an access at this site takes part is reported.
 */
export interface Site {
  what: string;
  sourceIndex: number;
  line: number;
  column: number;
  functionName: string;
  message?: string | undefined;
  nullishOnly?: boolean;
  argsSuspend?: boolean;
  ignored?: boolean;
}

/**
 * A Site as generated code carries it, short: `[what, sourceIndex, line,
 * column, functionName, message?, nullishOnly?, argsSuspend?, ignored?]`,
 * the optional elements left off from the end; a later one present pads the
 * earlier ones with `null` for `message` and `0` for the flags.
 */
export type SiteTuple = [
  what: string,
  sourceIndex: number,
  line: number,
  column: number,
  functionName: string,
  message?: string | null,
  nullishOnly?: 0 | 1,
  argsSuspend?: 0 | 1,
  ignored?: 0 | 1,
];

/**
 * The index of each field of Site in a SiteTuple. The runtime reads a field
 * where it runs for every access by indexing the tuple with these (no
 * decoding, nothing allocated).
 *
 * @example
 *   const message = tuple[SITE.message] ?? undefined;
 */
export const SITE = Object.freeze({
  what: 0,
  sourceIndex: 1,
  line: 2,
  column: 3,
  functionName: 4,
  message: 5,
  nullishOnly: 6,
  argsSuspend: 7,
  ignored: 8,
} as const);

/**
 * The tuple of a site, its trailing defaults left off.
 *
 * @example
 *   encodeSite({ what: 'get', sourceIndex: 0, line: 3, column: 5, functionName: 'f' })
 *   // => ['get', 0, 3, 5, 'f']
 *   encodeSite({ what: 'set', sourceIndex: 0, line: 6, column: 6, functionName: 'f', argsSuspend: true })
 *   // => ['set', 0, 6, 6, 'f', null, 0, 1]
 */
export function encodeSite(site: Site): SiteTuple {
  const tuple: SiteTuple = [site.what, site.sourceIndex, site.line, site.column, site.functionName];
  const { message, nullishOnly, argsSuspend, ignored } = site;
  if (message !== undefined || nullishOnly || argsSuspend || ignored) tuple[SITE.message] = message ?? null;
  if (nullishOnly || argsSuspend || ignored) tuple[SITE.nullishOnly] = nullishOnly ? 1 : 0;
  if (argsSuspend || ignored) tuple[SITE.argsSuspend] = argsSuspend ? 1 : 0;
  if (ignored) tuple[SITE.ignored] = 1;
  return tuple;
}

/**
 * The site a tuple encodes (for cold paths: it allocates).
 *
 * @example
 *   decodeSite(['set', 0, 6, 6, 'f', null, 0, 1])
 *   // => { what: 'set', sourceIndex: 0, line: 6, column: 6, functionName: 'f',
 *   //      message: undefined, nullishOnly: false, argsSuspend: true, ignored: false }
 */
export function decodeSite(tuple: SiteTuple): Site {
  return {
    what: tuple[SITE.what],
    sourceIndex: tuple[SITE.sourceIndex],
    line: tuple[SITE.line],
    column: tuple[SITE.column],
    functionName: tuple[SITE.functionName],
    message: tuple[SITE.message] ?? undefined,
    nullishOnly: tuple[SITE.nullishOnly] === 1,
    argsSuspend: tuple[SITE.argsSuspend] === 1,
    ignored: tuple[SITE.ignored] === 1,
  };
}

/**
 * Where the late hook `k` finds the key of the call it records (its `how`
 * argument); the join hook `j` finds the join's input by the same codes.
 *
 * @example
 *   // m.set(k, v): the first argument kept in a temporary, handed over as `key`
 *   // (..., _ar.tl(S, m, _t))(_t, m, _t2 = k, _ar.k(S, _t, m, v, KEY_IN.key, _t2))
 */
export const KEY_IN = Object.freeze({
  /** The last argument, the hook's `last`: `s.add(k)`. */
  last: 0,
  /** The hook's `key`, the first argument: `m.set(k, v)`, `Promise.all(xs)`. */
  key: 1,
  /** The first element of `last`, a spread: `m.set(...kv)`. */
  firstOfLast: 2,
  /** The first element of `key`, a spread: `s.add(...a, b)`, `Promise.all(...xss)`. */
  firstOfKey: 3,
  /**
   * No key: a call hooked only because its arguments suspend (not a set or
   * add), a join's `k` (its key goes to `j`), a first argument that is a
   * literal spread (V8 throws before the call, or the collection cannot hold it).
   */
  none: 4,
} as const);

/** A code of KEY_IN. */
export type KeyIn = (typeof KEY_IN)[keyof typeof KEY_IN];

/** What an instrumented module registers about itself. */
export interface FileMeta {
  /** The module as V8 names it in stack frames: an absolute path (CJS) or a file: URL (ESM). */
  file: string;
  /** Original source files (absolute paths), after following the input source map. */
  sources: string[];
  sites: SiteTuple[];
  /**
   * Source map (JSON text) from the instrumented code back to the original
   * sources, or `file:<path>#<sha256>` naming the file that holds it (the
   * transform cache's copy): read, and checked against the hash, when a
   * report needs it.
   */
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
 * expression, evaluated once; `_o`, `_f` temporaries of the generated code,
 * variables of the enclosing function, read before any argument runs; `_t`,
 * `_t1`, ... temporaries of one shape; `1` and `4` in `k` and `j`: KEY_IN):
 *
 * | original                        | generated                                   |
 * |---------------------------------|---------------------------------------------|
 * | `R.get(k)`                      | `(_o = R, _f = _o.get, _ar.t(S, _o, _f))(_f, _o, k)` |
 * | `R.get(...args)`                | `(_o = R, _f = _o.get, _ar.t(S, _o, _f))(_f, _o, ...args)` |
 * | `super.get(k)`                  | `(_f = super.get, _ar.t(S, this, _f))(_f, this, k)` |
 * | `R.set(k, v)`, `R.add(k)`       | `(_o = R, _f = _o.set, _t1 = _f, _t2 = _o, _ar.tl(S, _t2, _t1))(_t1, _t2, _t3 = k, _ar.k(S, _t1, _t2, v, 1, _t3))` |
 * | `R.get(a, await b)`             | `(..., _t3 = _ar.tl(S, _t2, _t1))(_t1, _t2, a, _ar.k(S, _t1, _t2, await b, 4, void 0, _t3))` |
 * | `Promise.all(x)` (global)       | `_ar.j((_o = Promise, _f = _o.all, _t1 = _f, _t2 = _o, _ar.tj(S, _t2, _t1))(_t1, _t2, _t3 = x), S, _t1, _t2, _t3, 1)` |
 * | `m?.get(k)`, `m.get?.(k)`       | `(m) == null ? void 0 : (_f = m.get, _ar.t(S, m, _f))(_f, m, k)`, `(_t = m.get) == null ? void 0 : (_ar.t(S, m, _t))(_t, m, k)` |
 * | `F(a)`, F holding generated code | `(_f = F, _ar.t(S, void 0, _f))(_f, void 0, a)` (`R.f(a)`: as `R.get(k)`) |
 * | `o.f()` whose value an iteration takes (`for (x of o.f())`) | `(_o = o, _f = _o.f, typeof _f == "function" ? _ar.fc : _ar.t(S, _o, _f))(_f, _o)` |
 * | `R.size`                        | `_ar.size(S, _o = R, _o.size)`              |
 * | `Array.from(E, ...)` (global)   | `Array.from(_ar.whole(S, E), ...)`          |
 * | `for (x of E)`, `[...E]`, `f(...E)`, `[a] = E`, `yield* E` | E becomes `_ar.iter(S, E)` (`_ar?.iter(S, E)` for `[...a?.b]`) |
 * | `const {a} = E`, E holding generated code | `(_o = E) == null ? _ar.destructure(S, _o)() : _o` |
 * | `new C(a)`, C holding generated code | `new (_ar.construct(S, C))(a)`             |
 * | `for await (x of E)`, E holding generated code | E becomes `_ar.iterAsync(S, E)` |
 * | `new Map(a)` (global Map, Set, WeakMap, WeakSet) | `_ar.made(S, new Map(a))`  |
 * | function body `B` (generators too, but not one with a `yield*`) | `var _arc = _ar.push(S); try { B } finally { _ar.pop(_arc) }` |
 * | `await X` in an instrumented async function | `_ar.res(await _ar.sus(X, _arc), _arc)` |
 * | `yield X` in an instrumented generator | `_ar.res(yield _ar.sus(X, _arc), _arc)` (`yield` alone: X is `void 0`) |
 * | first statement of a `catch`/`finally` block in an instrumented async function or generator | `_ar.res(0, _arc);` |
 *
 * When R is `this` or a binding never reassigned, `_o` is not needed:
 * `(_f = m.get, _ar.t(S, m, _f))(_f, m, k)`. The choice `t` makes depends only
 * on the receiver and the method, so it is made before the arguments run, and
 * the arguments are evaluated in place, once, in order. An untracked call is
 * made by `fc` (the original `Function.prototype.call`), which leaves no frame
 * in stack traces: the method sees the original stack and `caller`; V8 puts
 * the call's position at the `(` after the callee, on the method name's line.
 *
 * The original methods that run program code or can throw (a weak
 * collection's set or add, for a key it cannot hold; forEach's callbacks;
 * Promise.all's iteration) are called by `fc` too, from the program's frame,
 * so that no frame of the runtime shows in their stacks: `tl` chooses `fc`
 * for them, and the late hook `k`, the last argument's wrapper, records the
 * access once the arguments ran, just before the call (`j`, after a join).
 * The hooks read the method and receiver from temporaries of their own
 * (`_t1`, `_t2`), which no other shape uses; a key that is not the last
 * argument is kept in one too. A call whose arguments suspend gets the hook
 * whatever its method, with the choice (`_t3`), so that a TypeError made for
 * a callee that is not a function gets the stack of the call.
 *
 * Each member is named as generated code calls it; ENTRY and HOST_ENTRY,
 * below, give the name of each by what it does (the runtime's own name for
 * it).
 */
export interface Runtime {
  /** registerFile: registers an instrumented module; returns the base of its site ids. */
  file(meta: FileMeta): number;

  /**
   * chooseCall: the function that makes the call `o.f(...)` at `site`, to be called as
   * `(f, o, ...args)`: the original `call` for an untracked call, the site's
   * tracked entry for an original collection method on a collection, or a
   * thrower of V8's TypeError (the site's message) when `f` is not callable,
   * which throws from the caller's frame.
   */
  t(site: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown;
  /**
   * chooseLateCall: `t` for a call whose last argument goes through the late hook `k`: an op
   * that runs program code or can throw (a weak collection's set or add,
   * forEach) is made by `fc`, from the caller's frame, and `k` records it.
   */
  tl(site: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown;
  /** chooseJoinCall: `tl` for `Promise.all(...)`/`Promise.allSettled(...)`, whose result goes through `j`. */
  tj(site: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown;
  /**
   * lateHook: `last`, the value of the call's last argument, just
   * before the call `tl` chose for `o.f` at `site`; records what that call
   * leaves to it (`how`: where the key is, KEY_IN; `c`: what `tl` chose,
   * where the arguments can suspend). Returns `last`.
   */
  k(site: number, f: unknown, o: unknown, last: unknown, how: KeyIn, key?: unknown, c?: unknown): unknown;
  /** joinHook: the result of a join `tj` chose, with its first argument `input` (`how`: KEY_IN.firstOfKey for a spread of it); returns `result`. */
  j(result: unknown, site: number, f: unknown, o: unknown, input: unknown, how: KeyIn): unknown;
  /** callOriginal: `f.call(o, ...args)`, transparent in stack traces. */
  fc(f: unknown, o: unknown, ...args: unknown[]): unknown;
  /** readWhole: `x` about to be iterated whole by a builtin (Array.from); returns it. */
  whole(site: number, x: unknown): unknown;

  /** readSize: a read `o.size` whose value `v` was already evaluated; returns `v`. */
  size(site: number, o: unknown, v: unknown): unknown;
  /**
   * iterate: an iterable about to be iterated (for..of, spread, destructuring, yield*);
   * returns it, a transparent tracking wrapper, or, for a value that is not
   * iterable, an iterable that throws V8's TypeError when iterated.
   */
  iter(site: number, iterable: unknown): unknown;
  /**
   * checkDestructure: a value about to be destructured by an object pattern,
   * null or undefined (generated code asks only then); returns a function
   * that throws V8's TypeError (the site's message) from the caller's frame.
   */
  destructure(site: number, value: unknown): unknown;
  /**
   * checkConstruct: the callee of a `new`; returns it when it is a
   * constructor, else a constructor whose construction throws V8's TypeError
   * once the arguments ran.
   */
  construct(site: number, callee: unknown): unknown;
  /**
   * checkAsyncIterable: a value about to be iterated by for await; returns it,
   * or, when it has neither @@asyncIterator nor @@iterator, an async iterable
   * whose @@asyncIterator throws V8's TypeError.
   */
  iterAsync(site: number, value: unknown): unknown;
  /** recordCreation: a collection just created with `new`; returns it. */
  made<T>(site: number, collection: T): T;

  /** enterFunction: enters an instrumented function; returns its shadow frame. */
  push(site: number): Frame;
  /** leaveFunction: leaves the function whose frame `push` returned. */
  pop(frame: Frame): void;
  /** suspend: at an await or a yield, restores the caller's frame; returns `v`. */
  sus<T>(v: T, frame: Frame): T;
  /** resume: after an await or a yield (or entering a catch/finally block), makes `frame` current again; returns `v`. */
  res<T>(v: T, frame: Frame): T;

  /**
   * modelLocks: models a lock library's exports (async-mutex, async-lock, p-limit, p-queue): called by
   * the loader hooks, not by instrumented code; returns the exports with release-before-acquire edges.
   */
  lock(pkg: string, exports: unknown): unknown;

  /** acquire (the package's API, not instrumented code): Go's RaceAcquire, the current event happens after every `release(obj)` before it. */
  acquire(obj: object): void;
  /** release (the package's API): Go's RaceRelease. */
  release(obj: object): void;
}

/**
 * The entries generated code calls, by what each does, with the name it
 * calls it by: the runtime builds its object from this table and the
 * transform writes `_ar.<name>` from it. Short names keep the generated code
 * small; they appear nowhere else.
 */
export const ENTRY = Object.freeze({
  /** `file`: registers a module's site table. */
  registerFile: 'file',
  /** `t`: chooses the function that makes a call. */
  chooseCall: 't',
  /** `tl`: `t` for a call whose last argument goes through the late hook. */
  chooseLateCall: 'tl',
  /** `tj`: `tl` for a join (`Promise.all`, `Promise.allSettled`). */
  chooseJoinCall: 'tj',
  /** `k`: the late hook, records a call once its arguments ran. */
  lateHook: 'k',
  /** `j`: the join hook, records a join once it was made. */
  joinHook: 'j',
  /** `fc`: the original `Function.prototype.call`. */
  callOriginal: 'fc',
  /** `whole`: a value a builtin iterates whole (`Array.from`). */
  readWhole: 'whole',
  /** `size`: a read of `size`. */
  readSize: 'size',
  /** `iter`: a value about to be iterated. */
  iterate: 'iter',
  /** `destructure`: V8's check of a value about to be destructured (runtime/checks.ts). */
  checkDestructure: 'destructure',
  /** `construct`: V8's check of the callee of a `new`. */
  checkConstruct: 'construct',
  /** `iterAsync`: V8's check of a value about to be iterated by for await. */
  checkAsyncIterable: 'iterAsync',
  /** `made`: a collection just created. */
  recordCreation: 'made',
  /** `push`: enters an instrumented function. */
  enterFunction: 'push',
  /** `pop`: leaves it. */
  leaveFunction: 'pop',
  /** `sus`: suspends at an await. */
  suspend: 'sus',
  /** `res`: resumes after it. */
  resume: 'res',
} as const);

/** The name generated code calls an entry by. */
export type EntryName = (typeof ENTRY)[keyof typeof ENTRY];

/** Every entry generated code calls: what the runtime-less stub (instrument/prelude.ts) and its type provide. */
export const GENERATED_ENTRIES: readonly EntryName[] = Object.freeze(Object.values(ENTRY));

/**
 * The entries of the installed runtime that generated code never calls:
 * `acquire` and `release` are the package's API (src/index.ts calls them on
 * the installed runtime, and does nothing without one); `lock` models a lock
 * library's exports, called by the line the loader hooks append to it
 * (register/locks.ts), which checks that the entry is there. The stub has
 * none of them: it is never installed, only held by the module that made it.
 * (The stub also has `note`, no entry: the text that marks a file as
 * instrumented, instrument/prelude.ts INSTRUMENTED_MARKER.)
 */
export const HOST_ENTRY = Object.freeze({
  acquire: 'acquire',
  release: 'release',
  modelLocks: 'lock',
} as const);

/** The name of an entry of HOST_ENTRY. */
export type HostEntryName = (typeof HOST_ENTRY)[keyof typeof HOST_ENTRY];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

/** Compiles only while `Runtime` has exactly the entries of ENTRY and HOST_ENTRY: `npm run build` fails when they drift. */
export type RuntimeMatchesEntries = Assert<Same<keyof Runtime, EntryName | HostEntryName>>;
