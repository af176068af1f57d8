/**
 * Where an expression's value goes, for the TypeErrors V8 words by it: a call
 * whose value an iteration takes directly (`for (x of o.f())`) is "not a
 * function or its return value is not iterable" when `o.f` is not callable,
 * and the rewriting must know it, since a call routed through the runtime no
 * longer sits where V8 would look.
 */
import * as t from '@babel/types';
import type { NodePath } from '@babel/traverse';
import type { CallPlace } from './v8-text';

/** Where a call's value goes, and whether the visitor hands that value to `_ar.iter` (V8 then sees the call as an argument). */
export interface Place {
  place: CallPlace;
  wrapped: boolean;
}

const CALL: Place = { place: 'call', wrapped: false };

/** Type-only and parenthesis wrappers: V8 sees the expression inside (after a TypeScript compiler strips them). */
function isTransparent(path: NodePath): boolean {
  return path.isTSAsExpression() || path.isTSSatisfiesExpression() || path.isTSNonNullExpression() || path.isTSTypeAssertion() || path.isParenthesizedExpression();
}

/** An expression whose value nobody reads: an expression statement, a `for` head's init or update. */
export function isValueUnused(path: NodePath): boolean {
  const p = path.parentPath;
  if (!p) return false;
  if (p.isExpressionStatement()) return true;
  return p.isForStatement() && (path.key === 'init' || path.key === 'update');
}

/**
 * A default in a function's own parameter list (`function f([a] = x)`): V8
 * words a call there as a plain call, and prints any value destructured there
 * as `(intermediate value)` three times, whatever it is.
 */
export function isParameterDefault(path: NodePath<t.AssignmentPattern>): boolean {
  return path.listKey === 'params' && !!path.parentPath?.isFunction();
}

/**
 * The place of the call at `path` (a CallExpression, not an optional chain:
 * V8 never sees a chain where an iteration looks for it). The conditions for
 * `wrapped` are those under which the visitor's iteration handlers rewrite the
 * operand into `_ar.iter(S, E)`.
 *
 * @example
 *   // for (const x of o.f()) ...   -> { place: 'iterated', wrapped: true }
 *   // let a; log([a] = o.f())      -> { place: 'iterated', wrapped: false }
 *   // for await (x of o.f()) ...   -> { place: 'async-iterated', wrapped: false }
 */
export function callPlace(path: NodePath): Place {
  let child: NodePath = path;
  let p = path.parentPath;
  while (p && isTransparent(p)) {
    child = p;
    p = p.parentPath;
  }
  if (!p) return CALL;
  const key = child.key;
  if (p.isForOfStatement() && key === 'right') return p.node.await ? { place: 'async-iterated', wrapped: false } : { place: 'iterated', wrapped: true };
  if (p.isSpreadElement() && p.parentPath?.isArrayExpression()) return { place: 'iterated', wrapped: true };
  if (p.isVariableDeclarator() && key === 'init' && t.isArrayPattern(p.node.id)) return { place: 'iterated', wrapped: true };
  if (p.isAssignmentExpression() && key === 'right' && p.node.operator === '=' && t.isArrayPattern(p.node.left)) {
    return { place: 'iterated', wrapped: isValueUnused(p) };
  }
  if (p.isAssignmentPattern() && key === 'right' && t.isArrayPattern(p.node.left) && !isParameterDefault(p)) return { place: 'iterated', wrapped: false };
  if (p.isYieldExpression() && p.node.delegate) {
    const async = !!p.getFunctionParent()?.node.async;
    return async ? { place: 'async-yield*', wrapped: false } : { place: 'yield*', wrapped: true };
  }
  return CALL;
}

/** Whether evaluating `nodes` can suspend (an await or yield outside nested functions). */
export function suspends(nodes: ReadonlyArray<t.Node>): boolean {
  let found = false;
  const visit = (n: t.Node): void => {
    if (found) return;
    if (t.isAwaitExpression(n) || t.isYieldExpression(n)) {
      found = true;
      return;
    }
    if (t.isFunction(n) || t.isClass(n)) return;
    for (const k of t.VISITOR_KEYS[n.type] ?? []) {
      const v = (n as unknown as Record<string, unknown>)[k];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c === 'object' && 'type' in c) visit(c as t.Node);
      } else if (v && typeof v === 'object' && 'type' in v) {
        visit(v as t.Node);
      }
    }
  };
  for (const n of nodes) visit(n);
  return found;
}
