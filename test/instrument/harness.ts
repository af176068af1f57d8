/**
 * Test harness for the transform: a runtime object that performs the plain
 * operation for every entry point (and records what it was asked), and helpers
 * that run a snippet as a CommonJS module, original and instrumented.
 */
import { types } from 'node:util';
import { instrument } from '../../src/instrument/index';
import { SITE, type FileMeta } from '../../src/runtime/api';
import { forAsyncIteration, forConstruction, forDestructuring } from '../../src/runtime/checks';

const KEY = Symbol.for('asyncrace');

interface TestFrame {
  site: number;
  parent: TestFrame | null;
}

/** The original methods the real runtime tracks, by the type check of their receiver. */
const TRACKED: Array<[(o: unknown) => boolean, object]> = [
  [types.isMap, Map.prototype],
  [types.isSet, Set.prototype],
  [types.isWeakMap, WeakMap.prototype],
  [types.isWeakSet, WeakSet.prototype],
];
const tracked = (o: unknown, f: unknown): boolean =>
  (o === Promise && (f === Promise.all || f === Promise.allSettled)) ||
  TRACKED.some(([is, proto]) => is(o) && Object.values(Object.getOwnPropertyDescriptors(proto)).some((d) => d.value === f));

/**
 * A runtime that does the original operation and records calls. Like the real
 * one, `t` hands original collection methods on collections (and
 * Promise.all / allSettled on Promise) a tracked function, which records
 * `call:<method>` with the site; a non-callable `f` a thrower of the real
 * runtime's TypeError (the site table's message, `<callee as written> is not
 * a function`; at the operand of yield*, a value that is not iterable, for V8
 * to word); every other call goes to `fc`, which records `fc`. `destructure`,
 * `construct` and `iterAsync` make the real runtime's checks.
 */
export class PlainRuntime {
  files: FileMeta[] = [];
  events: Array<[string, number]> = [];
  current: TestFrame | null = null;
  depth = 0;
  maxDepth = 0;

  file(meta: FileMeta): number {
    this.files.push(meta);
    return this.files.length * 1000;
  }
  /** The site tuple of a site id (see `file`). */
  site(s: number): FileMeta['sites'][number] | undefined {
    return this.files[Math.floor(s / 1000) - 1]?.sites[s % 1000];
  }
  t(s: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown {
    this.events.push(['t', s]);
    if (typeof f !== 'function') {
      const site = this.site(s);
      const message = site?.[SITE.message] ?? `(intermediate value).${site?.[SITE.what] ?? 'method'} is not a function`;
      if (message === '') return () => Object.create(null);
      return function thrower(): never {
        throw new TypeError(message);
      };
    }
    if (!tracked(o, f)) return this.fc;
    const kind = `call:${(f as Function).name}`;
    return (fn: unknown, self: unknown, ...args: unknown[]) => {
      this.events.push([kind, s]);
      return Reflect.apply(fn as Function, self, args);
    };
  }
  /** `t` where a late hook follows (recorded as `t`). */
  tl(s: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown {
    return this.t(s, o, f);
  }
  /** `t` where `j` follows (recorded as `t`). */
  tj(s: number, o: unknown, f: unknown): (f: unknown, o: unknown, ...args: unknown[]) => unknown {
    return this.t(s, o, f);
  }
  /** The late hooks' calls: site, `how`, and the key they were given (api.ts `k`). */
  hooks: Array<{ site: number; how: number; last: unknown; key: unknown; chosen: boolean }> = [];
  k(s: number, _f: unknown, _o: unknown, last: unknown, how: number, key?: unknown, ...c: unknown[]): unknown {
    this.hooks.push({ site: s, how, last, key, chosen: c.length > 0 });
    return last;
  }
  /** The joins `j` saw: site, input, `how`. */
  joins: Array<{ site: number; input: unknown; how: number }> = [];
  j(result: unknown, s: number, _f: unknown, _o: unknown, input: unknown, how: number): unknown {
    this.joins.push({ site: s, input, how });
    return result;
  }
  /** `f.call(o, ...args)` (an arrow, so that `t` can hand it out unbound). */
  fc = (f: unknown, o: unknown, ...args: unknown[]): unknown => {
    this.events.push(['fc', -1]);
    return Reflect.apply(f as Function, o, args);
  };
  whole(s: number, x: unknown): unknown {
    this.events.push(['whole', s]);
    return x;
  }
  size(s: number, _o: unknown, v: unknown): unknown {
    this.events.push(['size', s]);
    return v;
  }
  iter(s: number, it: unknown): unknown {
    this.events.push(['iter', s]);
    return it;
  }
  destructure(s: number, x: unknown): unknown {
    this.events.push(['destructure', s]);
    return forDestructuring(this.site(s)?.[SITE.message] ?? undefined, x, this.destructure);
  }
  construct(s: number, c: unknown): unknown {
    this.events.push(['construct', s]);
    const site = this.site(s);
    return forConstruction(site?.[SITE.message] ?? undefined, site?.[SITE.argsSuspend] === 1, c, this.construct);
  }
  iterAsync(s: number, x: unknown): unknown {
    this.events.push(['iterAsync', s]);
    return forAsyncIteration(this.site(s)?.[SITE.message] ?? undefined, x, this.iterAsync);
  }
  made<T>(s: number, c: T): T {
    this.events.push(['made', s]);
    return c;
  }
  push(s: number): TestFrame {
    this.events.push(['push', s]);
    this.depth++;
    this.maxDepth = Math.max(this.maxDepth, this.depth);
    const f = { site: s, parent: this.current };
    this.current = f;
    return f;
  }
  pop(f: TestFrame): void {
    this.events.push(['pop', f.site]);
    this.depth--;
    this.current = f.parent;
  }
  sus<T>(v: T, f: TestFrame): T {
    this.events.push(['sus', f.site]);
    this.current = f.parent;
    return v;
  }
  res<T>(v: T, f: TestFrame): T {
    this.events.push(['res', f.site]);
    this.current = f;
    return v;
  }
  acquire(): void {}
  release(): void {}

  /** Kinds of the recorded events, in order. */
  kinds(): string[] {
    return this.events.map((e) => e[0]);
  }
}

/** Installs `rt` as the global runtime (returns a function that removes it). */
export function install(rt: object): () => void {
  const prev = Object.getOwnPropertyDescriptor(globalThis, KEY);
  Object.defineProperty(globalThis, KEY, { value: rt, configurable: true, writable: true, enumerable: false });
  return () => {
    if (prev) Object.defineProperty(globalThis, KEY, prev);
    else delete (globalThis as Record<symbol, unknown>)[KEY];
  };
}

/** Instruments `code` (as `filename`) and throws when it is not instrumented. */
export function transform(code: string, filename = '/virtual/test.js', moduleName?: string): { code: string; map: object; meta: FileMeta } {
  const out = instrument(code, filename, moduleName ? { moduleName } : {});
  if (!out) throw new Error('not instrumented');
  return { ...out, meta: metaOf(out.code) };
}

/** The FileMeta an instrumented module registers (the object literal passed to `file(...)` on its last line). */
export function metaOf(code: string): FileMeta {
  const from = code.lastIndexOf('.file({');
  const to = code.indexOf('});', from);
  if (from < 0 || to < 0) throw new Error('no registration');
  return new Function(`return (${code.slice(from + 6, to + 1)})`)() as FileMeta;
}

/** Runs code as a CommonJS module body; returns `module.exports`. */
export function runModule(code: string): unknown {
  const module = { exports: {} as unknown };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports;
}

/** Runs `code` original and instrumented (with a PlainRuntime); returns both exports and the runtime. */
export function runBoth(code: string, filename = '/virtual/test.js'): { original: unknown; instrumented: unknown; rt: PlainRuntime; out: string } {
  const original = runModule(code);
  const out = transform(code, filename).code;
  const rt = new PlainRuntime();
  const uninstall = install(rt);
  try {
    return { original, instrumented: runModule(out), rt, out };
  } finally {
    uninstall();
  }
}

/** Like runBoth for code whose `module.exports` is a promise (async behaviour). */
export async function runBothAsync(code: string, filename = '/virtual/test.js'): Promise<{ original: unknown; instrumented: unknown; rt: PlainRuntime; out: string }> {
  const original = await runModule(code);
  const out = transform(code, filename).code;
  const rt = new PlainRuntime();
  const uninstall = install(rt);
  try {
    return { original, instrumented: await runModule(out), rt, out };
  } finally {
    uninstall();
  }
}

/** The error (name and message) a function throws, or undefined. */
export function thrown(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}
