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

/** `generate()` of @babel/generator, with member accesses kept on their lines (see above). */
export function generateKeepingLines(...args: Parameters<typeof generate>): ReturnType<typeof generate> {
  const infos = KINDS.map((k) => printers.get(k));
  const saved = infos.map((info) => info?.[0]);
  infos.forEach((info, i) => {
    if (info && saved[i]) info[0] = keepingLines(saved[i]!);
  });
  try {
    return generate(...args);
  } finally {
    infos.forEach((info, i) => {
      if (info && saved[i]) info[0] = saved[i]!;
    });
  }
}
