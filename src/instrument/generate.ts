/**
 * @babel/generator with `retainLines`, made faithful to V8's positions of
 * member accesses. V8 reports an error of a property access (reading a
 * property of undefined) at its `.` (or `?.`, `[`), so:
 * - an access written at the start of a later line keeps its line (the
 *   generator would print the `.` at the end of the object's line: one line
 *   too early in the user's stack);
 * - the `.` gets a source mapping of its own, to its original column (a
 *   source-mapped stack or error excerpt then points at the access, not at
 *   the start of the expression).
 *
 * And asyncrace's own statements (the prelude, a function's shadow-stack
 * push, try and pop, the registration function) map to no source at all, so
 * that a coverage tool reading the map (vitest's v8 coverage) counts the
 * user's statements and branches only; user code inside them keeps its
 * mappings.
 *
 * The printers are swapped only while our own generate() call runs.
 */
import { createRequire } from 'node:module';
import generateModule from '@babel/generator';
import type * as t from '@babel/types';

// The Babel packages are CommonJS with `exports.default`; loaded natively as ESM (vitest) the default import is the exports object.
const generate = ((generateModule as unknown as { default?: typeof generateModule }).default ?? generateModule) as typeof generateModule;

interface PrinterLike {
  print(node: t.Node | null | undefined, ...rest: unknown[]): unknown;
  catchUp(line: number): void;
  sourceWithOffset(prop: 'start', loc: t.SourceLocation, columnOffset: number): void;
}
type MemberPrinter = (this: PrinterLike, node: t.MemberExpression | t.OptionalMemberExpression) => void;

/** @babel/generator 7.29 keeps its printers in this map: node type -> [printer, id, parens]. */
const printers = (createRequire(__filename)('@babel/generator/lib/nodes.js') as { generatorInfosMap: Map<string, [MemberPrinter, ...unknown[]]> })
  .generatorInfosMap;

/** A member printer that, right after printing the object, moves to the access's line and maps the access token. */
function keepingLines(original: MemberPrinter): MemberPrinter {
  return function (this: PrinterLike, node) {
    const loc = node.property.loc;
    if (!loc) return original.call(this, node);
    const line = loc.start.line;
    const objectEnd = node.object.loc?.end.line;
    // The token before the property: `.`, `?.` or `[` (written without spaces, as nearly always).
    const width = node.optional ? 2 : 1;
    const print = this.print;
    this.print = function (this: PrinterLike, n, ...rest) {
      const r = print.call(this, n, ...rest);
      if (n === node.object) {
        this.print = print;
        // Only where the source had the access on a later line than the object's end.
        if (objectEnd === undefined || objectEnd < line) this.catchUp(line);
        if (loc.start.column >= width) this.sourceWithOffset('start', loc, -width);
      }
      return r;
    };
    try {
      original.call(this, node);
    } finally {
      this.print = print;
    }
  };
}

const KINDS = ['MemberExpression', 'OptionalMemberExpression'] as const;

interface BufferLike {
  _map: unknown;
  _flush(): void;
  _sourcePosition: { line: number | undefined; column: number | undefined };
}
interface PrinterState {
  _buf: BufferLike;
  _printLeadingComments(node: t.Node, parent: unknown): void;
}
type Print = (this: PrinterState, node: t.Node | null | undefined, ...rest: unknown[]) => unknown;
type Mark = (this: unknown, generated: unknown, line?: number, column?: number, name?: string, namePos?: unknown, filename?: string | null) => void;

const load = createRequire(__filename);
const printerProto = (load('@babel/generator/lib/printer.js') as { default: { prototype: { print: Print } } }).default.prototype;
const sourceMapProto = (load('@babel/generator/lib/source-map.js') as { default: { prototype: { mark: Mark } } }).default.prototype;

function unmap(buf: BufferLike): void {
  buf._flush();
  buf._sourcePosition.line = undefined;
  buf._sourcePosition.column = undefined;
}

/** A printer that maps the tokens of asyncrace's own statements to nothing, until a user node inside one sets a position. */
function unmappingOwn(original: Print, own: (node: t.Node) => boolean): Print {
  return function (this: PrinterState, node, ...rest) {
    if (!node || !this._buf._map || !/Statement|Declaration$/.test(node.type) || !own(node)) return original.call(this, node, ...rest);
    unmap(this._buf);
    // A user's comment moved onto the statement (a pragma kept first) maps to its place; the statement after it does not.
    const comments = this._printLeadingComments;
    this._printLeadingComments = function (this: PrinterState, n, parent) {
      comments.call(this, n, parent);
      if (n === node) unmap(this._buf);
    };
    try {
      return original.call(this, node, ...rest);
    } finally {
      this._printLeadingComments = comments;
    }
  };
}

/** A position without a file comes from a node not parsed from the user's file (the prelude's template): no mapping. */
function userPositionsOnly(original: Mark): Mark {
  return function (this: unknown, generated, line, column, name, namePos, filename) {
    if (line != null && !filename) return original.call(this, generated);
    return original.call(this, generated, line, column, name, namePos, filename);
  };
}

/**
 * `generate()` of @babel/generator, with member accesses kept on their lines
 * and the statements for which `own` is true mapped to no source (see above).
 */
export function generateKeepingLines(
  ast: Parameters<typeof generate>[0],
  options: Parameters<typeof generate>[1],
  code: Parameters<typeof generate>[2],
  own: (statement: t.Node) => boolean,
): ReturnType<typeof generate> {
  const infos = KINDS.map((k) => printers.get(k));
  const saved = infos.map((info) => info?.[0]);
  infos.forEach((info, i) => {
    if (info && saved[i]) info[0] = keepingLines(saved[i]!);
  });
  const print = printerProto.print;
  const mark = sourceMapProto.mark;
  printerProto.print = unmappingOwn(print, own);
  sourceMapProto.mark = userPositionsOnly(mark);
  try {
    return generate(ast, options, code);
  } finally {
    printerProto.print = print;
    sourceMapProto.mark = mark;
    infos.forEach((info, i) => {
      if (info && saved[i]) info[0] = saved[i]!;
    });
  }
}
