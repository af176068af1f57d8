/**
 * Names of functions as V8 prints them in stack frames, computed statically for
 * the site table: `getUser`, `Cache.get`, `new Cache`, `get size`,
 * `<instance_members_initializer>`, `exports.load`; `''` for anonymous code and
 * the module top level.
 */
import * as t from '@babel/types';
import type { NodePath } from '@babel/traverse';

/**
 * The text of a property key, or '' when it is computed from an expression.
 *
 * @example
 * keyName(t.identifier('get'), false) // 'get'
 * keyName(t.privateName(t.identifier('m')), false) // '#m'
 */
export function keyName(key: t.Node, computed: boolean): string {
  if (t.isIdentifier(key) && !computed) return key.name;
  if (t.isStringLiteral(key)) return key.value;
  if (t.isNumericLiteral(key)) return String(key.value);
  if (t.isPrivateName(key)) return `#${key.id.name}`;
  return '';
}

/** `a.b.c` for a member chain of plain identifiers, else ''. */
function memberText(node: t.Node): string {
  if (t.isIdentifier(node)) return node.name;
  if (t.isThisExpression(node)) return 'this';
  if (t.isMemberExpression(node) && !node.computed && t.isIdentifier(node.property)) {
    const left = memberText(node.object);
    return left ? `${left}.${node.property.name}` : '';
  }
  return '';
}

/** Skips type-only and parenthesis wrappers upward (`(x as T)`, `x!`). */
function transparentParent(path: NodePath): NodePath | null {
  let p = path.parentPath;
  while (p && (p.isTSAsExpression() || p.isTSSatisfiesExpression() || p.isTSNonNullExpression() || p.isTSTypeAssertion() || p.isParenthesizedExpression())) {
    p = p.parentPath;
  }
  return p;
}

/**
 * The name V8 infers for an anonymous function or class from where it is
 * written: `const f = () => {}` gives `f`, `exports.f = function () {}` gives
 * `exports.f`, `{ f: () => {} }` gives `f`.
 */
function inferredName(path: NodePath): string {
  const p = transparentParent(path);
  if (!p) return '';
  const node = p.node;
  if (t.isVariableDeclarator(node) && t.isIdentifier(node.id)) return node.id.name;
  if (t.isAssignmentExpression(node)) return memberText(node.left);
  if (t.isAssignmentPattern(node) && t.isIdentifier(node.left)) return node.left.name;
  if (t.isObjectProperty(node)) return keyName(node.key, node.computed);
  if (t.isClassProperty(node) || t.isClassPrivateProperty(node) || t.isClassAccessorProperty(node)) {
    const key = keyName(node.key, 'computed' in node ? !!node.computed : false);
    const cls = p.parentPath?.parentPath ? className(p.parentPath.parentPath) : '';
    return cls && key ? `${cls}.${key}` : key;
  }
  if (t.isExportDefaultDeclaration(node)) return 'default';
  return '';
}

/**
 * The name of a class declaration or expression (inferred when anonymous).
 *
 * @example
 * // class Cache {}            -> 'Cache'
 * // const Store = class {}    -> 'Store'
 */
export function className(path: NodePath): string {
  const node = path.node;
  if ((t.isClassDeclaration(node) || t.isClassExpression(node)) && node.id) return node.id.name;
  if (t.isClassExpression(node)) return inferredName(path);
  return '';
}

/**
 * The stack-frame name of a function.
 *
 * @example
 * // class Cache { get(k) {} }      -> 'Cache.get'
 * // class Cache { constructor() {} } -> 'new Cache'
 * // const load = async () => {}      -> 'load'
 */
export function functionName(path: NodePath<t.Function>): string {
  const node = path.node;
  if (t.isClassMethod(node) || t.isClassPrivateMethod(node)) {
    const cls = path.parentPath?.parentPath ? className(path.parentPath.parentPath) : '';
    const key = keyName(node.key, t.isClassMethod(node) ? node.computed : false);
    if (node.kind === 'constructor') return `new ${cls || '<anonymous>'}`;
    if (node.kind === 'get' || node.kind === 'set') return `${node.kind} ${key}`;
    return cls && key ? `${cls}.${key}` : key;
  }
  if (t.isObjectMethod(node)) {
    const key = keyName(node.key, node.computed);
    return node.kind === 'get' || node.kind === 'set' ? `${node.kind} ${key}` : key;
  }
  if ((t.isFunctionDeclaration(node) || t.isFunctionExpression(node)) && node.id) return node.id.name;
  return inferredName(path);
}

/** Where code runs, for naming: a function, a class field initializer, or the module. */
export type Owner =
  | { kind: 'function'; path: NodePath<t.Function> }
  | { kind: 'initializer'; name: string }
  | { kind: 'module' };

/**
 * The code unit that executes `path`: the closest function, or a class field
 * initializer / static block (which V8 runs as their own synthetic functions),
 * or the module. Computed class keys count as part of their field (a rare
 * imprecision).
 *
 * @example
 * // class A { f = m.get(1) }  -> { kind: 'initializer', name: '<instance_members_initializer>' }
 */
export function ownerOf(path: NodePath): Owner {
  let child: NodePath = path;
  let p = path.parentPath;
  while (p) {
    if (p.isFunction()) return { kind: 'function', path: p };
    if ((p.isClassProperty() || p.isClassPrivateProperty() || p.isClassAccessorProperty()) && child.key === 'value') {
      return { kind: 'initializer', name: p.node.static ? '<static_initializer>' : '<instance_members_initializer>' };
    }
    if (p.isStaticBlock()) return { kind: 'initializer', name: '<static_initializer>' };
    child = p;
    p = p.parentPath;
  }
  return { kind: 'module' };
}
