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
 *   `function _arI() { _ar = globalThis[Symbol.for("asyncrace")] || <plain operations, no detection (plainRuntime)>;
 *    _arS = _ar.file({file, sources, sites, map}); return _ar; }`
 *
 * Hoisted module-level functions that an import cycle calls before the module
 * body ran use `(_ar || _arI())`, so instrumentation never turns such a call
 * into a TypeError. In TypeScript output the names carry types (`_arT` keeps the
 * types of the values that pass through the entries, ENTRY_TYPES).
 */
import * as t from '@babel/types';
import { parse } from '@babel/parser';
import { ENTRY, type EntryName, type FileMeta } from '../runtime/api';

/** Text present in every instrumented file (the error thrown when the runtime is missing). */
export const INSTRUMENTED_MARKER = 'asyncrace: runtime not loaded';

/**
 * The plain operation of each entry generated code calls, as source text
 * (`a`: the parameters' type annotation, `c`: the original `call`, `v`: a
 * function that returns its second argument).
 */
function plainEntries(a: string): Record<EntryName, string> {
  return {
    [ENTRY.registerFile]: 'function () { return 0; }',
    [ENTRY.chooseCall]: 'function () { return c; }',
    [ENTRY.chooseLateCall]: 'function () { return c; }',
    [ENTRY.chooseJoinCall]: 'function () { return c; }',
    [ENTRY.callOriginal]: 'c',
    [ENTRY.lateHook]: `function (s${a}, f${a}, o${a}, x${a}) { return x; }`,
    [ENTRY.joinHook]: `function (r${a}) { return r; }`,
    [ENTRY.readWhole]: 'v',
    [ENTRY.iterate]: 'v',
    [ENTRY.checkDestructure]: 'v',
    [ENTRY.checkConstruct]: 'v',
    [ENTRY.checkAsyncIterable]: 'v',
    [ENTRY.recordCreation]: 'v',
    [ENTRY.readSize]: `function (s${a}, o${a}, x${a}) { return x; }`,
    [ENTRY.enterFunction]: 'function () { return null; }',
    [ENTRY.leaveFunction]: 'function () {}',
    [ENTRY.suspend]: `function (x${a}) { return x; }`,
    [ENTRY.resume]: `function (x${a}) { return x; }`,
  };
}

/**
 * What instrumented code runs on where no runtime is installed (a thread the
 * register hook did not reach, such as Node 20's module-hooks thread, or code
 * built with the Babel plugin and run without the register hook): every
 * operation as the original, no detection. Besides the entries, `note`
 * carries INSTRUMENTED_MARKER into the file (api.ts HOST_ENTRY says why the
 * stub has nothing else).
 *
 * @example
 *   new Function(`return ${plainRuntime(false)}`)()[ENTRY.readSize](0, m, 3) // 3
 */
export function plainRuntime(typed: boolean): string {
  const a = typed ? ': any' : '';
  const entries = Object.entries(plainEntries(a)).map(([name, code]) => `${name}: ${code}`);
  return (
    `(function () { var c = Function.prototype.call.bind(Function.prototype.call), v = function (s${a}, x${a}) { return x; }; ` +
    `return { note: ${JSON.stringify(`${INSTRUMENTED_MARKER}: calls run plain`)}, ${entries.join(', ')} }; })()`
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

/** The type of each entry generated code calls, in TypeScript output (`_arT` keeps the types of the values that pass through). */
const ENTRY_TYPES: Record<EntryName, string> = {
  [ENTRY.registerFile]: '(m: unknown): number',
  [ENTRY.chooseCall]: '(s: number, o: unknown, f: unknown): (...a: any[]) => any',
  [ENTRY.chooseLateCall]: '(s: number, o: unknown, f: unknown): (...a: any[]) => any',
  [ENTRY.chooseJoinCall]: '(s: number, o: unknown, f: unknown): (...a: any[]) => any',
  [ENTRY.lateHook]: '<T>(s: number, f: unknown, o: unknown, v: T, h: number, key?: unknown, c?: unknown): T',
  [ENTRY.joinHook]: '<T>(r: T, s: number, f: unknown, o: unknown, i: unknown, h: number): T',
  [ENTRY.callOriginal]: '(...a: any[]): any',
  [ENTRY.readWhole]: '<T>(s: number, v: T): T',
  [ENTRY.enterFunction]: '(s: number): any',
  [ENTRY.leaveFunction]: '(f: unknown): void',
  [ENTRY.recordCreation]: '<T>(s: number, c: T): T',
  [ENTRY.iterate]: '<T>(s: number, v: T): T',
  [ENTRY.checkDestructure]: '<T>(s: number, v: T): T',
  [ENTRY.checkConstruct]: '<T>(s: number, v: T): T',
  [ENTRY.checkAsyncIterable]: '<T>(s: number, v: T): T',
  [ENTRY.readSize]: '<T>(s: number, o: unknown, v: T): T',
  [ENTRY.suspend]: '<T>(v: T, f: unknown): T',
  [ENTRY.resume]: '<T>(v: T, f: unknown): T',
};

/** The runtime's type in TypeScript output, `interface _arT <RUNTIME_TYPE>`. */
export const RUNTIME_TYPE = `{ ${Object.entries(ENTRY_TYPES)
  .map(([name, type]) => `${name}${type}`)
  .join('; ')} }`;

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
    `function ${arI}()${typed ? `: ${arT}` : ''} { ${ar} = ${lookup} || ${plainRuntime(typed)}${typed ? ' as any' : ''}; ` +
    `${arS} = ${ar}.${ENTRY.registerFile}(0); return ${ar}; }`;
  const out = statements(code, typed);
  const fn = out[0] as t.FunctionDeclaration;
  const register = (fn.body.body[1] as t.ExpressionStatement).expression as t.AssignmentExpression;
  (register.right as t.CallExpression).arguments[0] = t.valueToNode(meta);
  return out;
}
