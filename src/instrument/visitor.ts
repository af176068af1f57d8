/**
 * The instrumentation visitor: one visitor table and one state object per file.
 *
 * `programVisitor()` is the entry point (the model is istanbul-lib-instrument's
 * visitor): `enter(programPath)` runs the visitor over the whole program in one
 * traversal, `exit(programPath)` adds the prelude and the registration function.
 * Rewrites happen on exit of each node, so the children of a node are already
 * instrumented when it is rewritten; the nodes the visitor generates are
 * recorded and skipped when the traversal meets them again.
 */
import fs from 'node:fs';
import * as t from '@babel/types';
import type { NodePath, Scope, Visitor } from '@babel/traverse';
import type { TraceMap } from '@jridgewell/trace-mapping';
import { encodeSite, type FileMeta, type Site, type SiteTuple } from '../runtime/api';
import { METHODS, isChainTop, keyText, lowerChain, type ChainEmitter } from './chain';
import { functionName, ownerOf } from './names';
import { INSTRUMENTED_MARKER, initStatements, preludeStatements, type RuntimeNames } from './prelude';
import { nameSkeleton, namesLaterArguments, withInferredNames } from './inferred-names';
import { callPlace, isParameterDefault, isValueUnused, suspends, type Place } from './places';
import {
  awaitShape,
  constructShape,
  destructureShape,
  iterAsyncShape,
  iterShape,
  madeShape,
  methodCallShape,
  plainCallShape,
  resumeStatement,
  sizeShape,
  varDeclaration,
  wholeShape,
  wrapperStatements,
  yieldShape,
  type Slot,
  type TempKind,
} from './shapes';
import { originalPosition } from './sourcemap';
import {
  calleeText,
  nonCoercibleMessage,
  notAsyncIterableMessage,
  notConstructorMessage,
  notFunctionMessage,
  notIterableMessage,
  print,
  type IterForm,
} from './v8-text';

const PROMISE_METHODS: ReadonlySet<string> = new Set(['all', 'allSettled', 'any']);
const COLLECTIONS: ReadonlySet<string> = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);
/** `// asyncrace-ignore-next-line` or `/* asyncrace-ignore-next-line *\/`, optionally followed by a reason. */
const IGNORE_NEXT_LINE = /^\s*asyncrace-ignore-next-line(?:\s|:|$)/;
/** The same comment found in a line of source text. */
const IGNORE_IN_TEXT = /(?:\/\/|\/\*)\s*asyncrace-ignore-next-line(?:\s|:|\*\/|$)/;

/** An original source's text from disk, if it is there (an input map without sourcesContent). */
function readSource(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Options of one file's instrumentation. */
export interface VisitorOptions {
  /** Absolute path of the file (positions without an input map refer to it). */
  filename: string;
  /** The module as V8 names it in stack frames (`FileMeta.file`); default: `filename`. */
  moduleName?: string;
  /** Input source map, sources already absolute (see normalizeInputMap). */
  inputMap?: TraceMap;
  /** The source text (used to pick generated names that cannot clash with the user's). */
  code: string;
  /**
   * Emit TypeScript annotations on generated declarations. Only for output that
   * a TypeScript compiler will see (input with TypeScript syntax), never for
   * code that runs as is.
   */
  typescript?: boolean;
  /**
   * Make module-level generated names unique to this file (`_ar_1f3a9c`): for
   * TypeScript scripts (no import/export), whose top-level declarations a type
   * checker puts in one global scope with every other script.
   */
  uniqueNames?: boolean;
  /** Value of `FileMeta.map` (e.g. MAP_PLACEHOLDER); omitted when undefined. */
  map?: string;
}

interface FunctionInfo {
  /** Gets the shadow-stack wrapper. */
  wrap: boolean;
  /** Site index of the function entry (when wrapped). */
  site: number;
  /** A module-level declaration, callable before the prelude ran (import cycles). */
  hoisted: boolean;
}

/** The per-file state: names, sites, temporaries, generated nodes. */
export class InstrumentState implements ChainEmitter {
  readonly filename: string;
  readonly moduleName: string;
  readonly names: RuntimeNames;
  /** Name of the shadow frame variable declared in every wrapped function. */
  readonly frame: string;
  readonly sites: SiteTuple[] = [];
  readonly sources: string[] = [];
  /** Whether TypeScript annotations are emitted. */
  readonly typed: boolean;
  private readonly inputMap: TraceMap | undefined;
  private readonly mapText: string | undefined;
  private readonly reserved: Set<string>;
  private readonly suffix: string;
  private readonly generated = new WeakSet<t.Node>();
  private readonly functions = new WeakMap<t.Node, FunctionInfo>();
  private readonly fnNames = new WeakMap<t.Node, string>();
  /** Chain temporaries (`_t`, `_t2`, ...) used so far by each declaring node. */
  private readonly tempCounts = new Map<t.Node, number>();
  private readonly tempNames: string[] = [];
  private readonly tempSet = new Set<string>();
  /** The temporaries each declaring node (function, program, static block) declares, in order. */
  private readonly declared = new Map<t.Node, string[]>();
  /** Names of the shape temporaries by kind: `_o`, `_f`. */
  private readonly slotNames = new Map<TempKind, string>();
  private readonly originals = new WeakMap<t.Node, t.Node>();
  /** Lines that follow an `asyncrace-ignore-next-line` comment, in the original sources: `source\nline`. */
  private readonly ignoredLines = new Set<string>();
  /** The name skeletons of callees as written, of calls whose arguments V8 may use to name a function (inferred-names.ts). */
  private readonly callees = new WeakMap<t.Node, t.Expression | t.Super>();

  constructor(opts: VisitorOptions) {
    this.filename = opts.filename;
    this.moduleName = opts.moduleName ?? opts.filename;
    this.inputMap = opts.inputMap;
    this.mapText = opts.map;
    this.typed = opts.typescript ?? false;
    // Every identifier of the source that could look like ours: generated names avoid them.
    this.reserved = new Set(opts.code.match(/(?<![\w$])_[\w$]*/g) ?? []);
    this.suffix = opts.uniqueNames ? `_${hash(this.filename)}` : '';
    this.names = { ar: this.fresh('ar'), arS: this.fresh('arS'), arI: this.fresh('arI'), arT: this.fresh('arT') };
    this.frame = this.fresh('arc');
    if (opts.inputMap) for (const s of opts.inputMap.resolvedSources) this.sourceIndex(s);
  }

  /** A name `_<base>` (or `_<base>2`, ...) that occurs nowhere in the source. */
  private fresh(base: string): string {
    let name = `_${base}${this.suffix}`;
    for (let i = 2; this.reserved.has(name); i++) name = `_${base}${i}${this.suffix}`;
    this.reserved.add(name);
    return name;
  }

  /**
   * Notes the `asyncrace-ignore-next-line` comments: the sites of the line
   * after each get the `ignored` flag. Without an input map, the parsed
   * comments; with one, the original sources (a loader that ran first may
   * have dropped the comments): their `sourcesContent`, else the file.
   */
  noteComments(comments: readonly t.Comment[] | null | undefined): void {
    if (!this.inputMap) {
      for (const c of comments ?? []) {
        if (c.loc && IGNORE_NEXT_LINE.test(c.value)) this.ignoredLines.add(`${this.filename}\n${c.loc.end.line + 1}`);
      }
      return;
    }
    const { resolvedSources, sourcesContent } = this.inputMap;
    for (let i = 0; i < resolvedSources.length; i++) {
      const source = resolvedSources[i]!;
      const text = sourcesContent?.[i] ?? readSource(source);
      if (!text || !text.includes('asyncrace-ignore-next-line')) continue;
      const lines = text.split(/\r\n?|\n/);
      for (let j = 0; j < lines.length; j++) if (IGNORE_IN_TEXT.test(lines[j]!)) this.ignoredLines.add(`${source}\n${j + 2}`);
    }
  }

  // --- Emitter -------------------------------------------------------------

  gen<T extends t.Node>(node: T): T {
    this.generated.add(node);
    return node;
  }

  isGenerated(node: t.Node): boolean {
    return this.generated.has(node);
  }

  runtime(): t.Identifier {
    return t.identifier(this.names.ar);
  }

  siteRef(index: number): t.Expression {
    return t.binaryExpression('+', t.identifier(this.names.arS), t.numericLiteral(index));
  }

  isTemp(name: string): boolean {
    return this.tempSet.has(name);
  }

  private declare(decl: t.Node, name: string): void {
    let list = this.declared.get(decl);
    if (!list) this.declared.set(decl, (list = []));
    if (!list.includes(name)) list.push(name);
  }

  temp(path: NodePath): t.Identifier {
    const { decl } = segmentOf(path);
    const n = this.tempCounts.get(decl) ?? 0;
    this.tempCounts.set(decl, n + 1);
    while (this.tempNames.length <= n) {
      const name = this.fresh('t');
      this.tempNames.push(name);
      this.tempSet.add(name);
    }
    this.declare(decl, this.tempNames[n]!);
    return t.identifier(this.tempNames[n]!);
  }

  slot(path: NodePath): Slot {
    const { decl } = segmentOf(path);
    return {
      temp: (kind: TempKind): t.Identifier => {
        let name = this.slotNames.get(kind);
        if (name === undefined) {
          name = this.fresh(kind);
          this.slotNames.set(kind, name);
          this.tempSet.add(name);
        }
        this.declare(decl, name);
        return t.identifier(name);
      },
    };
  }

  /** Records that the generated `node` replaced `original` (error messages print the original). */
  setOriginal(node: t.Node, original: t.Node): void {
    this.originals.set(node, original);
  }

  /** The user's expression that a generated node replaced, or the node itself. */
  originalOf(node: t.Node): t.Node {
    return this.originals.get(node) ?? node;
  }

  /** Keeps the name skeleton of `call`'s callee as written, before its parts are rewritten. */
  noteCallee(call: t.Node, callee: t.Expression): void {
    this.callees.set(call, nameSkeleton(callee));
  }

  /** Whether noteCallee kept a skeleton for `call`: its arguments are then rewritten by callArguments. */
  namesArguments(call: t.Node): boolean {
    return this.callees.has(call);
  }

  /** The arguments of `call` for a generated call, with the names V8 infers from them kept (inferred-names.ts). */
  callArguments<C extends t.CallExpression | t.OptionalCallExpression>(call: C): C['arguments'] {
    const skeleton = this.callees.get(call);
    return skeleton ? (withInferredNames(call.arguments, skeleton, (n) => this.gen(n)) as C['arguments']) : call.arguments;
  }

  /** The temporaries declared by `decl` (a function, the program or a static block). */
  tempsOf(decl: t.Node): string[] {
    return this.declared.get(decl) ?? [];
  }

  /**
   * Adds a site (api.ts Site). `message` is V8's TypeError for the site: a call
   * site's "is not a function", an iteration site's "not iterable" ('' for
   * V8's wording by value), a check site's message (`%s`: the value);
   * `nullishOnly` marks a site that throws it only for null and undefined (a
   * spread in call arguments).
   */
  site(what: string, node: t.Node, path: NodePath, message?: string, nullishOnly?: boolean, argsSuspend?: boolean): number {
    const loc = node.loc ?? path.node.loc ?? path.findParent((p) => !!p.node.loc)?.node.loc;
    const name = what === 'function' && path.isFunction() ? this.functionNameOf(path) : this.enclosingName(path);
    const site: Site = { what, sourceIndex: 0, line: 0, column: 0, functionName: name, message, nullishOnly, argsSuspend };
    if (!loc) {
      site.sourceIndex = this.sourceIndex(this.filename);
    } else {
      const pos = originalPosition(this.inputMap, this.filename, loc.start.line, loc.start.column);
      site.sourceIndex = this.sourceIndex(pos.source);
      site.line = pos.line;
      site.column = pos.column;
      site.ignored = this.ignoredLines.size > 0 && this.ignoredLines.has(`${pos.source}\n${pos.line}`);
    }
    this.sites.push(encodeSite(site));
    return this.sites.length - 1;
  }

  private sourceIndex(source: string): number {
    const i = this.sources.indexOf(source);
    if (i >= 0) return i;
    this.sources.push(source);
    return this.sources.length - 1;
  }

  private functionNameOf(path: NodePath<t.Function>): string {
    let name = this.fnNames.get(path.node);
    if (name === undefined) {
      name = functionName(path);
      this.fnNames.set(path.node, name);
    }
    return name;
  }

  /** The stack-frame name of the code that runs `path`. */
  enclosingName(path: NodePath): string {
    const owner = ownerOf(path);
    if (owner.kind === 'function') return this.functionNameOf(owner.path);
    return owner.kind === 'initializer' ? owner.name : '';
  }

  // --- Functions -------------------------------------------------------------

  setFunction(node: t.Node, info: FunctionInfo): void {
    this.functions.set(node, info);
  }

  functionInfo(node: t.Node): FunctionInfo | undefined {
    return this.functions.get(node);
  }

  /**
   * The frame variable usable at `path` where its function can suspend: inside a wrapped async
   * function or generator, not in a nested function or field initializer.
   */
  suspendingFrameAt(path: NodePath): string | undefined {
    const owner = ownerOf(path);
    if (owner.kind !== 'function' || !(owner.path.node.async || owner.path.node.generator)) return undefined;
    return this.functions.get(owner.path.node)?.wrap ? this.frame : undefined;
  }

  /** The file's registration data (`map` as given in the options). */
  meta(): FileMeta {
    const meta: FileMeta = { file: this.moduleName, sources: this.sources, sites: this.sites };
    if (this.mapText !== undefined) meta.map = this.mapText;
    return meta;
  }
}

/** A short stable hash of a string (FNV-1a, hex). */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}


/**
 * The code unit that runs `path` (`key`: a function body, a parameter list, a
 * class field initializer, a static block, the program) and the node whose
 * `var` declares its temporaries (`decl`: the closest function body, static
 * block or program). Parameter lists and field initializers cannot declare
 * variables: theirs live in the enclosing declaring node, as temporaries of
 * their own (a call made from the enclosing code can run them in the middle of
 * one of its shapes).
 */
function segmentOf(path: NodePath): { key: object; decl: t.Node } {
  let key: object | undefined;
  let child: NodePath = path;
  let p = path.parentPath;
  while (p) {
    if (p.isFunction()) {
      // Parameter initializers cannot see the body's `var`s.
      if (child.key === 'body') return { key: key ?? p.node, decl: p.node };
      if (child.listKey === 'params') key ??= p.node.params;
    } else if ((p.isClassProperty() || p.isClassPrivateProperty() || p.isClassAccessorProperty()) && child.key === 'value') {
      key ??= p.node;
    } else if (p.isStaticBlock() || p.isProgram()) {
      return { key: key ?? p.node, decl: p.node };
    }
    child = p;
    p = p.parentPath;
  }
  return { key: key ?? path.node, decl: path.node };
}

/** Expressions that can never evaluate to a Map or Set: their iteration stays untouched. */
function neverCollection(node: t.Node): boolean {
  return t.isLiteral(node) || t.isArrayExpression(node) || t.isObjectExpression(node) || t.isFunction(node) || t.isClassExpression(node);
}

/**
 * An operand that V8 words by the iteration taking it (`o.f is not a function
 * or its return value is not iterable`) and that the transform cannot route
 * through the runtime: a call of a parenthesised optional chain (`(a?.b)()`)
 * and a tagged template. Its iteration is left to V8 (untracked: such a call
 * seldom returns a collection).
 */
function wordedByIteration(node: t.Node): boolean {
  let n = node;
  while (t.isTSAsExpression(n) || t.isTSSatisfiesExpression(n) || t.isTSNonNullExpression(n) || t.isTSTypeAssertion(n) || t.isParenthesizedExpression(n)) n = n.expression;
  if (t.isTaggedTemplateExpression(n)) return true;
  if (!t.isCallExpression(n)) return false;
  let callee: t.Node = n.callee;
  while (t.isTSNonNullExpression(callee)) callee = callee.expression;
  return t.isOptionalMemberExpression(callee) || t.isOptionalCallExpression(callee);
}

/** Whether the iteration of `node` goes through `_ar.iter`: it may be a collection, and V8's wording survives the call. */
function iteratedThroughRuntime(node: t.Node): boolean {
  return !neverCollection(node) && !wordedByIteration(node);
}

/** Site of an iteration of `node`, carrying V8's TypeError message for its form when the value is not iterable. */
function iterSite(s: InstrumentState, node: t.Expression, path: NodePath, form: IterForm): number {
  // The expression as written: `m.get(k)`, not the call shape that replaced it.
  const message = notIterableMessage(s.originalOf(node), form, (n) => s.originalOf(n));
  return s.site('iterate', node, path, message, form === 'call-spread');
}

/** Whether V8 would print `node` differently from the user's expression it stands for (it holds generated code). */
function showsGenerated(s: InstrumentState, node: t.Node): boolean {
  return print(node, (n) => s.originalOf(n)) !== print(node);
}

/** Whether `node` holds code the instrumentation generated (V8 may name part of it in a message). */
function holdsGenerated(s: InstrumentState, node: t.Node): boolean {
  let found = false;
  t.traverseFast(node, (n) => {
    if (s.isGenerated(n)) found = true;
  });
  return found;
}

/** An optional chain, through parentheses and type-only wrappers. */
function isOptionalChain(s: InstrumentState, node: t.Node): boolean {
  let n = s.originalOf(node);
  while (t.isTSAsExpression(n) || t.isTSSatisfiesExpression(n) || t.isTSNonNullExpression(n) || t.isTSTypeAssertion(n) || t.isParenthesizedExpression(n)) n = s.originalOf(n.expression);
  return t.isOptionalMemberExpression(n) || t.isOptionalCallExpression(n);
}

/**
 * `value` about to be destructured by `pattern`, where V8's TypeError for a
 * null or undefined value quotes the expression and the expression holds
 * generated code: the value goes through a check that throws V8's message
 * (the expression as written) from the user's frame.
 */
function checkedDestructure(s: InstrumentState, path: NodePath, pattern: t.Node, value: t.Expression): t.Expression {
  if (!t.isObjectPattern(pattern) || !showsGenerated(s, value)) return value;
  const message = nonCoercibleMessage(pattern, s.originalOf(value), (n) => s.originalOf(n));
  if (message === undefined) return value;
  return original(s, value, destructureShape(s, path, s.site('destructure', value, path, message), value));
}

/** A member expression used as a write target, a callee, or a `delete` operand: not a read. */
function isNotRead(path: NodePath<t.MemberExpression>): boolean {
  let child: t.Node = path.node;
  let p = path.parentPath;
  while (p && (p.isTSAsExpression() || p.isTSSatisfiesExpression() || p.isTSNonNullExpression() || p.isTSTypeAssertion() || p.isParenthesizedExpression())) {
    child = p.node;
    p = p.parentPath;
  }
  if (!p) return false;
  const n = p.node;
  if (t.isAssignmentExpression(n)) return n.left === child;
  if (t.isUpdateExpression(n)) return true;
  if (t.isUnaryExpression(n)) return n.operator === 'delete';
  if (t.isForInStatement(n) || t.isForOfStatement(n)) return n.left === child;
  if (t.isCallExpression(n) || t.isOptionalCallExpression(n) || t.isNewExpression(n)) return n.callee === child;
  if (t.isTaggedTemplateExpression(n)) return n.tag === child;
  if (t.isArrayPattern(n) || t.isRestElement(n)) return true;
  if (t.isAssignmentPattern(n)) return n.left === child;
  if (t.isObjectProperty(n)) return n.value === child && !!p.parentPath?.isObjectPattern();
  return false;
}

/**
 * Function declarations directly in a body become block-scoped once the body
 * moves into `try { }`. That is the same program unless a name is declared
 * twice (`var g; function g() {}`, two `function g`, a parameter `g`), which
 * would turn into an early error or a different binding: such functions keep
 * their body as is (no shadow frame).
 */
function hasDeclarationConflict(path: NodePath<t.Function>): boolean {
  const body = path.node.body;
  if (!t.isBlockStatement(body)) return false;
  const seen = new Set<string>();
  for (const s of body.body) {
    if (!t.isFunctionDeclaration(s) || !s.id) continue;
    const name = s.id.name;
    if (seen.has(name)) return true;
    seen.add(name);
    const binding = path.scope.getOwnBinding(name);
    if (!binding || binding.kind !== 'hoisted') return true;
    if (binding.constantViolations.some((v) => v.isVariableDeclarator() || v.isFunctionDeclaration())) return true;
  }
  return false;
}

/** Whether the function's own body (not a nested function's) holds a `yield*`. */
function delegates(path: NodePath<t.Function>): boolean {
  let found = false;
  path.traverse({
    Function(inner) {
      inner.skip();
    },
    YieldExpression(y) {
      if (y.node.delegate) {
        found = true;
        y.stop();
      }
    },
  });
  return found;
}

function isModuleLevelDeclaration(path: NodePath<t.Function>): boolean {
  if (!path.isFunctionDeclaration()) return false;
  const p = path.parentPath;
  if (p?.isProgram()) return true;
  return !!(p && (p.isExportNamedDeclaration() || p.isExportDefaultDeclaration()) && p.parentPath?.isProgram());
}

/**
 * Puts `node` where `path`'s node is. The visitor rewrites on exit, when the
 * old node's subtree is done, so the parent's slot is simply overwritten: no
 * requeue (Babel's `replaceWith` would traverse the new node again), the old
 * node's comments move to the new one.
 */
/** `shape`, recorded as standing for the user's `old` (messages print the original). */
function original<T extends t.Node>(s: InstrumentState, old: t.Node, shape: T): T {
  s.setOriginal(shape, old);
  return shape;
}

function replaceNode(s: InstrumentState, path: NodePath, node: t.Node): void {
  const old = path.node;
  s.setOriginal(node, old);
  t.inheritsComments(node, old);
  t.removeComments(old);
  (path.container as unknown as Record<string | number, t.Node>)[path.key as string | number] = node;
}

function isUnbound(scope: Scope, name: string): boolean {
  return !scope.getBinding(name);
}

/**
 * Calls V8 would word differently once rewritten take the call shape, with
 * V8's "is not a function" message for the callee as written in their site
 * (the runtime makes every such call unchanged, with the same `this`):
 * - a callee that contains generated code (`m.get(k).run()`, `m.get(k)()`),
 *   which V8 would print;
 * - a call whose value an iteration takes directly (`for (x of o.f())`): its
 *   value now goes to `_ar.iter(...)`, where V8 no longer sees an iteration.
 */
function rerouteCall(s: InstrumentState, path: NodePath<t.CallExpression>, where: Place): void {
  const node = path.node;
  // A parenthesised optional chain called (`(a?.b)()`) is `(intermediate value)` to V8 whatever it holds.
  if (t.isOptionalMemberExpression(node.callee) || t.isOptionalCallExpression(node.callee)) return;
  const generated = calleeText(node.callee, (n) => s.originalOf(n)) !== calleeText(node.callee);
  if (!generated && !(where.wrapped && isReroutable(path))) return;
  if (s.typed) typeCallbackParams(node.arguments);
  let callee: t.Node = node.callee;
  while (t.isTSNonNullExpression(callee)) callee = callee.expression;
  const suspend = suspends(node.arguments);
  const message = notFunctionMessage(node.callee, where.place, (n) => s.originalOf(n));
  const args = s.callArguments(node);
  // A call routed only for where it is (iterated) was never tracked: the runtime is asked only if it throws.
  const untracked = !generated;
  if (t.isMemberExpression(callee)) {
    const site = s.site(keyText(callee.property, callee.computed) ?? 'call', callee.property, path, message, false, suspend);
    replaceNode(s, path, methodCallShape(s, path, site, callee.object, callee.property, callee.computed, args, node, untracked));
  } else if (t.isExpression(node.callee)) {
    const site = s.site('call', node, path, message, false, suspend);
    replaceNode(s, path, plainCallShape(s, path, site, node.callee, args, node, untracked));
  }
}

/**
 * Calls that must stay as written: `super(...)`, `import(...)`, a direct
 * `eval(...)`, `require(...)` and `import.meta.*(...)` (which bundlers read).
 */
function isReroutable(path: NodePath<t.CallExpression>): boolean {
  let callee: t.Node = path.node.callee;
  while (t.isTSNonNullExpression(callee)) callee = callee.expression;
  if (t.isSuper(callee) || t.isImport(callee) || t.isV8IntrinsicIdentifier(callee)) return false;
  if (t.isIdentifier(callee)) return callee.name !== 'eval' && callee.name !== 'require';
  return !(t.isMemberExpression(callee) && t.isMetaProperty(callee.object));
}

/**
 * Keeps the name skeleton of a call's callee before its parts are rewritten,
 * where V8 may name an argument after it (inferred-names.ts). Not in
 * TypeScript output, where the dead code it adds would be type-checked.
 */
function noteNamingCall(s: InstrumentState, call: t.CallExpression | t.OptionalCallExpression): void {
  if (!s.typed && namesLaterArguments(call) && t.isExpression(call.callee)) s.noteCallee(call, call.callee);
}

/** Gives the untyped parameters of callbacks passed to a generated call `: any` (TypeScript output; the call lost their contextual type). */
function typeCallbackParams(args: t.Node[]): void {
  const visit = (node: t.Node | null | undefined): void => {
    if (!node) return;
    if (t.isArrowFunctionExpression(node) || t.isFunctionExpression(node) || t.isObjectMethod(node)) {
      for (const p of node.params) {
        if ((t.isIdentifier(p) || t.isObjectPattern(p) || t.isArrayPattern(p) || t.isRestElement(p)) && !p.typeAnnotation) {
          p.typeAnnotation = t.tsTypeAnnotation(t.tsAnyKeyword());
        }
      }
    } else if (t.isObjectExpression(node)) {
      for (const p of node.properties) visit(t.isObjectProperty(p) ? p.value : t.isObjectMethod(p) ? p : null);
    } else if (t.isArrayExpression(node)) {
      node.elements.forEach(visit);
    } else if (t.isConditionalExpression(node)) {
      visit(node.consequent);
      visit(node.alternate);
    } else if (t.isLogicalExpression(node)) {
      visit(node.left);
      visit(node.right);
    } else if (t.isSpreadElement(node)) {
      visit(node.argument);
    }
  };
  args.forEach(visit);
}

/**
 * The visitor table. Each rewrite happens on exit (post-order); `enter` at the
 * root skips generated nodes.
 */
export const instrumentVisitor: Visitor<InstrumentState> = {
  enter(path, s) {
    if (s.isGenerated(path.node)) path.skip();
  },

  Function: {
    enter(path, s) {
      const node = path.node;
      const hasBody = t.isBlockStatement(node.body) || t.isArrowFunctionExpression(node);
      // Generators too: resumed from promise reactions (TypeScript's __awaiter, co), one is an async
      // task. Not one with a yield*: V8 words a yield* error by the code around it, and the generator
      // would stay the current frame while the delegate is suspended.
      const wrap = hasBody && !hasDeclarationConflict(path) && !(node.generator && delegates(path));
      const site = wrap ? s.site('function', node, path) : -1;
      s.setFunction(node, { wrap, site, hoisted: isModuleLevelDeclaration(path) });
    },
    exit(path, s) {
      const node = path.node;
      const info = s.functionInfo(node);
      if (!info) return;
      const temps = s.tempsOf(node);
      const early = info.hoisted ? s.names.arI : null;
      if (info.wrap) {
        if (t.isBlockStatement(node.body)) {
          // The block keeps its location: `{` and `}` stay where they were.
          node.body.body = wrapperStatements(s, s.frame, info.site, node.body.body, temps, s.typed, early);
        } else {
          const expr = node.body;
          const block = t.blockStatement(wrapperStatements(s, s.frame, info.site, [t.returnStatement(expr)], temps, s.typed, early));
          if (expr.loc) block.loc = expr.loc;
          node.body = s.gen(block);
          if (t.isArrowFunctionExpression(node)) node.expression = false;
        }
        return;
      }
      if (!t.isBlockStatement(node.body)) return;
      const extra: t.Statement[] = [];
      if (temps.length) extra.push(s.gen(varDeclaration(temps.map((n): [string, null] => [n, null]), s.typed)));
      if (early && node.generator) {
        extra.push(s.gen(t.expressionStatement(t.logicalExpression('||', s.runtime(), t.callExpression(t.identifier(early), [])))));
      }
      node.body.body.unshift(...extra);
    },
  },

  CallExpression: {
    enter(path, s) {
      noteNamingCall(s, path.node);
    },
    exit(path, s) {
      const node = path.node;
      const where = callPlace(path);
      let callee: t.Node = node.callee;
      while (t.isTSNonNullExpression(callee)) callee = callee.expression;
      if (!t.isMemberExpression(callee)) return rerouteCall(s, path, where);
      const name = keyText(callee.property, callee.computed);
      if (name === undefined) return rerouteCall(s, path, where);
      const obj = callee.object;
      const global = t.isIdentifier(obj) && isUnbound(path.scope, obj.name);
      if (METHODS.has(name) || (global && obj.name === 'Promise' && PROMISE_METHODS.has(name))) {
        if (s.typed) typeCallbackParams(node.arguments);
        const message = notFunctionMessage(callee, where.place, (n) => s.originalOf(n));
        const site = s.site(name, callee.property, path, message, false, suspends(node.arguments));
        // The global `Promise` is unbound: it gets a temporary (a global getter runs once).
        replaceNode(s, path, methodCallShape(s, path, site, callee.object, callee.property, callee.computed, s.callArguments(node), node));
        return;
      }
      if (global && obj.name === 'Array' && name === 'from') {
        const first = node.arguments[0];
        if (first && t.isExpression(first) && !neverCollection(first)) node.arguments[0] = wholeShape(s, iterSite(s, first, path, 'assignment'), first);
      }
      rerouteCall(s, path, where);
    },
  },

  'OptionalCallExpression|OptionalMemberExpression': {
    enter(path, s) {
      if (path.isOptionalCallExpression()) noteNamingCall(s, path.node);
    },
    exit(path, s) {
      const p = path as NodePath<t.OptionalCallExpression | t.OptionalMemberExpression>;
      if (!isChainTop(p)) return;
      const lowered = lowerChain(p, s);
      if (lowered) replaceNode(s, path, lowered);
    },
  },

  MemberExpression: {
    exit(path, s) {
      const node = path.node;
      if (keyText(node.property, node.computed) !== 'size' || isNotRead(path)) return;
      const site = s.site('size', node.property, path);
      replaceNode(s, path, sizeShape(s, path, site, node.object, node.property, node.computed, node));
    },
  },

  NewExpression: {
    exit(path, s) {
      const node = path.node;
      if (t.isIdentifier(node.callee) && COLLECTIONS.has(node.callee.name) && isUnbound(path.scope, node.callee.name)) {
        replaceNode(s, path, madeShape(s, s.site('new', node, path), node));
        return;
      }
      // V8's "X is not a constructor" would print the generated code: the callee is checked first
      // (at the operand of yield*, V8 prints no expression: `yield* (intermediate value) is not a constructor`).
      if (!t.isExpression(node.callee) || !showsGenerated(s, node.callee) || callPlace(path).place.endsWith('yield*')) return;
      const message = notConstructorMessage(s.originalOf(node.callee), (n) => s.originalOf(n));
      const site = s.site('construct', node.callee, path, message, false, suspends(node.arguments));
      node.callee = original(s, node.callee, constructShape(s, site, node.callee));
    },
  },

  ForOfStatement: {
    exit(path, s) {
      const node = path.node;
      if (node.await) {
        // for await also takes async iterables, which a Map or Set is not: untracked, but
        // checked where V8's "is not async iterable" would print generated code.
        const message = holdsGenerated(s, node.right) ? notAsyncIterableMessage(s.originalOf(node.right), (n) => s.originalOf(n)) : undefined;
        if (message !== undefined) node.right = original(s, node.right, iterAsyncShape(s, s.site('iterate-async', node.right, path, message), node.right));
        return;
      }
      if (!iteratedThroughRuntime(node.right)) return;
      node.right = original(s, node.right, iterShape(s, iterSite(s, node.right, path, 'for-of'), node.right));
    },
  },

  SpreadElement: {
    exit(path, s) {
      const parent = path.parent;
      if (!(t.isArrayExpression(parent) || t.isCallExpression(parent) || t.isOptionalCallExpression(parent) || t.isNewExpression(parent))) return;
      const node = path.node;
      if (neverCollection(node.argument) || (t.isArrayExpression(parent) && wordedByIteration(node.argument))) return;
      if (t.isArrayExpression(parent) && isOptionalChain(s, node.argument)) {
        // V8 places the TypeError of `[...a?.b]` at 1:1 of the file: an optional call of
        // iter() is still an optional chain spread, which V8 words and places the same way.
        node.argument = original(s, node.argument, iterShape(s, s.site('iterate', node.argument, path), node.argument, true));
        return;
      }
      const form = t.isArrayExpression(parent) ? 'array-spread' : 'call-spread';
      node.argument = original(s, node.argument, iterShape(s, iterSite(s, node.argument, path, form), node.argument));
    },
  },

  VariableDeclarator: {
    exit(path, s) {
      const node = path.node;
      if (!node.init) return;
      if (!t.isArrayPattern(node.id)) node.init = checkedDestructure(s, path, node.id, node.init);
      else if (iteratedThroughRuntime(node.init)) node.init = original(s, node.init, iterShape(s, iterSite(s, node.init, path, 'declaration'), node.init));
    },
  },

  AssignmentExpression: {
    exit(path, s) {
      const node = path.node;
      if (node.operator !== '=') return;
      if (t.isObjectPattern(node.left)) {
        node.right = checkedDestructure(s, path, node.left, node.right);
        return;
      }
      // The value of `[a, b] = E` is E itself: wrap only where that value is unused,
      // as the runtime may hand back a tracking wrapper.
      if (!t.isArrayPattern(node.left) || !isValueUnused(path) || !iteratedThroughRuntime(node.right)) return;
      node.right = original(s, node.right, iterShape(s, iterSite(s, node.right, path, 'assignment'), node.right));
    },
  },

  AssignmentPattern: {
    exit(path, s) {
      // V8 words the errors of a function's own parameter default apart (printing no expression): left as is.
      if (isParameterDefault(path)) return;
      const node = path.node;
      if (!t.isArrayPattern(node.left)) {
        node.right = checkedDestructure(s, path, node.left, node.right);
        return;
      }
      // An array pattern's default is iterated where it is; its "not iterable" message quotes it.
      if (!showsGenerated(s, node.right)) return;
      const message = notIterableMessage(s.originalOf(node.right), 'default', (n) => s.originalOf(n));
      if (message !== undefined) node.right = original(s, node.right, iterShape(s, s.site('iterate', node.right, path, message), node.right));
    },
  },

  YieldExpression: {
    exit(path, s) {
      const node = path.node;
      // In an async generator, yield* iterates asynchronously (Symbol.asyncIterator first): left untouched.
      const fn = path.getFunctionParent()?.node;
      if (fn && fn.async && node.delegate) return;
      // V8 words `yield* E` by value or as `yield* (intermediate value)`, depending on E (see notIterableMessage).
      // `yield* new C()` stays: a collection made there is the generator's alone, and V8 words a C
      // that is not a constructor by where the yield* is.
      if (node.delegate && node.argument && iteratedThroughRuntime(node.argument) && !t.isNewExpression(node.argument)) node.argument = original(s, node.argument, iterShape(s, iterSite(s, node.argument, path, 'yield*'), node.argument));
      // The generator suspends at a yield as an async function does at an await (one with a yield* is not wrapped).
      const frame = s.suspendingFrameAt(path);
      if (frame) replaceNode(s, path, yieldShape(s, frame, node));
    },
  },

  // Sloppy `with (obj)` puts obj on the scope chain of its body: our `_ar` and
  // temporaries would be looked up there (visible to a Proxy's `has` trap). Left untouched.
  WithStatement: {
    enter(path, s) {
      s.gen(path.node.body);
    },
  },

  StaticBlock: {
    exit(path, s) {
      const temps = s.tempsOf(path.node);
      if (temps.length) path.node.body.unshift(s.gen(varDeclaration(temps.map((n): [string, null] => [n, null]), s.typed)));
    },
  },

  AwaitExpression: {
    exit(path, s) {
      const frame = s.suspendingFrameAt(path);
      if (frame) replaceNode(s, path, awaitShape(s, frame, path.node));
    },
  },

  TryStatement: {
    exit(path, s) {
      const frame = s.suspendingFrameAt(path);
      if (!frame) return;
      const node = path.node;
      if (node.handler) node.handler.body.body.unshift(resumeStatement(s, frame));
      if (node.finalizer) node.finalizer.body.unshift(resumeStatement(s, frame));
    },
  },
};

/** What `programVisitor` returns: the two halves of a program's instrumentation. */
export interface ProgramVisitor {
  /** Instruments the program's code; returns false when it was instrumented already (nothing done). */
  enter(path: NodePath<t.Program>): boolean;
  /** Adds the prelude and the registration function. */
  exit(path: NodePath<t.Program>): void;
  readonly state: InstrumentState;
}

/**
 * Instruments one program (one traversal).
 *
 * @example
 * traverse(ast, {
 *   Program(path) {
 *     const v = programVisitor({ filename: '/app/a.js', code });
 *     if (v.enter(path)) v.exit(path);
 *     path.stop();
 *   },
 * });
 */
export function programVisitor(opts: VisitorOptions): ProgramVisitor {
  const state = new InstrumentState(opts);
  let active = false;
  return {
    state,
    enter(path) {
      if (opts.code.includes(INSTRUMENTED_MARKER)) return false;
      active = true;
      if (t.isFile(path.parent)) state.noteComments(path.parent.comments);
      path.traverse(instrumentVisitor, state);
      return true;
    },
    exit(path) {
      if (!active) return;
      active = false;
      const node = path.node;
      const temps = state.tempsOf(node);
      const prelude = preludeStatements(state.names, temps, state.typed).map((n) => state.gen(n));
      const init = initStatements(state.names, state.meta(), state.typed).map((n) => state.gen(n));
      const first = node.body[0];
      // Comments above the first statement (pragmas such as `// @ts-nocheck`, `/** @jsx h */`) stay first.
      if (first?.leadingComments?.length) {
        prelude[0]!.leadingComments = first.leadingComments;
        first.leadingComments = [];
      }
      node.body.unshift(...prelude);
      // The registration goes on a line of its own after the user's last line, so an
      // error on that line shows the user's code, not the site table.
      const after = (path.parent.loc?.end.line ?? node.loc?.end.line ?? 0) + 1;
      for (const n of init) n.loc = { start: { line: after, column: 0, index: 0 }, end: { line: after, column: 0, index: 0 }, filename: '', identifierName: undefined };
      node.body.push(...init);
    },
  };
}
