/**
 * Optional chains that contain an instrumentable link (`m?.get(k)`,
 * `m.get?.(k)`, `a?.b.size`) are lowered to conditional expressions, so the
 * instrumented link can take its generated shape while the chain keeps its
 * short-circuit semantics:
 *
 *   this.m?.get(k)?.x
 *   -> (_t = this.m) == null ? void 0 : (_t2 = (_f = _t.get, _ar.t(S, _t, _f))(_f, _t, k)) == null ? void 0 : _t2.x
 *
 * Every intermediate value is evaluated once, in the original order; method
 * calls keep their `this`. Chains without an instrumentable link stay
 * untouched. An optional call of a member looks the method up once, tests
 * it, and takes the call shape whatever its name (a lowered `_t2.call(_t, ...)`
 * would name `_t2.call` in V8's "is not a function"):
 * `m.get?.(k)` -> `(_t = m.get) == null ? void 0 : (_ar.t(S, m, _t))(_t, m, k)`.
 */
import * as t from '@babel/types';
import type { NodePath, Scope } from '@babel/traverse';
import { assignTemp, callShape, isSimple, isStable, member, methodCallShape, plainCallShape, reuse, sizeShape, type Emitter } from './shapes';
import { suspends } from './places';
import { calleeText, notFunctionMessage } from './v8-text';

/** Method names whose calls are instrumented (api.ts). */
export const METHODS: ReadonlySet<string> = new Set(['get', 'set', 'has', 'delete', 'clear', 'add', 'forEach', 'keys', 'values', 'entries']);

/** What chain lowering needs beyond the shape builders. */
export interface ChainEmitter extends Emitter {
  /** A fresh temporary declared in the function (or module) that runs `path`. */
  temp(path: NodePath): t.Identifier;
  /**
   * Registers a site for `node` (its position), with V8's message for its
   * TypeError, and returns its index; `argsSuspend`: a call whose arguments
   * can suspend (await, yield).
   */
  site(what: string, node: t.Node, path: NodePath, message?: string, nullishOnly?: boolean, argsSuspend?: boolean): number;
  /** The user's node that a generated node replaced. */
  originalOf(node: t.Node): t.Node;
  /** The arguments of `call` for a generated call, keeping the names V8 infers from them (inferred-names.ts). */
  callArguments(call: t.OptionalCallExpression): t.OptionalCallExpression['arguments'];
  /** Whether callArguments changed the arguments of `call` (its callee must then push no names of its own). */
  namesArguments(call: t.OptionalCallExpression): boolean;
}

/**
 * The name of a member's property when it is an identifier or a string literal, else undefined.
 *
 * @example
 * propertyName(parseExpression("m['get']")) // 'get'
 */
export function propertyName(node: t.MemberExpression | t.OptionalMemberExpression): string | undefined {
  return keyText(node.property, node.computed);
}

/**
 * `get` for `.get` and `['get']`; undefined for private names and other computed keys.
 *
 * @example
 * keyText(t.stringLiteral('size'), true) // 'size'
 */
export function keyText(property: t.Node, computed: boolean): string | undefined {
  if (!computed && t.isIdentifier(property)) return property.name;
  if (computed && t.isStringLiteral(property)) return property.value;
  return undefined;
}

type ChainNode = t.OptionalMemberExpression | t.OptionalCallExpression;

function isChainNode(node: t.Node): node is ChainNode {
  return t.isOptionalMemberExpression(node) || t.isOptionalCallExpression(node);
}

/** A `!` inside a chain: `a?.b!.c`. */
function isChainNonNull(node: t.Node): boolean {
  return t.isTSNonNullExpression(node) && (isChainNode(node.expression) || isChainNonNull(node.expression));
}

/**
 * True when `path` (an optional chain node) is the outermost node of its chain.
 *
 * @example
 * // in `a?.b.c`, true for the node of `a?.b.c`, false for `a?.b`
 */
export function isChainTop(path: NodePath<ChainNode>): boolean {
  let child: t.Node = path.node;
  let p = path.parentPath;
  while (p && p.isTSNonNullExpression()) {
    child = p.node;
    p = p.parentPath;
  }
  if (!p) return true;
  if (p.isOptionalMemberExpression() && p.node.object === child) return false;
  if (p.isOptionalCallExpression() && p.node.callee === child) return false;
  return true;
}

type Link =
  | { kind: 'member'; node: t.OptionalMemberExpression }
  | { kind: 'call'; node: t.OptionalCallExpression }
  | { kind: 'nonnull' };

/** The value of the chain so far: an evaluated value, or a member not yet read (so a call can keep `this`). */
type Cur =
  | { k: 'val'; e: t.Expression }
  | { k: 'mem'; obj: t.Expression | t.Super; prop: t.Expression | t.PrivateName; computed: boolean; node: t.Node; sizeable: boolean; nonNull: boolean };

function memberCallee(node: t.Node): t.MemberExpression | t.OptionalMemberExpression | undefined {
  let n = node;
  while (t.isTSNonNullExpression(n)) n = n.expression;
  return t.isMemberExpression(n) || t.isOptionalMemberExpression(n) ? n : undefined;
}

function isCalledAt(links: Link[], i: number, topCalled: boolean): boolean {
  let j = i + 1;
  while (j < links.length && links[j]!.kind === 'nonnull') j++;
  return j < links.length ? links[j]!.kind === 'call' : topCalled;
}

function isCallee(path: NodePath): boolean {
  let child: t.Node = path.node;
  let p = path.parentPath;
  while (p && (p.isTSNonNullExpression() || p.isParenthesizedExpression())) {
    child = p.node;
    p = p.parentPath;
  }
  if (!p) return false;
  return (
    ((p.isCallExpression() || p.isOptionalCallExpression() || p.isNewExpression()) && p.node.callee === child) ||
    (p.isTaggedTemplateExpression() && p.node.tag === child)
  );
}

const void0 = (): t.Expression => t.unaryExpression('void', t.numericLiteral(0));
// A name tested in parentheses: V8 drops the names it saw inside them, as it does those of the chain as written.
const isNull = (e: t.Expression): t.Expression => t.binaryExpression('==', t.isIdentifier(e) ? t.parenthesizedExpression(e) : e, t.nullLiteral());

/**
 * Lowers the optional chain whose top is `path`, or returns null when the chain
 * has nothing to instrument (or must stay a reference: `delete a?.b`,
 * `(a?.b.c)()`).
 *
 * @example
 * // m?.get(k)  ->  (m) == null ? void 0 : (_f = m.get, _ar.t(S, m, _f))(_f, m, k)
 */
export function lowerChain(path: NodePath<ChainNode>, e: ChainEmitter): t.Expression | null {
  const links: Link[] = [];
  let node: t.Expression = path.node;
  for (;;) {
    if (t.isOptionalMemberExpression(node)) {
      links.push({ kind: 'member', node });
      node = node.object;
    } else if (t.isOptionalCallExpression(node)) {
      links.push({ kind: 'call', node });
      node = node.callee;
    } else if (isChainNonNull(node)) {
      links.push({ kind: 'nonnull' });
      node = (node as t.TSNonNullExpression).expression;
    } else break;
  }
  links.reverse();
  const base = node;

  const parent = path.parentPath;
  if (parent?.isUnaryExpression({ operator: 'delete' })) return null;
  const topCalled = isCallee(path);
  const lastReal = [...links].reverse().find((l) => l.kind !== 'nonnull');
  if (topCalled && lastReal?.kind === 'member') return null;

  const instrumentable = links.some((l, i) => {
    if (l.kind === 'call') {
      const callee = memberCallee(l.node.callee);
      const name = callee && propertyName(callee);
      return name !== undefined && METHODS.has(name);
    }
    if (l.kind === 'member') return propertyName(l.node) === 'size' && !isCalledAt(links, i, topCalled);
    return false;
  });
  // A call in the chain whose callee holds generated code (`m.get(k)?.x.run()`) would show it in V8's
  // "is not a function": lowered, the call takes the call shape, which names the callee as written.
  const shows = links.some((l) => l.kind === 'call' && calleeText(l.node.callee, (n) => e.originalOf(n)) !== calleeText(l.node.callee));
  if (!instrumentable && !shows) return null;

  const scope: Scope = path.scope;
  const simple = (x: t.Node): boolean => isSimple(x, scope, e);

  // Base: a member stays unread so that a call on it keeps `this` (`a.b?.()`, `(a.b)?.()`).
  let baseCur: Cur;
  const nonNull = t.isTSNonNullExpression(base) && t.isMemberExpression(base.expression);
  const b: t.Expression = nonNull ? (base as t.TSNonNullExpression).expression : base;
  if (t.isMemberExpression(b)) {
    baseCur = { k: 'mem', obj: b.object, prop: b.property, computed: b.computed, node: b, sizeable: false, nonNull };
  } else {
    baseCur = { k: 'val', e: base };
  }

  const value = (cur: Cur): t.Expression => {
    if (cur.k === 'val') return cur.e;
    if (cur.sizeable && keyText(cur.prop, cur.computed) === 'size') {
      return sizeShape(e, path, e.site('size', cur.prop, path), cur.obj, cur.prop, cur.computed, cur.node);
    }
    const m = member(cur.obj, cur.prop, cur.computed);
    return cur.nonNull ? t.tsNonNullExpression(m) : m;
  };

  /** `(tmp = v) == null` (or `v == null` for a simple value), and the reference to use afterwards. */
  const guard = (v: t.Expression): { check: t.Expression; ref: t.Expression } => {
    if (simple(v)) return { check: isNull(v), ref: reuse(v) };
    const tmp = e.temp(path);
    return { check: isNull(assignTemp(e, tmp, v)), ref: reuse(tmp) };
  };

  const methodOf = (cur: Cur): string | undefined => {
    return cur.k === 'mem' ? keyText(cur.prop, cur.computed) : undefined;
  };

  // Calls in a chain are never where an iteration looks for them (V8 wraps the chain): plain "is not a function".
  const callSite = (what: string, node: t.Node, callee: t.Node, call: t.OptionalCallExpression): number =>
    e.site(what, node, path, notFunctionMessage(callee, 'call', (n) => e.originalOf(n)), false, suspends(call.arguments));

  const plainCall = (cur: Cur, call: t.OptionalCallExpression): t.Expression => {
    const name = methodOf(cur);
    if (cur.k === 'mem' && name !== undefined && METHODS.has(name)) {
      return methodCallShape(e, path, callSite(name, cur.prop, cur.node, call), cur.obj, cur.prop, cur.computed, e.callArguments(call), cur.node);
    }
    const callee = cur.k === 'mem' ? value({ ...cur, sizeable: false }) : cur.e;
    // A callee read from our temporaries would show them in V8's "is not a function": the call shape names it as written.
    if (calleeText(call.callee, (n) => e.originalOf(n)) !== calleeText(callee)) {
      if (cur.k === 'mem') return methodCallShape(e, path, callSite(name ?? 'call', cur.prop, call.callee, call), cur.obj, cur.prop, cur.computed, e.callArguments(call), cur.node);
      return plainCallShape(e, path, callSite('call', call, call.callee, call), cur.e, e.callArguments(call), call);
    }
    const out = t.callExpression(e.namesArguments(call) ? t.parenthesizedExpression(callee) : callee, e.callArguments(call));
    if (call.typeParameters) out.typeParameters = call.typeParameters;
    return out;
  };

  const optionalCall = (cur: Cur, call: t.OptionalCallExpression): { check: t.Expression; then: t.Expression } => {
    const written = calleeText(call.callee, (n) => e.originalOf(n));
    if (cur.k === 'val') {
      const g = guard(cur.e);
      const then =
        written === calleeText(g.ref)
          ? t.callExpression(e.namesArguments(call) ? t.parenthesizedExpression(g.ref) : g.ref, e.callArguments(call))
          : plainCallShape(e, path, callSite('call', call, call.callee, call), g.ref, e.callArguments(call), call);
      return { check: g.check, then };
    }
    let lookup: t.Expression | t.Super;
    let recv: t.Expression;
    if (t.isSuper(cur.obj)) {
      lookup = cur.obj;
      recv = t.thisExpression();
    } else if (isStable(cur.obj, scope, e)) {
      // The getter of the method (or an argument) may reassign a user variable: only `this`, our temps
      // and never reassigned bindings go without one.
      lookup = cur.obj;
      recv = reuse(cur.obj);
    } else {
      const tmp = e.temp(path);
      lookup = assignTemp(e, tmp, cur.obj);
      recv = reuse(tmp);
    }
    const f = e.temp(path);
    const check = isNull(t.assignmentExpression('=', f, member(lookup, cur.prop, cur.computed)));
    const name = methodOf(cur);
    // Every call goes through the call shape: `f.call(recv, ...)` would name `_f.call` in V8's "is not a function".
    const then = callShape(e, path, callSite(name ?? 'call', cur.prop, name !== undefined && METHODS.has(name) ? cur.node : call.callee, call), recv, reuse(f), e.callArguments(call), cur.node, cur.prop, { name });
    return { check, then };
  };

  const build = (i: number, cur: Cur): t.Expression => {
    if (i === links.length) return value(cur);
    const link = links[i]!;
    if (link.kind === 'nonnull') {
      return build(i + 1, cur.k === 'mem' ? { ...cur, nonNull: true } : { k: 'val', e: t.tsNonNullExpression(cur.e) });
    }
    if (link.kind === 'member') {
      const n = link.node;
      const next = (obj: t.Expression): Cur => ({ k: 'mem', obj, prop: n.property, computed: n.computed, node: n, sizeable: true, nonNull: false });
      if (n.optional) {
        const g = guard(value(cur));
        return t.conditionalExpression(g.check, void0(), build(i + 1, next(g.ref)));
      }
      return build(i + 1, next(value(cur)));
    }
    const call = link.node;
    if (call.optional) {
      const oc = optionalCall(cur, call);
      return t.conditionalExpression(oc.check, void0(), build(i + 1, { k: 'val', e: oc.then }));
    }
    return build(i + 1, { k: 'val', e: plainCall(cur, call) });
  };

  const out = build(0, baseCur);
  if (path.node.loc) out.loc = { ...path.node.loc, end: path.node.loc.start };
  return e.gen(out);
}
