/**
 * Names V8 gives anonymous functions, kept as they were. V8's parser names an
 * anonymous function (for stack frames only: `.name` stays '') when it parses
 * the next thing that names things, an assignment or an object literal's key,
 * after the names it has seen since (`m.forEach((v) => {...}, { tag })` runs
 * as `m.forEach.tag`); the end of a call makes it forget the last waiting
 * function. Generated code changes both: its callee is not the user's, and its
 * assignments to temporaries name waiting functions after them (`outer._f`).
 * Both are put back with code that is parsed but never runs.
 */
import * as t from '@babel/types';
import type { NodePath } from '@babel/traverse';

/** An anonymous function or class expression (through parentheses and type-only wrappers), which V8 names from where it is written. */
export function isAnonymousFunction(node: t.Node): boolean {
  let n = node;
  while (t.isTSAsExpression(n) || t.isTSSatisfiesExpression(n) || t.isTSNonNullExpression(n) || t.isTSTypeAssertion(n) || t.isParenthesizedExpression(n)) n = n.expression;
  return t.isArrowFunctionExpression(n) || ((t.isFunctionExpression(n) || t.isClassExpression(n)) && !n.id);
}

/** An argument whose parsing names nothing: a name, a literal, `this`. */
function isInert(node: t.Node): boolean {
  return t.isIdentifier(node) || t.isThisExpression(node) || (t.isLiteral(node) && !t.isTemplateLiteral(node));
}

/** An argument that leaves an anonymous function waiting to be named: the function, or an array literal holding one (`.apply(o, [cb, x])`). */
function leavesPending(node: t.Node): boolean {
  return isAnonymousFunction(node) || (t.isArrayExpression(node) && node.elements.some((e) => !!e && isAnonymousFunction(e)));
}

/** Whether the argument at `i` is one V8 may name a waiting function from: at or after the first that leaves one waiting, neither inert nor a function itself. */
function mayName(args: t.Node[], i: number, first: number): boolean {
  const a = args[i]!;
  return first >= 0 && i >= first && !isInert(a) && !isAnonymousFunction(a);
}

/** Whether V8 may name an anonymous function argument of `call` after its callee: a later argument (or element) names things. */
export function namesLaterArguments(call: t.CallExpression | t.OptionalCallExpression): boolean {
  const first = call.arguments.findIndex(leavesPending);
  return call.arguments.some((_, i) => mayName(call.arguments, i, first));
}

const zero = (): t.Expression => t.numericLiteral(0);

/**
 * An expression that leaves on V8's name stack what `callee` leaves, without
 * calls (their end would make V8 forget a waiting function), assignments or
 * functions: calls become their callee, parenthesised parts (whose names V8
 * drops at the closing parenthesis) and computed keys other than literals
 * become `0`. Only parsed, never run.
 *
 * @example
 *   nameSkeleton(parseExpression('(h.pick(1) || im).forEach')) // 0.forEach
 *   nameSkeleton(parseExpression('mm.get(2).forEach'))         // mm.get.forEach
 */
export function nameSkeleton(callee: t.Node): t.Expression | t.Super {
  const node = callee;
  if (node.extra?.parenthesized) return zero();
  if (t.isTSAsExpression(node) || t.isTSSatisfiesExpression(node) || t.isTSNonNullExpression(node) || t.isTSTypeAssertion(node)) return nameSkeleton(node.expression);
  if (t.isIdentifier(node) || t.isThisExpression(node) || t.isSuper(node)) return t.cloneNode(node, false, true);
  if (t.isStringLiteral(node) || t.isNumericLiteral(node) || t.isBooleanLiteral(node) || t.isNullLiteral(node)) return t.cloneNode(node, false, true);
  if (t.isCallExpression(node) || t.isOptionalCallExpression(node) || t.isNewExpression(node)) {
    return t.isExpression(node.callee) || t.isSuper(node.callee) ? nameSkeleton(node.callee) : zero();
  }
  if (t.isTaggedTemplateExpression(node)) return nameSkeleton(node.tag);
  if (t.isMemberExpression(node) || t.isOptionalMemberExpression(node)) {
    const object = nameSkeleton(node.object);
    const p = node.property;
    // V8 takes no name from a computed key right after a call (`f()[k]`, `f()['k']`) or in an optional chain (`a?.['k']`).
    const afterCall = t.isCallExpression(node.object) || t.isOptionalCallExpression(node.object);
    if (node.computed && (afterCall || t.isOptionalMemberExpression(node))) return object;
    const literalKey = !node.computed || t.isStringLiteral(p) || t.isNumericLiteral(p);
    return t.memberExpression(object, literalKey ? t.cloneNode(p, false, true) : zero(), node.computed);
  }
  return zero();
}

/**
 * The arguments of a call shape whose call `namesLaterArguments`: each
 * argument from the first that leaves an anonymous function waiting on that
 * could name it, E, becomes
 * `0 && <skeleton> || E`, so V8 sees the callee's names before E, as in the
 * original call, and E runs as before.
 */
export function withInferredNames<A extends t.Node>(args: A[], skeleton: t.Expression | t.Super, gen: <T extends t.Node>(node: T) => T): Array<A | t.Expression | t.SpreadElement> {
  const first = args.findIndex(leavesPending);
  const named = (e: t.Expression): t.Expression => {
    // A bare `super` cannot stand alone: a skeleton ending in it names nothing more than `0`.
    const names = t.isSuper(skeleton) ? zero() : t.cloneNode(skeleton, true, true);
    return gen(t.logicalExpression('||', gen(t.logicalExpression('&&', zero(), names)), e));
  };
  return args.map((a, i) => {
    if (!mayName(args, i, first)) return a;
    if (t.isSpreadElement(a)) return t.spreadElement(named(a.argument));
    return t.isExpression(a) ? named(a) : a;
  });
}

/**
 * Whether an anonymous function written before `path` in an enclosing list
 * (call arguments, array elements, a comma expression) may still wait for V8
 * to name it when `path` is parsed.
 *
 * @example
 *   // arr.reduce((a, x) => a + x, m.get(k))  -> true for the path of `m.get(k)`
 */
export function followsPendingFunction(path: NodePath): boolean {
  let child: NodePath = path;
  let p = path.parentPath;
  while (p && !p.isStatement() && !p.isFunction() && !p.isClass()) {
    const list = child.container;
    if (Array.isArray(list) && typeof child.key === 'number' && (p.isCallExpression() || p.isNewExpression() || p.isOptionalCallExpression() || p.isArrayExpression() || p.isSequenceExpression())) {
      if ((list as Array<t.Node | null>).slice(0, child.key).some((n) => !!n && isAnonymousFunction(n))) return true;
    }
    child = p;
    p = p.parentPath;
  }
  return false;
}
