/**
 * Builders for the generated code shapes of src/runtime/api.ts. Each returns a
 * fresh node marked as generated (the visitor never instruments it again).
 *
 * Generated nodes carry a location only where it helps the output source map
 * and cannot move code across lines: a copy of the start of the node they
 * replace (so the generated call maps back to the original expression), and, on
 * the method identifier `c1`, the position of the original method name when it
 * is on the same line (V8 puts a call's stack position on that identifier).
 */
import * as t from '@babel/types';
import type { Scope } from '@babel/traverse';

/** What the builders need from the instrumentation state. */
export interface Emitter {
  /** Marks a node as generated and returns it. */
  gen<T extends t.Node>(node: T): T;
  /** A reference to the runtime object (`_ar`). */
  runtime(): t.Identifier;
  /** The site id expression `_arS + index`. */
  siteRef(index: number): t.Expression;
  /** A reference to the shared receiver temporary (`_o`). */
  receiverTemp(): t.Identifier;
  /** True for identifiers the instrumentation declared itself. */
  isTemp(name: string): boolean;
}

type Arg = t.CallExpression['arguments'][number];

/** A location that starts where `from` starts (and ends there too, so it never pulls later code up). */
function startOf(from: t.Node | null | undefined): t.SourceLocation | null {
  const loc = from?.loc;
  if (!loc) return null;
  return { start: loc.start, end: loc.start, filename: loc.filename, identifierName: undefined } as t.SourceLocation;
}

function withLoc<T extends t.Node>(node: T, from: t.Node | null | undefined): T {
  const loc = startOf(from);
  if (loc) node.loc = loc;
  return node;
}

/** A copy of a node without locations, for a second use of a receiver. */
export function reuse<T extends t.Node>(node: T): T {
  return t.cloneNode(node, true, true);
}

/** `this`, a bound identifier or one of our temporaries: reading it twice is the same as once. */
export function isSimple(node: t.Node, scope: Scope, e: Emitter): boolean {
  if (t.isThisExpression(node)) return true;
  if (t.isIdentifier(node)) return e.isTemp(node.name) || !!scope.getBinding(node.name);
  return false;
}

/** `_ar.<name>` with the identifier `name` placed at `nameLoc` (when on the line of `callLoc`). */
function runtimeMember(e: Emitter, name: string, callLoc?: t.Node | null, nameLoc?: t.Node | null): t.MemberExpression {
  const id = t.identifier(name);
  if (nameLoc?.loc && callLoc?.loc && nameLoc.loc.start.line === callLoc.loc.start.line) withLoc(id, nameLoc);
  return t.memberExpression(e.runtime(), id);
}

/**
 * `_ar.cK(S, recv, fn, ...args)` for K = 0, 1, 2 plain arguments, else
 * `_ar.cn(S, recv, fn, [args])` (spreads kept inside the array literal).
 */
export function callShape(
  e: Emitter,
  site: number,
  recv: t.Expression,
  fn: t.Expression,
  args: Arg[],
  from: t.Node,
  methodName: t.Node | null,
): t.CallExpression {
  const plain = args.length <= 2 && args.every((a) => t.isExpression(a));
  const rest = plain
    ? (args as t.Expression[])
    : [t.arrayExpression(args.map((a) => (t.isSpreadElement(a) || t.isExpression(a) ? a : (t.identifier('undefined') as t.Expression))))];
  const name = plain ? `c${args.length}` : 'cn';
  return e.gen(withLoc(t.callExpression(runtimeMember(e, name, from, methodName), [e.siteRef(site), recv, fn, ...rest]), from));
}

/** How a member's receiver is passed: evaluated once, `this` for `super`. */
export interface Receiver {
  /** The receiver argument (`_o = R`, `R`, or `this`). */
  arg: t.Expression;
  /** The object to look the member up on (`_o`, `R`, or `super`). */
  lookup: t.Expression | t.Super;
}

/** Chooses the receiver form for `R.m`: no temporary for `this`, bound identifiers and our temps. */
export function receiver(e: Emitter, object: t.Expression | t.Super, scope: Scope): Receiver {
  if (t.isSuper(object)) return { arg: t.thisExpression(), lookup: object };
  if (isSimple(object, scope, e)) return { arg: object, lookup: reuse(object) };
  return { arg: t.assignmentExpression('=', e.receiverTemp(), object), lookup: e.receiverTemp() };
}

/** `lookup.prop` (or `lookup[prop]`), reusing the original property node. */
export function member(lookup: t.Expression | t.Super, property: t.Expression | t.PrivateName, computed: boolean): t.MemberExpression {
  return t.memberExpression(lookup, property, computed);
}

/**
 * `R.m(args)` -> `_ar.cK(S, _o = R, _o.m, args)`; `super.m(k)` -> `_ar.c1(S, this, super.m, k)`.
 */
export function methodCallShape(
  e: Emitter,
  scope: Scope,
  site: number,
  object: t.Expression | t.Super,
  property: t.Expression | t.PrivateName,
  computed: boolean,
  args: Arg[],
  from: t.Node,
): t.CallExpression {
  const r = receiver(e, object, scope);
  return callShape(e, site, r.arg, member(r.lookup, property, computed), args, from, property);
}

/** `R.size` -> `_ar.size(S, _o = R, _o.size)`. */
export function sizeShape(
  e: Emitter,
  scope: Scope,
  site: number,
  object: t.Expression | t.Super,
  property: t.Expression | t.PrivateName,
  computed: boolean,
  from: t.Node,
): t.CallExpression {
  const r = receiver(e, object, scope);
  const call = t.callExpression(runtimeMember(e, 'size', from, property), [e.siteRef(site), r.arg, member(r.lookup, property, computed)]);
  return e.gen(withLoc(call, from));
}

/** `E` -> `_ar.iter(S, E)`. */
export function iterShape(e: Emitter, site: number, iterable: t.Expression): t.CallExpression {
  return e.gen(withLoc(t.callExpression(runtimeMember(e, 'iter'), [e.siteRef(site), iterable]), iterable));
}

/** `new Map(a)` -> `_ar.made(S, new Map(a))`. */
export function madeShape(e: Emitter, site: number, created: t.NewExpression): t.CallExpression {
  return e.gen(withLoc(t.callExpression(runtimeMember(e, 'made'), [e.siteRef(site), e.gen(created)]), created));
}

/** `await X` -> `_ar.res(await _ar.sus(X, _arc), _arc)`. */
export function awaitShape(e: Emitter, frame: string, node: t.AwaitExpression): t.CallExpression {
  const sus = t.callExpression(runtimeMember(e, 'sus'), [node.argument, t.identifier(frame)]);
  const awaited = e.gen(withLoc(t.awaitExpression(sus), node));
  return e.gen(withLoc(t.callExpression(runtimeMember(e, 'res'), [awaited, t.identifier(frame)]), node));
}

/** `_ar.res(0, _arc);` at the start of a catch or finally block. */
export function resumeStatement(e: Emitter, frame: string): t.ExpressionStatement {
  return e.gen(t.expressionStatement(t.callExpression(runtimeMember(e, 'res'), [t.numericLiteral(0), t.identifier(frame)])));
}

/** A `var` declarator list, with `: any` annotations in TypeScript output. */
export function varDeclaration(declarators: Array<[string, t.Expression | null]>, typed: boolean): t.VariableDeclaration {
  return t.variableDeclaration(
    'var',
    declarators.map(([name, init]) => {
      const id = t.identifier(name);
      if (typed) id.typeAnnotation = t.tsTypeAnnotation(t.tsAnyKeyword());
      return t.variableDeclarator(id, init);
    }),
  );
}

/**
 * The shadow-stack wrapper of a function body:
 * `var _arc = _ar.push(S), ...temps; try { BODY } finally { _ar.pop(_arc) }`.
 * `early` makes the runtime lookup `(_ar || _arI())`, for hoisted module-level
 * declarations that an import cycle can call before the prelude ran.
 */
export function wrapperStatements(
  e: Emitter,
  frame: string,
  site: number,
  body: t.Statement[],
  temps: string[],
  typed: boolean,
  early: string | null,
): t.Statement[] {
  const rt: t.Expression = early ? t.logicalExpression('||', e.runtime(), t.callExpression(t.identifier(early), [])) : e.runtime();
  const push = t.callExpression(t.memberExpression(rt, t.identifier('push')), [e.siteRef(site)]);
  const decl = e.gen(varDeclaration([[frame, push], ...temps.map((n): [string, null] => [n, null])], typed));
  const pop = t.expressionStatement(t.callExpression(t.memberExpression(e.runtime(), t.identifier('pop')), [t.identifier(frame)]));
  const tryStatement = e.gen(t.tryStatement(t.blockStatement(body), null, t.blockStatement([pop])));
  return [decl, tryStatement];
}
