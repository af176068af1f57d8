/**
 * The code an instrumented module carries besides its rewritten accesses:
 *
 * - the prelude, one line-neutral statement pair at the top (after directives):
 *   `var _ar, _arS, <module-level temporaries>; _ar || _arI();` (in TypeScript
 *   output, after the runtime type `interface _arT {...}`: declared before any
 *   use, as TypeScript reports "used before its initialization" for a member of
 *   a type declared further down that a static initializer accesses)
 * - the registration function, appended after the last statement (it is
 *   hoisted, so its length never shifts user code):
 *   `function _arI() { _ar = globalThis[Symbol.for("asyncrace")] || <plain operations, no detection>;
 *    _arS = _ar.file({file, sources, sites, map}); return _ar; }`
 *
 * Hoisted module-level functions that an import cycle calls before the module
 * body ran use `(_ar || _arI())`, so instrumentation never turns such a call
 * into a TypeError. In TypeScript output the names carry types (`_arT` keeps the
 * types of values that pass through `made`, `iter`, `whole`, `size`, `sus` and `res`).
 */
import * as t from '@babel/types';
import { parse } from '@babel/parser';
import type { FileMeta } from '../runtime/api';

/** Text present in every instrumented file (the error thrown when the runtime is missing). */
export const INSTRUMENTED_MARKER = 'asyncrace: runtime not loaded';

/**
 * What instrumented code runs on where no runtime is installed (a thread the
 * register hook did not reach, such as Node 20's module-hooks thread, or code
 * built with the Babel plugin and run without the register hook): every
 * operation as the original, no detection.
 */
function plain(typed: boolean): string {
  const a = typed ? ': any' : '';
  return (
    `(function () { var c = Function.prototype.call.bind(Function.prototype.call), v = function (s${a}, x${a}) { return x; }; ` +
    `return { note: ${JSON.stringify(`${INSTRUMENTED_MARKER}: calls run plain`)}, file: function () { return 0; }, t: function () { return c; }, tl: function () { return c; }, tj: function () { return c; }, fc: c, ` +
    `k: function (s${a}, f${a}, o${a}, x${a}) { return x; }, j: function (r${a}) { return r; }, ` +
    `whole: v, iter: v, made: v, size: function (s${a}, o${a}, x${a}) { return x; }, push: function () { return null; }, pop: function () {}, ` +
    `sus: function (x${a}) { return x; }, res: function (x${a}) { return x; }, acquire: function () {}, release: function () {} }; })()`
  );
}

/** String literal replaced by the output source map once it is known. */
export const MAP_PLACEHOLDER = '__asyncrace_map_placeholder__';

/**
 * True when the code already went through the instrumentation.
 *
 * @example
 * isInstrumented(instrument(code, file)!.code) // true
 */
export function isInstrumented(code: string): boolean {
  return code.includes(INSTRUMENTED_MARKER);
}

/** The module-level names of the generated code. */
export interface RuntimeNames {
  /** The runtime object. */
  ar: string;
  /** The base of the file's site ids. */
  arS: string;
  /** The registration function. */
  arI: string;
  /** The runtime's type (TypeScript output only). */
  arT: string;
}

const RUNTIME_TYPE =
  '{ file(m: unknown): number; t(s: number, o: unknown, f: unknown): (...a: any[]) => any; tl(s: number, o: unknown, f: unknown): (...a: any[]) => any; ' +
  'tj(s: number, o: unknown, f: unknown): (...a: any[]) => any; k<T>(s: number, f: unknown, o: unknown, v: T, h: number, key?: unknown, c?: unknown): T; ' +
  'j<T>(r: T, s: number, f: unknown, o: unknown, i: unknown, h: number): T; fc(...a: any[]): any; whole<T>(s: number, v: T): T; ' +
  'push(s: number): any; pop(f: unknown): void; made<T>(s: number, c: T): T; iter<T>(s: number, v: T): T; ' +
  'size<T>(s: number, o: unknown, v: T): T; sus<T>(v: T, f: unknown): T; res<T>(v: T, f: unknown): T; ' +
  'acquire(o: object): void; release(o: object): void }';

function statements(code: string, typed: boolean): t.Statement[] {
  const file = parse(code, { sourceType: 'module', plugins: typed ? ['typescript'] : [] });
  const body = file.program.body;
  for (const s of body) t.removePropertiesDeep(s);
  return body;
}

/**
 * `var _ar, _arS, <temps>; _ar || _arI();` for the top of the program (`temps`:
 * the module-level temporaries), preceded by the runtime type in TypeScript output.
 *
 * @example
 * preludeStatements(names, ['_o'], false) // var _ar, _arS, _o; _ar || _arI();
 */
export function preludeStatements(names: RuntimeNames, temps: string[], typed: boolean): t.Statement[] {
  const decl = typed
    ? [`${names.ar}!: ${names.arT}`, `${names.arS}!: number`, ...temps.map((n) => `${n}: any`)]
    : [names.ar, names.arS, ...temps];
  const type = typed ? `interface ${names.arT} ${RUNTIME_TYPE} ` : '';
  return statements(`${type}var ${decl.join(', ')}; ${names.ar} || ${names.arI}();`, typed);
}

/**
 * The registration function, for the end of the program. `meta.map`, when present, is emitted as is:
 * pass MAP_PLACEHOLDER and splice the real map in after generation.
 */
export function initStatements(names: RuntimeNames, meta: FileMeta, typed: boolean): t.Statement[] {
  const { ar, arS, arI, arT } = names;
  const lookup = typed ? `(globalThis as any)[Symbol.for("asyncrace")]` : `globalThis[Symbol.for("asyncrace")]`;
  const code =
    `function ${arI}()${typed ? `: ${arT}` : ''} { ${ar} = ${lookup} || ${plain(typed)}${typed ? ' as any' : ''}; ` +
    `${arS} = ${ar}.file(0); return ${ar}; }`;
  const out = statements(code, typed);
  const fn = out[0] as t.FunctionDeclaration;
  const register = (fn.body.body[1] as t.ExpressionStatement).expression as t.AssignmentExpression;
  (register.right as t.CallExpression).arguments[0] = t.valueToNode(meta);
  return out;
}
