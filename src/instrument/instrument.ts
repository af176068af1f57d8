/**
 * `instrument()`: source text in, instrumented source text and source map out,
 * in one parse, one traversal and one generation. Every user line stays on its
 * line number; TypeScript stays TypeScript and JSX stays JSX, so the result can
 * go to another compiler (tsx, ts-node, Node's type stripping) or run as is.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type ParserOptions, type ParserPlugin } from '@babel/parser';
import * as t from '@babel/types';
import traverseModule from '@babel/traverse';
import { MAP_PLACEHOLDER, isInstrumented } from './prelude';
import { composeMaps, isSourceMapComment, normalizeInputMap, readInputSourceMap, type RawSourceMap } from './sourcemap';
import { programVisitor } from './visitor';
import { generateKeepingLines } from './generate';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

// The Babel packages are CommonJS with `exports.default`; loaded natively as ESM
// (vitest) the default import is the exports object.
const traverse = ((traverseModule as unknown as { default?: typeof traverseModule }).default ?? traverseModule) as typeof traverseModule;

/** Options of `instrument()`. */
export interface InstrumentOptions {
  /** The module as V8 names it in stack frames: an absolute path (CJS) or a file: URL (ESM). Default: the filename. */
  moduleName?: string;
  /** The source map of `code` (generated -> original). Default: the file's own `sourceMappingURL` (inline or a file next to it). */
  inputSourceMap?: object | string;
  /**
   * The result goes back into a bundler's transform chain (a Vite plugin):
   * `map` then maps to `code` as given (the bundler combines it with the maps
   * before it), and no `sourceMappingURL` comment is appended. Sites and the
   * map the runtime keeps still point at the original sources through
   * `inputSourceMap`.
   */
  bundler?: boolean;
  /**
   * Where the caller stores the map (an absolute path; not with `bundler`):
   * the code then refers to that file instead of carrying the map twice (in
   * the runtime's registration and in the inline comment), which makes a
   * large module several times longer to read and compile. The caller writes
   * `mapText` there.
   */
  mapFile?: string;
}

/** A source map object (version 3). */
export interface SourceMapObject {
  version: number;
  file?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

/** What `instrument()` returns. */
export interface InstrumentResult {
  /** Instrumented code, ending with an inline `//# sourceMappingURL=data:...` comment (the map without `sourcesContent`), except with `bundler`. */
  code: string;
  /** The output source map, with `sourcesContent`: instrumented code -> original sources (chained with the input map), or -> `code` with `bundler`. */
  map: SourceMapObject;
  /** With `mapFile`: the text to store there (the map without `sourcesContent`). */
  mapText?: string;
}

interface Dialect {
  typescript: boolean;
  sourceType: ParserOptions['sourceType'];
  plugins: ParserPlugin[];
  /** Tried when the first plugin set fails (the other decorators syntax). */
  fallback?: ParserPlugin[];
}

const MODERN: ParserPlugin[] = ['explicitResourceManagement', 'decoratorAutoAccessors', ['importAttributes', { deprecatedAssertSyntax: true }]];

/** Parser settings by extension: .ts/.mts/.cts TypeScript, .tsx TypeScript + JSX, everything else JavaScript + JSX. */
function dialectOf(filename: string): Dialect {
  const ext = path.extname(filename).toLowerCase();
  // .cts may hold import/export syntax (compiled to require() later): only .cjs is surely a script.
  const sourceType = ext === '.mjs' || ext === '.mts' ? 'module' : ext === '.cjs' ? 'script' : 'unambiguous';
  if (ext === '.ts' || ext === '.mts' || ext === '.cts' || ext === '.tsx') {
    const base: ParserPlugin[] = ext === '.tsx' ? ['typescript', 'jsx', ...MODERN] : ['typescript', ...MODERN];
    return { typescript: true, sourceType, plugins: [...base, 'decorators-legacy'], fallback: [...base, ['decorators', {}]] };
  }
  return { typescript: false, sourceType, plugins: ['jsx', ...MODERN, ['decorators', {}]] };
}

function parseWith(code: string, filename: string, d: Dialect): t.File | null {
  const options = (plugins: ParserPlugin[]): ParserOptions => ({
    sourceType: d.sourceType,
    sourceFilename: filename,
    plugins,
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
    allowNewTargetOutsideFunction: true,
    allowUndeclaredExports: true,
    errorRecovery: false,
  });
  try {
    return parse(code, options(d.plugins));
  } catch {
    if (!d.fallback) return null;
    try {
      return parse(code, options(d.fallback));
    } catch {
      return null;
    }
  }
}

/** True when the AST has TypeScript-only syntax (then a TypeScript compiler will see the output). */
function hasTypeScriptSyntax(ast: t.File): boolean {
  let found = false;
  t.traverseFast(ast.program, (node) => {
    if (found) return;
    const n = node as t.Node & { accessibility?: unknown; abstract?: unknown; declare?: unknown; definite?: unknown; override?: unknown };
    if (n.type.startsWith('TS') || n.accessibility || n.abstract || n.declare || n.definite || n.override) found = true;
  });
  return found;
}

function toPath(filename: string): string {
  if (filename.startsWith('file:')) return fileURLToPath(filename);
  return path.resolve(filename);
}

function replaceLast(code: string, from: string, to: string): string {
  const i = code.lastIndexOf(from);
  return i < 0 ? code : code.slice(0, i) + to + code.slice(i + from.length);
}

/**
 * The map without symbol names. Node names the frames of a source-mapped stack
 * after the names in the map where there are any, and after V8 otherwise:
 * without names, a stack of instrumented code is named as the original's
 * (`Store.get`, not `get`; never a generated `_arc`).
 */
function withoutNames(map: SourceMapObject): SourceMapObject {
  const lines = decode(map.mappings);
  for (const line of lines) for (let i = 0; i < line.length; i++) if (line[i]!.length === 5) line[i] = line[i]!.slice(0, 4) as SourceMapSegment;
  return { ...map, names: [], mappings: encode(lines) };
}

/**
 * Instruments one module.
 *
 * Returns null when the code does not parse (run the original, so that Node
 * reports its own SyntaxError) or was instrumented already.
 *
 * @example
 * const out = instrument(fs.readFileSync(file, 'utf8'), file, { moduleName: file });
 * if (out) module._compile(out.code, file);
 */
export function instrument(code: string, filename: string, options: InstrumentOptions = {}): InstrumentResult | null {
  if (isInstrumented(code)) return null;
  const file = toPath(filename);
  const dialect = dialectOf(file);
  const ast = parseWith(code, file, dialect);
  if (!ast) return null;

  let input: { map: RawSourceMap; mapFile: string } | undefined;
  if (options.inputSourceMap) input = { map: options.inputSourceMap as RawSourceMap, mapFile: file };
  else input = readInputSourceMap(code, file);
  const inputMap = input ? normalizeInputMap(input.map, input.mapFile) : undefined;

  const typescript = dialect.typescript && hasTypeScriptSyntax(ast);
  const visitor = programVisitor({
    filename: file,
    moduleName: options.moduleName ?? filename,
    inputMap,
    code,
    typescript,
    uniqueNames: typescript && ast.program.sourceType === 'script',
    map: MAP_PLACEHOLDER,
  });
  let done = false;
  traverse(ast, {
    Program(p) {
      done = visitor.enter(p);
      if (done) visitor.exit(p);
      p.stop();
    },
  });
  if (!done) return null;

  const generatorOptions = {
      retainLines: true,
      comments: true,
      shouldPrintComment: (value: string) => !isSourceMapComment(value),
      sourceMaps: true,
      sourceFileName: file,
      // A TraceMap is accepted where a raw map is (the generator wraps it in one).
      inputSourceMap: options.bundler ? undefined : (inputMap as never),
      jsescOption: { minimal: true },
  };
  // asyncrace's own statements: new ones, and generated ones other than a block that carries the user's braces.
  const own = (node: t.Node): boolean => !node.loc || (visitor.state.isGenerated(node) && !t.isBlockStatement(node));
  const out = generateKeepingLines(ast, generatorOptions as Parameters<typeof generateKeepingLines>[1], code, own);
  const map: SourceMapObject = withoutNames({ ...(out.map as unknown as SourceMapObject), file: path.basename(file) });
  delete map.sourceRoot;
  // The embedded copies leave the sources' text out (the files are on disk): they
  // would double the size of every module in memory.
  const { sourcesContent: _content, ...lean } = options.bundler && inputMap ? composeMaps(map, inputMap) : map;
  const leanText = JSON.stringify(lean);
  if (options.mapFile && !options.bundler) {
    // The runtime checks what it reads against the hash; Node and coverage tools read the file by its URL.
    const ref = mapFileRef(options.mapFile, leanText);
    const text = replaceLast(out.code, JSON.stringify(MAP_PLACEHOLDER), JSON.stringify(ref));
    return { code: `${text}\n//# sourceMappingURL=${relativeUrl(file, options.mapFile)}\n`, map, mapText: leanText };
  }
  const text = replaceLast(out.code, JSON.stringify(MAP_PLACEHOLDER), JSON.stringify(leanText));
  if (options.bundler) return { code: text, map };
  const inline = Buffer.from(leanText, 'utf8').toString('base64');
  return { code: `${text}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${inline}\n`, map };
}

/** The URL of `target` relative to the file `from`: Node reads a source map by a relative URL only (a `file:` one it ignores). */
function relativeUrl(from: string, target: string): string {
  return path.relative(path.dirname(from), target).split(path.sep).map(encodeURIComponent).join('/');
}

/**
 * `FileMeta.map` for a map kept in a file: `file:<path>#<sha256 of its text>`.
 *
 * @example
 * mapFileRef('/app/node_modules/.cache/asyncrace/ab/ab12.map', '{"version":3,...}') // 'file:/app/...ab12.map#9f86d0...'
 */
export function mapFileRef(file: string, text: string): string {
  return `file:${file}#${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
