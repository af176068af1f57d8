/**
 * Builders for the generated code shapes of src/runtime/api.ts. Each returns a
 * fresh node marked as generated (the visitor never instruments it again).
 *
 * Generated nodes carry a location only where it helps the output source map
 * and cannot move code across lines: a copy of the start of the node they
 * replace (so the generated call maps back to the original expression), and,
 * on the identifier of the entry a call or size shape calls (`t`, `tl`, `tj`,
 * `size`), the position of the original method name when it is on the same
 * line (see runtimeMember). A call shape's arguments keep their own
 * locations, so a call written over several lines keeps each argument on its
 * line. The entries' names come from api.ts ENTRY.
 *
 * Temporaries (`_o`, `_f`) are `var`s of the function (or program, static
 * block) that runs the shape, so recursion and awaits each get their own. A
 * shape reads them before any code of the user's runs (its arguments come
 * after), so nested shapes can share them. The temporaries of the late hooks
 * and of optional chains (`_t`, `_t2`, ...) are each one shape's own.
 */
import * as t from '@babel/types';
import type { NodePath, Scope } from '@babel/traverse';
import { followsPendingFunction } from './inferred-names';
import { suspends } from './places';
import { ENTRY, KEY_IN, type EntryName, type KeyIn } from '../runtime/api';

/** The temporaries of a call or size shape: the receiver `_o` and the method `_f`. */
export type TempKind = 'o' | 'f';

/** The temporaries of the code unit a shape runs in. */
export interface Slot {
  /** A fresh reference to the temporary `kind`. */
  temp(kind: TempKind): t.Identifier;
}

/** What the builders need from the instrumentation state. */
export interface Emitter {
  /** Marks a node as generated and returns it. */
  gen<T extends t.Node>(node: T): T;
  /** A reference to the runtime object (`_ar`). */
  runtime(): t.Identifier;
  /** The site id expression `_arS + index`. */
  siteRef(index: number): t.Expression;
  /** True for identifiers the instrumentation declared itself. */
  isTemp(name: string): boolean;
  /** The temporaries of the function (or program, static block) that runs `path`. */
  slot(path: NodePath): Slot;
  /** A fresh temporary declared in the function (or program, static block) that runs `path`. */
  temp(path: NodePath): t.Identifier;
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

/** `this`, a bound identifier or one of our temporaries: reading it twice in a row is the same as once. */
export function isSimple(node: t.Node, scope: Scope, e: Emitter): boolean {
  if (t.isThisExpression(node)) return true;
  if (t.isIdentifier(node)) return e.isTemp(node.name) || !!scope.getBinding(node.name);
  return false;
}

/**
 * `this`, one of our temporaries, or an identifier bound to a variable nothing
 * ever reassigns: its value cannot change while the arguments run, so it can be
 * read again after them. (An import is a live binding that its module may
 * reassign: it gets a temporary.)
 */
export function isStable(node: t.Node, scope: Scope, e: Emitter): boolean {
  if (t.isThisExpression(node)) return true;
  if (!t.isIdentifier(node)) return false;
  if (e.isTemp(node.name)) return true;
  const binding = scope.getBinding(node.name);
  return !!binding && binding.constant && binding.kind !== 'module';
}

/** A class whose creation runs no code of the user's (nothing to throw, nothing to order). */
function isInertClass(node: t.ClassExpression): boolean {
  if (node.superClass || node.decorators?.length) return false;
  return node.body.body.every((m) => {
    if (t.isStaticBlock(m)) return false;
    if (t.isTSIndexSignature(m)) return true;
    if ((m as { decorators?: unknown[] | null }).decorators?.length) return false;
    if ('computed' in m && m.computed) return false;
    const isField = t.isClassProperty(m) || t.isClassPrivateProperty(m) || t.isClassAccessorProperty(m);
    return !(isField && m.static && m.value);
  });
}

/**
 * Keeps a function or class passed as an argument as anonymous as it was.
 * Assigned to one of our temporaries, an anonymous function would take the
 * temporary's name (`_t = () => {}` names the arrow `_t`, in `.name` and in
 * stack frames): an anonymous function or inert class becomes `(() => F)()`
 * instead (V8 names nothing after an assignment of a call's result; the
 * arrow cannot throw, so no frame of it ever shows). A class whose creation
 * runs code (`extends`, computed keys, static blocks or fields) stays in
 * place, as `(void 0, C)`: its `.name` stays empty (a stack frame of it may
 * show the temporary's name).
 */
function shield(e: Emitter, node: t.Expression): t.Expression {
  let inner: t.Node = node;
  while (t.isParenthesizedExpression(inner) || t.isTSAsExpression(inner) || t.isTSSatisfiesExpression(inner) || t.isTSNonNullExpression(inner) || t.isTSTypeAssertion(inner)) {
    inner = inner.expression;
  }
  const anonymous = t.isArrowFunctionExpression(inner) || ((t.isFunctionExpression(inner) || t.isClassExpression(inner)) && !inner.id);
  if (!anonymous) return node;
  if (t.isClassExpression(inner) && !isInertClass(inner)) return t.sequenceExpression([t.unaryExpression('void', t.numericLiteral(0)), node]);
  return e.gen(t.callExpression(e.gen(t.arrowFunctionExpression([], node)), []));
}

/** Whether `node` holds a function or class expression: V8 may name it after the names it saw before (inferred-names.ts). */
function holdsFunction(node: t.Node): boolean {
  let found = false;
  t.traverseFast(node, (n) => {
    if (t.isFunction(n) || t.isClass(n)) found = true;
  });
  return found;
}

/**
 * `tmp = value`, with the functions of `value` as anonymous as before (see
 * shield). Where `value` holds a function, the temporary is in parentheses,
 * `(_t) = value`: V8 forgets the names it saw inside them, so `value`'s
 * functions are named as they were, not after `_t`.
 */
export function assignTemp(e: Emitter, tmp: t.Identifier, value: t.Expression): t.AssignmentExpression {
  const assignment = t.assignmentExpression('=', tmp, shield(e, value));
  // A parenthesised name is a valid assignment target, though not a Babel LVal.
  if (holdsFunction(value)) assignment.left = t.parenthesizedExpression(tmp) as unknown as t.LVal;
  return assignment;
}

/**
 * `_ar.<name>` with the identifier `name` placed at `nameLoc` (when on the line
 * of `callLoc`). It maps back to the method name under that name: a stack trace
 * rewritten through the source map (--enable-source-maps) names the called
 * function after the symbol at its call site, `get`, not after the entry (`t`).
 */
function runtimeMember(e: Emitter, name: EntryName, callLoc?: t.Node | null, nameLoc?: t.Node | null): t.MemberExpression {
  const id = t.identifier(name);
  if (nameLoc?.loc && callLoc?.loc && nameLoc.loc.start.line === callLoc.loc.start.line) {
    withLoc(id, nameLoc);
    id.loc!.identifierName = t.isIdentifier(nameLoc) ? nameLoc.name : t.isStringLiteral(nameLoc) ? nameLoc.value : undefined;
  }
  return t.memberExpression(e.runtime(), id);
}

/**
 * What goes before a call shape's first assignment to a temporary where an
 * anonymous function written before it waits for V8 to name it
 * (followsPendingFunction): `0 && _ar.fc()`, a call never made, after which
 * V8 forgets the function, as it does at the end of the original call; the
 * assignment would name it after the temporary (`outer._f`).
 */
function forgetPending(e: Emitter, path: NodePath): t.Expression[] {
  if (!followsPendingFunction(path)) return [];
  return [t.logicalExpression('&&', t.numericLiteral(0), t.callExpression(runtimeMember(e, ENTRY.callOriginal), []))];
}

/**
 * The callee of a runtime call `_ar.<name>(...args)`, in parentheses where
 * an argument holds a function (V8 would name it after `_ar.<name>`, see
 * assignTemp).
 */
function runtimeCallee(e: Emitter, name: EntryName, args: t.Node[], callLoc?: t.Node | null, nameLoc?: t.Node | null): t.Expression {
  const callee = runtimeMember(e, name, callLoc, nameLoc);
  return args.some(holdsFunction) ? t.parenthesizedExpression(callee) : callee;
}

/** What a call shape must know of the call beyond its parts (see `lateOf`). */
export interface CallInfo {
  /** The method name as written (`m.set`, `m['set']`), when it is known. */
  name?: string;
  /** The receiver is the global `Promise`. */
  promise?: boolean;
}

/** The method name of a member `o.p` or `o['p']`, when it is written out. */
export function writtenName(property: t.Node, computed: boolean): string | undefined {
  if (!computed && t.isIdentifier(property)) return property.name;
  return t.isStringLiteral(property) ? property.value : undefined;
}

function isLiteralSpread(arg: Arg | undefined): boolean {
  return t.isSpreadElement(arg) && t.isLiteral(arg.argument);
}

/**
 * Which calls end in the runtime's late hooks (api.ts `tl`, `k`, `j`), so
 * that an original method that runs program code or can throw is called from
 * the user's frame, not the runtime's: `set` and `add` (a weak collection's
 * throws for a key it cannot hold), every call whose arguments can suspend
 * (forEach's callbacks; a TypeError for a callee that is not a function, made
 * with the stack of the call), `Promise.all` and `Promise.allSettled`.
 */
function lateOf(info: CallInfo, args: Arg[], untracked: boolean): { chooser: EntryName; hook: boolean; keyed: boolean; join: boolean; suspend: boolean } {
  const suspend = suspends(args);
  const keyed = !untracked && (info.name === 'set' || info.name === 'add');
  const join = !untracked && !!info.promise && (info.name === 'all' || info.name === 'allSettled');
  // A literal spread (`...null`) stays as written: V8 names it in its TypeError, and the call never records anything
  // (it throws before the call, or hands a weak collection a key it cannot hold, or a forEach no callback).
  const last = args[args.length - 1];
  const hook = args.length > 0 && (keyed || suspend) && !isLiteralSpread(last);
  const chooser = join ? ENTRY.chooseJoinCall : keyed || hook ? ENTRY.chooseLateCall : ENTRY.chooseCall;
  return { chooser, hook, keyed, join: join && args.length > 0, suspend };
}

/**
 * The end of a call shape, after `pre` (which sets the receiver and the
 * method): `(pre, _ar.t(S, o, f))(f, o, ...args)`. The choice `t` makes
 * depends only on the receiver and the method, so the arguments stay as
 * written, evaluated once, in order, in place; `o` and `f` are read before any
 * of them runs. V8 puts the call's position at the `(` after the callee, which
 * stays on the method name's line. A call routed only for its message
 * (`untracked`) asks the runtime only when `f` is not a function:
 * `(pre, typeof f == "function" ? _ar.fc : _ar.t(S, o, f))(f, o, ...args)`.
 *
 * A call with late hooks (`lateOf`) keeps `f` and `o` in temporaries of its
 * own (the arguments may run other shapes, and await), chooses with `tl` or
 * `tj`, and hands its last argument through `k`, with the key (the first
 * argument, in a temporary of its own when it is not the last) and, where the
 * arguments can suspend, the choice:
 * `(pre, _t1 = f, _t2 = o, _ar.tl(S, _t2, _t1))(_t1, _t2, _t3 = k, _ar.k(S, _t1, _t2, v, 1, _t3))`;
 * a join's result goes through `j`: `_ar.j((...)(_t1, _t2, _t3 = x), S, _t1, _t2, _t3, 1)`
 * (`1`: the key is `_t3`, KEY_IN.key).
 */
function callTail(
  e: Emitter,
  path: NodePath,
  site: number,
  pre: t.Expression[],
  recv: () => t.Expression,
  fn: () => t.Expression,
  args: Arg[],
  from: t.Node,
  methodName: t.Node | null,
  info: CallInfo,
  untracked = false,
): t.Expression {
  const late = lateOf(info, args, untracked);
  let f = fn;
  let o = recv;
  if (late.hook || late.join) {
    // Shared temporaries may change while the arguments run: the hooks read copies of their own.
    const ft = e.temp(path);
    pre = [...pre, t.assignmentExpression('=', ft, fn())];
    f = () => reuse(ft);
    const r = recv();
    if (t.isIdentifier(r) && e.isTemp(r.name)) {
      const ot = e.temp(path);
      pre.push(t.assignmentExpression('=', ot, r));
      o = () => reuse(ot);
    }
  }
  const runtimeChoice = t.callExpression(runtimeMember(e, late.chooser, from, methodName), [e.siteRef(site), o(), f()]);
  const callable = t.binaryExpression('==', t.unaryExpression('typeof', f()), t.stringLiteral('function'));
  let choose: t.Expression = untracked ? t.conditionalExpression(callable, runtimeMember(e, ENTRY.callOriginal), runtimeChoice) : runtimeChoice;
  let chosen: t.Identifier | undefined;
  if (late.hook && late.suspend) {
    chosen = e.temp(path);
    choose = t.assignmentExpression('=', chosen, choose);
  }
  const out: Arg[] = [...args];
  // Where the key is, for k and j.
  let how: KeyIn = KEY_IN.none;
  let key: t.Identifier | undefined;
  if (((late.keyed && late.hook) || late.join) && !isLiteralSpread(args[0])) {
    const first = args[0]!;
    if (args.length === 1 && !late.join) how = t.isSpreadElement(first) ? KEY_IN.firstOfLast : KEY_IN.last;
    else {
      key = e.temp(path);
      if (t.isSpreadElement(first)) {
        out[0] = t.spreadElement(assignTemp(e, key, first.argument));
        how = KEY_IN.firstOfKey;
      } else {
        out[0] = assignTemp(e, key, first as t.Expression);
        how = KEY_IN.key;
      }
    }
  }
  if (late.hook) {
    const i = out.length - 1;
    const last = out[i]!;
    const value = t.isSpreadElement(last) ? last.argument : (last as t.Expression);
    // A join's key is for j: k records nothing of it.
    const hookHow = late.join ? KEY_IN.none : how;
    const hookArgs: t.Expression[] = [e.siteRef(site), f(), o(), value, t.numericLiteral(hookHow)];
    if (key && (hookHow === KEY_IN.key || hookHow === KEY_IN.firstOfKey)) hookArgs.push(reuse(key));
    if (chosen) {
      if (hookArgs.length === 5) hookArgs.push(t.unaryExpression('void', t.numericLiteral(0)));
      hookArgs.push(reuse(chosen));
    }
    const hooked = e.gen(t.callExpression(runtimeCallee(e, ENTRY.lateHook, [value]), hookArgs));
    out[i] = t.isSpreadElement(last) ? t.spreadElement(hooked) : hooked;
  }
  // In parentheses either way: V8 drops the names it saw inside them (`_ar.t` would name a function argument).
  const callee = pre.length ? t.sequenceExpression([...pre, choose]) : t.parenthesizedExpression(choose);
  const call = e.gen(withLoc(t.callExpression(callee, [f(), o(), ...out]), from));
  if (!late.join) return call;
  const joined = [call, e.siteRef(site), f(), o(), key ? reuse(key) : t.unaryExpression('void', t.numericLiteral(0)), t.numericLiteral(how)];
  return e.gen(withLoc(t.callExpression(runtimeCallee(e, ENTRY.joinHook, [call]), joined), from));
}

/**
 * The call shape for a method already looked up (optional calls `m.get?.(k)`):
 * `(_ar.t(S, recv, fn))(fn, recv, k)`, `recv` and `fn` being references read
 * before the arguments run (`this`, our temporaries).
 */
export function callShape(
  e: Emitter,
  path: NodePath,
  site: number,
  recv: t.Expression,
  fn: t.Expression,
  args: Arg[],
  from: t.Node,
  methodName: t.Node | null,
  info: CallInfo,
): t.Expression {
  return callTail(e, path, site, [], () => reuse(recv), () => reuse(fn), args, from, methodName, info);
}

/**
 * A call of a callee that is not a member, routed through the runtime so that
 * a non-callable callee throws V8's message for the callee as written (V8
 * would print the generated code): `F(a)` -> `(_f = F, _ar.t(S, void 0, _f))(_f, void 0, a)`.
 */
export function plainCallShape(e: Emitter, path: NodePath, site: number, callee: t.Expression, args: Arg[], from: t.Node, untracked = false): t.Expression {
  const slot = e.slot(path);
  const undef = (): t.Expression => t.unaryExpression('void', t.numericLiteral(0));
  return callTail(e, path, site, [...forgetPending(e, path), assignTemp(e, slot.temp('f'), callee)], undef, () => slot.temp('f'), args, from, null, {}, untracked);
}

/** `lookup.prop` (or `lookup[prop]`), reusing the original property node. */
export function member(lookup: t.Expression | t.Super, property: t.Expression | t.PrivateName, computed: boolean): t.MemberExpression {
  return t.memberExpression(lookup, property, computed);
}

/**
 * How a shape reads its receiver R: `this` for `super`, R itself where reading
 * it again is the same as once (`reusable`), else `_o = R` first and `_o` after.
 */
function receiverOf(
  e: Emitter,
  slot: Slot,
  object: t.Expression | t.Super,
  reusable: boolean,
): { first: t.Expression; again: () => t.Expression; lookup: t.Expression | t.Super } {
  if (t.isSuper(object)) return { first: t.thisExpression(), again: () => t.thisExpression(), lookup: object };
  if (reusable) return { first: object, again: () => reuse(object), lookup: reuse(object) };
  return { first: withLoc(assignTemp(e, slot.temp('o'), object), object), again: () => slot.temp('o'), lookup: slot.temp('o') };
}

/**
 * `R.m(a, b)` -> `(_o = R, _f = _o.m, _ar.t(S, _o, _f))(_f, _o, a, b)`;
 * no `_o` when R is stable (`this`, a never reassigned binding, our temporary:
 * a getter of `m` could reassign any other between the reads);
 * `super.m(k)` -> `(_f = super.m, _ar.t(S, this, _f))(_f, this, k)`.
 */
export function methodCallShape(
  e: Emitter,
  path: NodePath,
  site: number,
  object: t.Expression | t.Super,
  property: t.Expression | t.PrivateName,
  computed: boolean,
  args: Arg[],
  from: t.Node,
  untracked = false,
): t.Expression {
  // The temporaries are read before the arguments run: no argument can clobber them.
  const slot = e.slot(path);
  const r = receiverOf(e, slot, object, !t.isSuper(object) && isStable(object, path.scope, e));
  // Set `_o` first where a temporary is needed; a reusable receiver keeps its own node (and location) in the lookup.
  const pre: t.Expression[] = [...forgetPending(e, path), ...(!t.isSuper(object) && r.first !== object ? [r.first] : [])];
  const lookup = r.first === object ? object : r.lookup;
  pre.push(t.assignmentExpression('=', slot.temp('f'), member(lookup, property, computed)));
  const promise = t.isIdentifier(object, { name: 'Promise' }) && !path.scope.getBinding('Promise');
  return callTail(e, path, site, pre, r.again, () => slot.temp('f'), args, from, property, { name: writtenName(property, computed), promise }, untracked);
}

/** `R.size` -> `_ar.size(S, _o = R, _o.size)`; no `_o` when R is `this` or a binding (read twice in a row, nothing between). */
export function sizeShape(
  e: Emitter,
  path: NodePath,
  site: number,
  object: t.Expression | t.Super,
  property: t.Expression | t.PrivateName,
  computed: boolean,
  from: t.Node,
): t.CallExpression {
  const r = receiverOf(e, e.slot(path), object, !t.isSuper(object) && isSimple(object, path.scope, e));
  const args = [e.siteRef(site), r.first, member(r.lookup, property, computed)];
  const call = t.callExpression(runtimeCallee(e, ENTRY.readSize, args, from, property), args);
  return e.gen(withLoc(call, from));
}

/** `E` -> `_ar.<name>(S, E)`, the call mapped back to E. */
function inPlaceOf(e: Emitter, name: EntryName, site: number, value: t.Expression): t.CallExpression {
  return e.gen(withLoc(t.callExpression(runtimeCallee(e, name, [value]), [e.siteRef(site), value]), value));
}

/** `Array.from(E, ...)`: `E` -> `_ar.whole(S, E)`. */
export function wholeShape(e: Emitter, site: number, iterable: t.Expression): t.CallExpression {
  return inPlaceOf(e, ENTRY.readWhole, site, iterable);
}

/** `E` -> `_ar.iter(S, E)`, or `_ar?.iter(S, E)` (an optional chain, where V8 words the spread of one apart). */
export function iterShape(e: Emitter, site: number, iterable: t.Expression, optional = false): t.Expression {
  if (!optional) return inPlaceOf(e, ENTRY.iterate, site, iterable);
  const call = t.optionalCallExpression(t.optionalMemberExpression(e.runtime(), t.identifier(ENTRY.iterate), false, true), [e.siteRef(site), iterable], false);
  return e.gen(withLoc(call, iterable));
}

/**
 * The value of `for await (x of E)`: `E` -> `_ar.iterAsync(S, E)`, which is E,
 * or, when E has neither @@asyncIterator nor @@iterator, an async iterable
 * whose @@asyncIterator throws V8's TypeError.
 */
export function iterAsyncShape(e: Emitter, site: number, iterable: t.Expression): t.CallExpression {
  return inPlaceOf(e, ENTRY.checkAsyncIterable, site, iterable);
}

/**
 * A value about to be destructured by an object pattern:
 * `E` -> `(_o = E) == null ? _ar.destructure(S, _o)() : _o`. For null and
 * undefined the runtime hands back a function that throws V8's TypeError (the
 * message of site S) from the caller's frame; nothing runs between the
 * assignment of `_o` and its reads.
 */
export function destructureShape(e: Emitter, path: NodePath, site: number, value: t.Expression): t.Expression {
  const slot = e.slot(path);
  const check = t.callExpression(t.callExpression(runtimeMember(e, ENTRY.checkDestructure), [e.siteRef(site), slot.temp('o')]), []);
  const test = t.binaryExpression('==', withLoc(assignTemp(e, slot.temp('o'), value), value), t.nullLiteral());
  return e.gen(withLoc(t.conditionalExpression(test, check, slot.temp('o')), value));
}

/**
 * The callee of `new C(...)`: `C` -> `_ar.construct(S, C)`, which is C when
 * it is a constructor, else a stand-in whose construction throws V8's
 * TypeError (after the arguments ran, as V8 checks the callee then).
 */
export function constructShape(e: Emitter, site: number, callee: t.Expression): t.CallExpression {
  return inPlaceOf(e, ENTRY.checkConstruct, site, callee);
}

/** `new Map(a)` -> `_ar.made(S, new Map(a))`. */
export function madeShape(e: Emitter, site: number, created: t.NewExpression): t.CallExpression {
  return e.gen(withLoc(t.callExpression(runtimeCallee(e, ENTRY.recordCreation, [created]), [e.siteRef(site), e.gen(created)]), created));
}

/** `await X` -> `_ar.res(await _ar.sus(X, _arc), _arc)`. */
export function awaitShape(e: Emitter, frame: string, node: t.AwaitExpression): t.CallExpression {
  const sus = t.callExpression(runtimeCallee(e, ENTRY.suspend, [node.argument]), [node.argument, t.identifier(frame)]);
  const awaited = e.gen(withLoc(t.awaitExpression(sus), node));
  return e.gen(withLoc(t.callExpression(runtimeCallee(e, ENTRY.resume, [node.argument]), [awaited, t.identifier(frame)]), node));
}

/** `yield X` -> `_ar.res(yield _ar.sus(X, _arc), _arc)` (a generator with a `yield*` is not wrapped). */
export function yieldShape(e: Emitter, frame: string, node: t.YieldExpression): t.CallExpression {
  const operand = node.argument ?? t.unaryExpression('void', t.numericLiteral(0));
  const sus = t.callExpression(runtimeCallee(e, ENTRY.suspend, [operand]), [operand, t.identifier(frame)]);
  const yielded = e.gen(withLoc(t.yieldExpression(sus), node));
  return e.gen(withLoc(t.callExpression(runtimeCallee(e, ENTRY.resume, [operand]), [yielded, t.identifier(frame)]), node));
}

/** `_ar.res(0, _arc);` at the start of a catch or finally block. */
export function resumeStatement(e: Emitter, frame: string): t.ExpressionStatement {
  return e.gen(t.expressionStatement(t.callExpression(runtimeMember(e, ENTRY.resume), [t.numericLiteral(0), t.identifier(frame)])));
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
  const push = t.callExpression(t.memberExpression(rt, t.identifier(ENTRY.enterFunction)), [e.siteRef(site)]);
  const decl = e.gen(varDeclaration([[frame, push], ...temps.map((n): [string, null] => [n, null])], typed));
  const pop = t.expressionStatement(t.callExpression(runtimeMember(e, ENTRY.leaveFunction), [t.identifier(frame)]));
  const tryStatement = e.gen(t.tryStatement(t.blockStatement(body), null, t.blockStatement([pop])));
  return [decl, tryStatement];
}
