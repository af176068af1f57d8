/**
 * The Babel plugin (`require('asyncrace/babel')`): a thin adapter over the
 * visitor, for builds that already run Babel.
 *
 * In this mode the instrumented code runs through the rest of the Babel
 * pipeline, so the registration carries no `map` (Babel writes the final map
 * after all plugins); site positions still refer to the original sources
 * through Babel's input source map. Generated declarations are never typed
 * (TypeScript presets strip types before the prelude is added).
 */
import type { NodePath, PluginObj, PluginPass } from '@babel/core';
import type * as t from '@babel/types';
import { shouldInstrument } from './filter';
import { normalizeInputMap, type RawSourceMap } from './sourcemap';
import { programVisitor, type ProgramVisitor } from './visitor';

/** Plugin options. */
export interface AsyncraceBabelOptions {
  /** Globs of files to instrument (default: all but node_modules). */
  include?: string[];
  /** Globs of files never instrumented. */
  exclude?: string[];
  /** The module name V8 prints in stack frames for a file (default: the filename). */
  moduleName?: (filename: string) => string;
}

const active = new WeakMap<object, ProgramVisitor>();

function inputMapOf(pass: PluginPass): RawSourceMap | undefined {
  const m = pass.file.inputMap as { toObject?: () => RawSourceMap } | null;
  return m?.toObject ? m.toObject() : undefined;
}

/**
 * @example
 * // babel.config.js
 * module.exports = { plugins: [['asyncrace/babel', { exclude: ['**\/*.test.js'] }]] };
 */
export default function asyncraceBabelPlugin(_api: unknown, options: AsyncraceBabelOptions = {}): PluginObj<PluginPass> {
  return {
    name: 'asyncrace',
    visitor: {
      Program: {
        enter(path: NodePath<t.Program>, pass: PluginPass) {
          const filename = pass.file.opts.filename ?? undefined;
          if (filename && !shouldInstrument(filename, { include: options.include ?? [], exclude: options.exclude ?? [] })) return;
          const file = filename ?? 'unknown';
          const raw = inputMapOf(pass);
          const visitor = programVisitor({
            filename: file,
            moduleName: options.moduleName ? options.moduleName(file) : file,
            inputMap: raw ? normalizeInputMap(raw, file) : undefined,
            code: pass.file.code,
            typescript: false,
          });
          if (visitor.enter(path)) active.set(pass.file, visitor);
        },
        exit(path: NodePath<t.Program>, pass: PluginPass) {
          const visitor = active.get(pass.file);
          if (!visitor) return;
          active.delete(pass.file);
          visitor.exit(path);
        },
      },
    },
  };
}
