/**
 * Test harness for the transform: a runtime object that performs the plain
 * operation for every entry point (and records what it was asked), and helpers
 * that run a snippet as a CommonJS module, original and instrumented.
 */
import { instrument } from '../../src/instrument/index';
import type { FileMeta } from '../../src/runtime/api';

const KEY = Symbol.for('asyncrace');

interface TestFrame {
  site: number;
  parent: TestFrame | null;
}

/** A runtime that does the original operation and records calls. */
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
  c0(s: number, o: unknown, f: Function): unknown {
    this.events.push(['c0', s]);
    return Reflect.apply(f, o, []);
  }
  c1(s: number, o: unknown, f: Function, a: unknown): unknown {
    this.events.push(['c1', s]);
    return Reflect.apply(f, o, [a]);
  }
  c2(s: number, o: unknown, f: Function, a: unknown, b: unknown): unknown {
    this.events.push(['c2', s]);
    return Reflect.apply(f, o, [a, b]);
  }
  cn(s: number, o: unknown, f: Function, args: unknown[]): unknown {
    this.events.push(['cn', s]);
    return Reflect.apply(f, o, args);
  }
  size(s: number, _o: unknown, v: unknown): unknown {
    this.events.push(['size', s]);
    return v;
  }
  iter(s: number, it: unknown): unknown {
    this.events.push(['iter', s]);
    return it;
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
