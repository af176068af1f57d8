/**
 * Expressions as V8 prints them in TypeError messages ("m.get is not a
 * function", "obj is not iterable"). Instrumented code replaces the
 * expression V8 would have printed with a runtime call, so the runtime throws
 * these messages itself; the text is computed here, once, at instrumentation.
 */
import * as t from '@babel/types';

const INTERMEDIATE = '(intermediate value)';

const FOLDED: Partial<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '**': (a, b) => a ** b,
};

/** Whether this V8 folds string literal concatenation (`"a" + ""`) before printing: newer ones do. Asked once, of V8 itself. */
const FOLDS_STRINGS = ((): boolean => {
  const probe: Record<string, unknown> = { a: {} };
  try {
    // Written as a literal concatenation on purpose: that is what V8 may fold.
    (probe['a' + ''] as { get(): void }).get();
  } catch (err) {
    return (err as Error).message.startsWith('probe.a.get ');
  }
  return false;
})();

/** The string a `"a" + "b"` expression folds to, where V8 folds it. */
function folded(node: t.Node): string | undefined {
  if (t.isStringLiteral(node)) return node.value;
  if (!FOLDS_STRINGS || !t.isBinaryExpression(node) || node.operator !== '+') return undefined;
  const l = folded(node.left);
  const r = l === undefined ? undefined : folded(node.right);
  return l === undefined || r === undefined ? undefined : l + r;
}

/** Maps a node the instrumentation generated back to the user's node it replaced. */
export type Resolve = (node: t.Node) => t.Node;
const same: Resolve = (n) => n;

function unwrap(node: t.Node, resolve: Resolve): t.Node {
  node = resolve(node);
  while (
    t.isTSNonNullExpression(node) ||
    t.isTSAsExpression(node) ||
    t.isTSSatisfiesExpression(node) ||
    t.isTSTypeAssertion(node) ||
    t.isParenthesizedExpression(node)
  ) {
    node = resolve(node.expression);
  }
  return node;
}

/** How V8 prints a member's key: `.name`, `[0]`, `[key]`, `[#priv]`. */
function key(node: t.MemberExpression | t.OptionalMemberExpression, compound: boolean, resolve: Resolve): string | undefined {
  const p = node.property;
  if (t.isPrivateName(p)) return `[#${p.id.name}]`;
  if (!node.computed && t.isIdentifier(p)) return `.${p.name}`;
  const str = folded(p);
  if (str !== undefined) return `.${str}`;
  if (t.isTemplateLiteral(p) && p.expressions.length === 0) return `.${p.quasis[0]!.value.cooked ?? ''}`;
  const inner = print(p, compound, resolve);
  return inner === undefined ? undefined : `[${inner}]`;
}

/**
 * The text V8 prints for `node`, or undefined where it prints
 * `(intermediate value)` (or, for an iterable, words the message by value).
 * `compound`: whether operators, sequences and conditionals are printed
 * (they are in callee messages, not in iteration messages).
 */
export function print(node: t.Node, compound = true, resolve: Resolve = same): string | undefined {
  node = unwrap(node, resolve);
  if (t.isIdentifier(node)) return node.name;
  if (t.isThisExpression(node)) return 'this';
  const str = folded(node);
  if (str !== undefined) return `"${str}"`;
  if (t.isNumericLiteral(node)) return String(node.value);
  if (t.isBooleanLiteral(node)) return String(node.value);
  if (t.isNullLiteral(node)) return 'null';
  if (t.isRegExpLiteral(node)) return `/${node.pattern}/${node.flags}`;
  if (t.isTemplateLiteral(node)) {
    // V8 prints a template with substitutions as its substitutions, run together.
    if (node.expressions.length === 0) return `"${node.quasis[0]!.value.cooked ?? ''}"`;
    return node.expressions.map((e) => print(e, compound, resolve) ?? INTERMEDIATE).join('');
  }
  if (t.isTaggedTemplateExpression(node)) return `${print(node.tag, compound, resolve) ?? INTERMEDIATE}(...)`;
  if (t.isAssignmentExpression(node)) return print(node.left, compound, resolve);
  if (t.isArrayExpression(node)) {
    const parts = node.elements.map((e) => (e === null ? '' : t.isSpreadElement(e) ? `(...${print(e.argument, compound, resolve) ?? INTERMEDIATE})` : print(e, compound, resolve) ?? INTERMEDIATE));
    return `[${parts.join(',')}]`;
  }
  if (t.isObjectExpression(node)) return `{${INTERMEDIATE.repeat(node.properties.length)}}`;
  if (t.isMemberExpression(node) || t.isOptionalMemberExpression(node)) {
    const obj = print(node.object, compound, resolve) ?? INTERMEDIATE;
    const k = key(node, compound, resolve);
    if (k === undefined) return undefined;
    return node.optional ? `${obj}?${k.startsWith('.') ? k : `.${k}`}` : `${obj}${k}`;
  }
  if (t.isCallExpression(node) || t.isOptionalCallExpression(node)) return `${print(node.callee, compound, resolve) ?? INTERMEDIATE}(...)`;
  if (t.isUnaryExpression(node)) {
    if (node.operator === '-' && t.isNumericLiteral(node.argument)) return `-${node.argument.value}`;
    if (!compound) return undefined;
    const space = node.operator === 'typeof' || node.operator === 'void' || node.operator === 'delete' ? ' ' : '';
    return `(${node.operator}${space}${print(node.argument, compound, resolve) ?? INTERMEDIATE})`;
  }
  if (!compound) return undefined;
  if (t.isBinaryExpression(node) && t.isNumericLiteral(node.left) && t.isNumericLiteral(node.right) && FOLDED[node.operator]) {
    // V8's parser folds arithmetic on number literals.
    return String(FOLDED[node.operator]!(node.left.value, node.right.value));
  }
  if (t.isBinaryExpression(node) || t.isLogicalExpression(node)) {
    return `(${print(node.left, compound, resolve) ?? INTERMEDIATE} ${node.operator} ${print(node.right, compound, resolve) ?? INTERMEDIATE})`;
  }
  if (t.isUpdateExpression(node)) {
    const arg = print(node.argument, compound, resolve) ?? INTERMEDIATE;
    return node.prefix ? `(${node.operator}${arg})` : `(${arg}${node.operator})`;
  }
  if (t.isSequenceExpression(node)) return `(${node.expressions.map((e) => print(e, compound, resolve) ?? INTERMEDIATE).join(' , ')})`;
  if (t.isConditionalExpression(node)) return INTERMEDIATE.repeat(3);
  return undefined;
}

/**
 * The callee of a call as V8's "is not a function" message prints it.
 *
 * @example
 *   calleeText(parseExpression('this.cache.get')) // 'this.cache.get'
 *   calleeText(parseExpression('[1, 2].has'))      // '[1,2].has'
 */
export function calleeText(node: t.Node, resolve: Resolve = same): string {
  return print(node, true, resolve) ?? INTERMEDIATE;
}

/** An iterable as V8's "is not iterable" messages print it, or undefined where V8 words them by value. */
export function iterableText(node: t.Node, resolve: Resolve = same): string | undefined {
  return print(node, false, resolve);
}
