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

/** Optional chains: `a?.b`, `a?.b()` and every later link of the same chain. */
const isOptional = (n: t.Node): n is t.OptionalMemberExpression | t.OptionalCallExpression => t.isOptionalMemberExpression(n) || t.isOptionalCallExpression(n);

interface Mode {
  resolve: Resolve;
  /**
   * Calls print as their callee alone (`m.get.f`, not `m.get(...).f`): how V8
   * words "is not a function or its return value is not iterable".
   */
  bare: boolean;
}

/** How V8 prints a member's key: `.name`, `[0]`, `[key]`, `[#priv]`. */
function key(node: t.MemberExpression | t.OptionalMemberExpression, mode: Mode): string | undefined {
  const p = node.property;
  if (t.isPrivateName(p)) return `[#${p.id.name}]`;
  if (!node.computed && t.isIdentifier(p)) return `.${p.name}`;
  const str = folded(p);
  if (str !== undefined) return `.${str}`;
  if (t.isTemplateLiteral(p) && p.expressions.length === 0) return `.${p.quasis[0]!.value.cooked ?? ''}`;
  const inner = child(p, mode);
  return inner === undefined ? undefined : `[${inner}]`;
}

/**
 * A sub-expression. V8 prints an optional chain that is an operand of
 * something else (`(a || b?.c).get`, `(b?.c).get`, an argument) as
 * `(intermediate value)`; only the links of the chain being printed show.
 */
function child(node: t.Node, mode: Mode, link = false): string | undefined {
  const n = mode.resolve(node);
  if (isOptional(n) && (!link || n.extra?.parenthesized)) return INTERMEDIATE;
  return printNode(n, mode);
}

function printNode(node: t.Node, mode: Mode): string | undefined {
  node = unwrap(node, mode.resolve);
  const sub = (n: t.Node): string => child(n, mode) ?? INTERMEDIATE;
  if (t.isIdentifier(node)) return node.name;
  if (t.isThisExpression(node)) return 'this';
  const str = folded(node);
  if (str !== undefined) return `"${str}"`;
  if (t.isNumericLiteral(node)) return String(node.value);
  if (t.isBooleanLiteral(node)) return String(node.value);
  if (t.isNullLiteral(node)) return 'null';
  if (t.isRegExpLiteral(node)) return `/${node.pattern}/${node.flags}`;
  if (t.isAwaitExpression(node) || t.isYieldExpression(node)) return INTERMEDIATE;
  if (t.isMetaProperty(node) && node.meta.name === 'new') return '.new.target';
  if (t.isTemplateLiteral(node)) {
    // V8 prints a template with substitutions as its substitutions, run together.
    if (node.expressions.length === 0) return `"${node.quasis[0]!.value.cooked ?? ''}"`;
    return node.expressions.map(sub).join('');
  }
  if (t.isTaggedTemplateExpression(node)) return mode.bare ? sub(node.tag) : `${sub(node.tag)}(...)`;
  if (t.isAssignmentExpression(node)) return child(node.left, mode);
  if (t.isArrayExpression(node)) {
    const parts = node.elements.map((e) => (e === null ? '' : t.isSpreadElement(e) ? `(...${sub(e.argument)})` : sub(e)));
    return `[${parts.join(',')}]`;
  }
  if (t.isObjectExpression(node)) return `{${INTERMEDIATE.repeat(node.properties.length)}}`;
  if (t.isMemberExpression(node) || t.isOptionalMemberExpression(node)) {
    const obj = child(node.object, mode, t.isOptionalMemberExpression(node)) ?? INTERMEDIATE;
    const k = key(node, mode);
    if (k === undefined) return undefined;
    return node.optional ? `${obj}?${k.startsWith('.') ? k : `.${k}`}` : `${obj}${k}`;
  }
  // `new F()` shows as its callee only where calls print bare; elsewhere it is `(intermediate value)`.
  if (t.isNewExpression(node)) return mode.bare ? sub(node.callee) : undefined;
  if (t.isCallExpression(node) || t.isOptionalCallExpression(node)) {
    const callee = child(node.callee, mode, t.isOptionalCallExpression(node)) ?? INTERMEDIATE;
    return mode.bare ? callee : `${callee}(...)`;
  }
  if (t.isUnaryExpression(node)) {
    if (node.operator === '-' && t.isNumericLiteral(node.argument)) return `-${node.argument.value}`;
    const space = node.operator === 'typeof' || node.operator === 'void' || node.operator === 'delete' ? ' ' : '';
    return `(${node.operator}${space}${sub(node.argument)})`;
  }
  if (t.isBinaryExpression(node) && t.isNumericLiteral(node.left) && t.isNumericLiteral(node.right) && FOLDED[node.operator]) {
    // V8's parser folds arithmetic on number literals.
    return String(FOLDED[node.operator]!(node.left.value, node.right.value));
  }
  if (t.isBinaryExpression(node) || t.isLogicalExpression(node)) return `(${sub(node.left)} ${node.operator} ${sub(node.right)})`;
  if (t.isUpdateExpression(node)) return node.prefix ? `(${node.operator}${sub(node.argument)})` : `(${sub(node.argument)}${node.operator})`;
  if (t.isSequenceExpression(node)) return `(${node.expressions.map(sub).join(' , ')})`;
  if (t.isConditionalExpression(node)) return INTERMEDIATE.repeat(3);
  return undefined;
}

/**
 * The text V8 prints for `node`, or undefined where it prints
 * `(intermediate value)` (or, for an iterable, words the message by value).
 * An optional chain at the top prints whole (`a?.b.get`).
 */
export function print(node: t.Node, resolve: Resolve = same): string | undefined {
  return printNode(resolve(node), { resolve, bare: false });
}

/**
 * The callee of a call as V8's "is not a function" message prints it.
 *
 * @example
 *   calleeText(parseExpression('this.cache.get')) // 'this.cache.get'
 *   calleeText(parseExpression('[1, 2].has'))      // '[1,2].has'
 */
export function calleeText(node: t.Node, resolve: Resolve = same): string {
  return print(node, resolve) ?? INTERMEDIATE;
}

/**
 * Where a call's value goes, as V8 words "is not a function" for it: V8 looks
 * for an iteration whose operand sits where the call is, and if there is one
 * it speaks of the iteration (see callPlace in places.ts).
 * - `call`: anywhere else;
 * - `iterated`: the operand of for..of, of a spread in an array literal, of an
 *   array pattern (`const [a] = f()`, `[a] = f()`, `[[a] = f()] = []`);
 * - `async-iterated`: the operand of for await;
 * - `yield*` and `async-yield*`: the operand of yield* in a generator, in an
 *   async generator.
 */
export type CallPlace = 'call' | 'iterated' | 'async-iterated' | 'yield*' | 'async-yield*';

/** `f()` iterated, `f` not callable: the callee printed with its own calls bare (`o.g.f`, not `o.g(...).f`). */
function notCallableOrIterable(callee: t.Node, resolve: Resolve): string {
  return `${printNode(resolve(callee), { resolve, bare: true }) ?? INTERMEDIATE} is not a function or its return value is not iterable`;
}

/**
 * V8's TypeError message for a call of `callee` that is not callable, at
 * `place`; `''` for the operand of yield*, which V8 words by what follows it
 * in the function.
 *
 * @example
 *   notFunctionMessage(parseExpression('o.f'), 'call')     // 'o.f is not a function'
 *   notFunctionMessage(parseExpression('o.f'), 'iterated') // 'o.f is not a function or its return value is not iterable'
 */
export function notFunctionMessage(callee: t.Node, place: CallPlace, resolve: Resolve = same): string {
  switch (place) {
    case 'call':
      return `${calleeText(callee, resolve)} is not a function`;
    case 'iterated':
      return notCallableOrIterable(callee, resolve);
    case 'async-iterated':
      return `${calleeText(callee, resolve)}(...) is not a function or its return value is not async iterable`;
    case 'yield*':
    case 'async-yield*':
      // `yield* (intermediate value) is not iterable`, with one more placeholder for every
      // statement V8 visits after it in the function: the runtime lets V8 word it (api.ts Site).
      return '';
  }
}

/** The expression V8 quotes for a value it destructures or constructs: an optional chain is `(intermediate value)`. */
function quoted(node: t.Node, resolve: Resolve): string | undefined {
  return isOptional(unwrap(node, resolve)) ? INTERMEDIATE : print(node, resolve);
}

/**
 * V8's message for destructuring `value` with the object pattern `pattern`
 * when the value is null or undefined (`%s` stands for it), or undefined
 * where V8 does not quote the expression: a first property with a default
 * (`{ a = 1 }`) or a member target (`{ a: o.x }`) reads the property
 * ("Cannot read properties of undefined (reading 'a')"), and some
 * expressions V8 prints in ways not modelled here.
 *
 * @example
 *   nonCoercibleMessage(parse('{ a }'), parseExpression('m.get(k)'))
 *   // "Cannot destructure property 'a' of 'm.get(...)' as it is %s."
 */
export function nonCoercibleMessage(pattern: t.ObjectPattern, value: t.Node, resolve: Resolve = same): string | undefined {
  const text = quoted(value, resolve);
  if (text === undefined) return undefined;
  const first = pattern.properties[0];
  // No property to read first, or a computed key to run first: V8 checks the value itself.
  if (!first || t.isRestElement(first) || first.computed) return `Cannot destructure '${text}' as it is %s.`;
  const target = first.value;
  if (!(t.isIdentifier(target) || t.isObjectPattern(target) || t.isArrayPattern(target))) return undefined;
  const key = first.key;
  const name = t.isIdentifier(key) ? key.name : t.isStringLiteral(key) ? key.value : t.isNumericLiteral(key) ? String(key.value) : undefined;
  return name === undefined ? undefined : `Cannot destructure property '${name}' of '${text}' as it is %s.`;
}

/**
 * V8's message for `new C(...)` when C is not a constructor.
 *
 * @example
 *   notConstructorMessage(parseExpression('m.get(k)')) // 'm.get(...) is not a constructor'
 */
export function notConstructorMessage(callee: t.Node, resolve: Resolve = same): string {
  return `${quoted(callee, resolve) ?? INTERMEDIATE} is not a constructor`;
}

/**
 * V8's message for `for await (x of E)` when E's value (neither null nor
 * undefined) has neither Symbol.asyncIterator nor Symbol.iterator, or
 * undefined where it is not modelled: V8 words a logical, conditional or
 * unary operator by the last expression whose position its bytecode records.
 *
 * @example
 *   notAsyncIterableMessage(parseExpression('m.get(k)'))  // 'm.get(...) is not a function or its return value is not async iterable'
 *   notAsyncIterableMessage(parseExpression('m.size'))    // 'm.size is not async iterable'
 *   notAsyncIterableMessage(parseExpression('m?.get(k)')) // 'm?.get is not a function'
 */
export function notAsyncIterableMessage(node: t.Node, resolve: Resolve = same): string | undefined {
  const n = unwrap(node, resolve);
  if (t.isCallExpression(n)) return notFunctionMessage(n.callee, 'async-iterated', resolve);
  // An optional chain: V8 names the chain's last call as not a function, else the missing method.
  if (t.isOptionalCallExpression(n)) return `${calleeText(n.callee, resolve)} is not a function`;
  if (t.isOptionalMemberExpression(n)) return 'undefined is not a function';
  // A logical or conditional operator whose last operand is a call: V8 names that call. (Other
  // last operands, chains of one operator and literal tests are worded by what V8 emits: not modelled.)
  if (t.isLogicalExpression(n) || t.isConditionalExpression(n)) {
    const nary = t.isLogicalExpression(n) && t.isLogicalExpression(unwrap(n.left, resolve), { operator: n.operator });
    // V8 folds an operator on a literal it can decide (`1 ? a : b`, `5 || a`).
    const constant = t.isLiteral(unwrap(t.isConditionalExpression(n) ? n.test : n.left, resolve));
    let last = unwrap(t.isLogicalExpression(n) ? n.right : n.alternate, resolve);
    // A literal records nothing: the operand before it was the last to.
    if (t.isLiteral(last)) last = unwrap(t.isLogicalExpression(n) ? n.left : n.consequent, resolve);
    if (nary || constant) return undefined;
    if (t.isCallExpression(last) || t.isNewExpression(last)) return `${calleeText(last.callee, resolve)} is not a function`;
    // A property read last: V8 names the missing method by its value.
    return t.isMemberExpression(last) ? 'undefined is not a function' : undefined;
  }
  // `-E`, `+E`, `~E` are printed whole (`!E` names a call in E: not modelled).
  if (t.isUnaryExpression(n) && (n.operator === '-' || n.operator === '+' || n.operator === '~')) {
    const text = print(n, resolve);
    return text === undefined ? undefined : `${text} is not async iterable`;
  }
  const text = print(n, resolve);
  if (text === undefined) return undefined;
  if (t.isSequenceExpression(n) && endsInCall(n, resolve)) return `${text} is not a function or its return value is not async iterable`;
  const plain = t.isMemberExpression(n) || t.isIdentifier(n) || t.isThisExpression(n) || t.isSequenceExpression(n) || t.isBinaryExpression(n);
  return plain ? `${text} is not async iterable` : undefined;
}

/**
 * Iteration forms, by how V8 words a value that is not iterable:
 * `for-of`, `array-spread` (`[...E]`), `call-spread` (`f(...E)`, only
 * nullish values: V8 words the others itself), `declaration` (`const [a] = E`),
 * `assignment` (`[a] = E`, Array.from: always by value), `yield*`, `default`
 * (an array pattern's default, `[[a] = E] = []`, other than a parameter's own).
 */
export type IterForm = 'for-of' | 'array-spread' | 'call-spread' | 'declaration' | 'assignment' | 'yield*' | 'default';

const BY_VALUE = '';

/**
 * The call of a name or `new` that `node` starts with (`F().x`, `new M().get(1)`, `F()` itself):
 * the deepest call along its object/callee spine, when it starts where `node` starts (parentheses
 * on the way move the start). V8 positions such a call at its first token.
 */
function startCall(node: t.Node, resolve: Resolve): t.CallExpression | t.NewExpression | undefined {
  let n = node;
  let deepest: t.Node | undefined;
  for (;;) {
    if (t.isCallExpression(n) || t.isNewExpression(n) || t.isOptionalCallExpression(n)) deepest = n;
    const next =
      t.isMemberExpression(n) || t.isOptionalMemberExpression(n)
        ? n.object
        : t.isCallExpression(n) || t.isOptionalCallExpression(n)
          ? n.callee
          : t.isTaggedTemplateExpression(n)
            ? n.tag
            : undefined;
    if (!next || t.isSuper(next) || t.isV8IntrinsicIdentifier(next)) break;
    const r = resolve(next);
    if (r.extra?.parenthesized) return undefined;
    n = unwrap(r, resolve);
  }
  if (t.isNewExpression(deepest)) return deepest;
  return t.isCallExpression(deepest) && t.isIdentifier(unwrap(deepest.callee, resolve)) ? deepest : undefined;
}

/**
 * The call evaluated last in a logical or conditional expression, when its
 * value can come from that call (`a || o.f()`, `c ? x : F()`); V8 places
 * the iteration error there and prints its callee. V8 folds `a ?? null` to `a`.
 */
function lastCall(node: t.Node, resolve: Resolve): t.CallExpression | t.NewExpression | t.OptionalCallExpression | undefined {
  const n = unwrap(node, resolve);
  if (t.isLogicalExpression(n)) return lastCall(n.operator === '??' && t.isNullLiteral(unwrap(n.right, resolve)) ? n.left : n.right, resolve);
  if (t.isConditionalExpression(n)) return lastCall(n.alternate, resolve);
  return t.isCallExpression(n) || t.isNewExpression(n) || t.isOptionalCallExpression(n) ? n : undefined;
}

/** A comma expression ending in a call (`(0, o.f())`): V8 words it as that call. */
function endsInCall(node: t.Node, resolve: Resolve): boolean {
  if (!t.isSequenceExpression(node)) return false;
  const last = unwrap(node.expressions[node.expressions.length - 1]!, resolve);
  return t.isCallExpression(last) || t.isNewExpression(last);
}

/**
 * V8's TypeError message for iterating `node` in `form` when its value is not
 * iterable: a text (`%s` stands for the value), `''` where V8 words it by
 * value, undefined where the instrumented code gets V8's own message (the
 * consumer throws it). V8 picks the wording by where the error position falls
 * in the expression; these are the outcomes, form by form (checked against
 * Node 20 and 24 by test/instrument and the differential fuzzer).
 */
export function notIterableMessage(node: t.Node, form: IterForm, resolve: Resolve = same): string | undefined {
  const n = unwrap(node, resolve);
  // `bare`: in for..of and array spread V8 prints the calls inside the expression bare (`f.x`, not `f(...).x`).
  const printed = (suffix = '', bare = false): string => {
    const p = printNode(n, { resolve, bare });
    return p === undefined ? BY_VALUE : `${p} is not iterable${suffix}`;
  };
  // `f()` and `new F()` in a for..of, spread or declaration: the call's callee, its own calls bare.
  const notCallable = (callee: t.Node): string => notCallableOrIterable(callee, resolve);
  const callee = t.isCallExpression(n) || t.isNewExpression(n) ? n.callee : t.isTaggedTemplateExpression(n) ? n.tag : undefined;
  const symbolLoad = (c: t.Node, bare = false): string =>
    `${printNode(resolve(c), { resolve, bare }) ?? INTERMEDIATE} is not iterable (cannot read property Symbol(Symbol.iterator))`;
  // A logical operator is worded by value, except `a ?? b` with a plain name on the right (V8 prints it).
  const orAnd = t.isLogicalExpression(n) && !(n.operator === '??' && t.isIdentifier(unwrap(n.right, resolve)));
  const last = t.isLogicalExpression(n) || t.isConditionalExpression(n) ? lastCall(n, resolve) : undefined;
  const sequenceCall = (): string => `${printNode(n, { resolve, bare: true })} is not a function or its return value is not iterable`;
  switch (form) {
    case 'for-of':
      if (t.isOptionalCallExpression(n)) return symbolLoad(n.callee);
      if (last) return symbolLoad(last.callee);
      if (isOptional(n) || orAnd || t.isConditionalExpression(n)) return BY_VALUE;
      if (callee) return notCallable(callee);
      if (endsInCall(n, resolve)) return sequenceCall();
      return printed('', true);
    case 'array-spread':
      if (isOptional(n)) return `${INTERMEDIATE} is not iterable`;
      if (callee) return notCallable(callee);
      if (endsInCall(n, resolve)) return sequenceCall();
      return printed('', true);
    case 'call-spread':
      if (isOptional(n)) return `${INTERMEDIATE} is not iterable (cannot read property %s)`;
      return printed(' (cannot read property %s)');
    case 'declaration': {
      // V8 finds the error at the start of the initializer: a call of a name or a `new` there is printed.
      const first = startCall(n, resolve);
      if (first === n) return notCallable(first.callee);
      if (first && t.isTaggedTemplateExpression(n)) return notCallable(n.tag);
      if (first) return symbolLoad(first.callee, true);
      if (t.isIdentifier(n) || t.isThisExpression(n) || t.isUnaryExpression(n) || t.isAwaitExpression(n) || t.isYieldExpression(n)) return printed();
      // V8 words the rest by value, as it does for the call to iter() that replaces them. (A conditional
      // is sometimes printed, depending on how its branches load their values: not modelled.)
      return undefined;
    }
    case 'assignment':
      return undefined;
    case 'yield*':
      if (t.isOptionalCallExpression(n)) return symbolLoad(n.callee);
      if (last) return symbolLoad(last.callee);
      if (isOptional(n) || t.isIdentifier(n) || t.isThisExpression(n) || orAnd || t.isConditionalExpression(n)) return BY_VALUE;
      if (t.isUnaryExpression(n) && (n.operator === '!' || n.operator === 'void' || (n.operator === '-' && t.isNumericLiteral(n.argument)))) return BY_VALUE;
      // "yield* (intermediate value) is not iterable": V8 says that of the call to iter() too.
      return undefined;
    case 'default':
      if (t.isOptionalCallExpression(n)) return symbolLoad(n.callee);
      if (t.isCallExpression(n)) return notCallable(n.callee);
      if (endsInCall(n, resolve)) return sequenceCall();
      if (t.isMemberExpression(n) || t.isIdentifier(n) || t.isThisExpression(n)) return printed('', true);
      // Logical and other operators: worded in ways not modelled.
      return undefined;
  }
}
