/**
 * Expressions over the unit's collections: receivers, keys, method calls in
 * every call form, `size` reads and iterables. `@L` in the text is replaced by
 * a unique label and `@N` by a unique number when the program is rendered.
 */
import fc from 'fast-check';
import type { Ctx } from './context';

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });
const pick = (...xs: string[]): fc.Arbitrary<string> => fc.constantFrom(...xs);

export const keyArb: fc.Arbitrary<string> = pick('1', '2', '3', "'x'", "'nope'", 'NaN', '-0', 'O1', 'O2', 'null', 'undefined', 'K(1)', "K('x')", 'K(O1)', "'bad'");
export const valueArb: fc.Arbitrary<string> = pick("'v'", '42', 'O2', 'undefined', 'K(7)', 'm', '[1, 2]', 'null');

const MAP_RECEIVERS = ['m', 'lm', 'sm', 'h.m', "h['m']", 'h.g', 'h.fresh', 'st.items', 'px', 'im', '(K(0), m)', 'h.pick(1)', 'mm.get(1)', "new Map([[1, 'n1']])"];
const SET_RECEIVERS = ['s', 'ls', 'ss', 'h.s', 'h.pick(0)', 'mm.get(2)'];
const OTHER_RECEIVERS = ['wm', 'ws', 'fk', 'nf'];
const BAD_RECEIVERS = ['nil', 'un', 'h.n', 'h.boom', 'nil?.m', 'h.n?.m', 'h?.n', 'h?.m', 'mm.get(3)', 'mm.get(9)?.x'];
const SELF_RECEIVERS: Record<Ctx['self'], string[]> = {
  none: [],
  obj: ['this.m', 'this.s', 'this?.m', "this['s']"],
  store: ['this.#m', 'this.list', 'this.items', '(this.#m ?? m)'],
};

/** A receiver: mostly real collections, sometimes look-alikes, nullish values or throwing getters. */
export function receiverArb(ctx: Ctx): fc.Arbitrary<string> {
  const own = SELF_RECEIVERS[ctx.self];
  const base = fc.oneof(
    w(6, pick(...MAP_RECEIVERS)),
    w(4, pick(...SET_RECEIVERS)),
    w(2, pick(...OTHER_RECEIVERS)),
    w(1, pick(...BAD_RECEIVERS)),
    ...(own.length ? [w(4, pick(...own))] : []),
    ...(ctx.async ? [w(1, pick('(await pm)', '(await Promise.resolve(s))', '(await K(m))'))] : []),
  );
  return fc.oneof(
    w(12, base),
    w(1, fc.tuple(base, keyArb, valueArb).map(([r, k, v]) => `${r}.set(${k}, ${v})`)),
    w(1, fc.tuple(base, base).map(([a, b]) => `(${a} || ${b})`)),
  );
}

/** A receiver that is (most likely) a Map or a Set, for mutations inside loops and callbacks. */
export const collectionArb: fc.Arbitrary<string> = pick('m', 's', 'lm', 'sm', 'ss', 'h.m');

export const METHODS = ['get', 'set', 'has', 'delete', 'clear', 'add', 'forEach', 'keys', 'values', 'entries'] as const;
export type Method = (typeof METHODS)[number];

type CallForm = (r: string, meth: string, args: string) => string;
const comma = (args: string): string => (args ? `, ${args}` : '');

/** The syntactic forms of a method call `r.meth(args)`. */
const CALL_FORMS: Array<[number, CallForm]> = [
  [12, (r, m, a) => `${r}.${m}(${a})`],
  [2, (r, m, a) => `${r}?.${m}(${a})`],
  [2, (r, m, a) => `${r}.${m}?.(${a})`],
  [1, (r, m, a) => `${r}?.${m}?.(${a})`],
  [2, (r, m, a) => `${r}['${m}'](${a})`],
  [1, (r, m, a) => `${r}?.['${m}'](${a})`],
  [1, (r, m, a) => `${r}[NAMES.${m}](${a})`],
  [1, (r, m, a) => `${r}[${m}Name](${a})`],
  [1, (r, m, a) => `(${r}).${m}(${a})`],
  [1, (r, m, a) => `(${r}.${m})(${a})`],
  [1, (r, m, a) => `${r}.${m}.call(${r}${comma(a)})`],
  [1, (r, m, a) => `Map.prototype.${m}.call(${r}${comma(a)})`],
  [1, (r, m, a) => `(0, ${r}.${m})(${a})`],
  [1, (r, m, a) => `${r}.${m}.apply(${r}, [${a}])`],
];
const callFormArb: fc.Arbitrary<CallForm> = fc.oneof(...CALL_FORMS.map(([weight, f]) => w(weight, fc.constant(f))));

/** `this` as a callback prints it (its value depends on strictness and the call). */
export const THIS_TEXT = "this === undefined ? 'this:undefined' : this === globalThis ? 'this:global' : show(this)";

/** One mutation of a collection, as a statement (loops and callbacks use at most one: no endless growth). */
export function mutationArb(current: string): fc.Arbitrary<string> {
  return fc
    .tuple(collectionArb, pick(`delete(${current})`, `set(${current}, 'upd')`, "set(9, 'nine')", 'add(9)', `add(${current})`, 'clear()', 'delete(1)'))
    .map(([r, op]) => `${r}.${op};`);
}

/** A callback for forEach and Array.from: logs its arguments, may mutate, may throw, may print `this`. */
export function callbackArb(): fc.Arbitrary<string> {
  const body = fc
    .record({ mutation: fc.option(mutationArb('k'), { freq: 3 }), throwAt: fc.option(keyArb, { freq: 4 }), logThis: fc.boolean() })
    .map(({ mutation, throwAt, logThis }) =>
      [
        'if (!more(@N)) return;',
        `log(@L, 'cb', v, k${logThis ? `, ${THIS_TEXT}` : ''});`,
        mutation ?? '',
        throwAt !== null ? `if (k === ${throwAt}) throw new Error('cb threw at ' + String(k));` : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  return fc.oneof(
    w(4, body.map((b) => `function (v, k, c) { ${b} }`)),
    w(3, body.map((b) => `(v, k) => { ${b} }`)),
    w(1, body.map((b) => `function each@N(v, k) { ${b} }`)),
    w(1, pick('log', 'null', 'K', 'undefined', '42')),
    w(1, body.map((b) => `async (v, k) => { try { await null; ${b} } catch (e) { log(@L, '!', err(e)); } }`)),
  );
}

/** Arguments of a call of `meth`, sometimes the wrong number, spread, or (in async code) awaited. */
function argsArb(meth: Method, ctx: Ctx): fc.Arbitrary<string> {
  let proper: fc.Arbitrary<string>;
  switch (meth) {
    case 'get':
    case 'has':
    case 'delete':
    case 'add':
      proper = keyArb;
      break;
    case 'set':
      proper = fc.tuple(keyArb, valueArb).map(([k, v]) => `${k}, ${v}`);
      break;
    case 'forEach':
      proper = fc.tuple(callbackArb(), fc.option(pick("{ tag: 'thisArg' }", 'st', 'm'), { freq: 3 })).map(([cb, self]) => (self ? `${cb}, ${self}` : cb));
      break;
    default:
      proper = fc.constant('');
  }
  const odd: Array<fc.WeightedArbitrary<string>> = [
    w(1, fc.constant('')),
    w(1, fc.tuple(keyArb, keyArb, valueArb).map((xs) => xs.join(', '))),
    w(1, keyArb.map((k) => `...[${k}, 'sv']`)),
    w(1, pick('...m', '...s', '...nil', '...m.keys()', '...fk', "...'ab'")),
  ];
  if (ctx.async) {
    const awaited = (k: string, how: number): string => [`await ${k}`, `await Promise.resolve(${k})`, `(await tick(), ${k})`][how]!;
    odd.push(w(3, fc.tuple(keyArb, valueArb, fc.integer({ min: 0, max: 2 })).map(([k, v, how]) => `${awaited(k, how)}, ${v}`)));
  }
  return fc.oneof(w(12, proper), ...odd);
}

/** A method call on a receiver, in one of the call forms. */
export function callArb(ctx: Ctx, receiver: fc.Arbitrary<string> = receiverArb(ctx)): fc.Arbitrary<string> {
  return fc
    .constantFrom(...METHODS)
    .chain((meth) => fc.tuple(receiver, callFormArb, argsArb(meth, ctx)).map(([r, form, args]) => form(r, meth, args)));
}

/** A read of `size` in one of its forms. */
export function sizeArb(ctx: Ctx, receiver: fc.Arbitrary<string> = receiverArb(ctx)): fc.Arbitrary<string> {
  const forms: Array<(r: string) => string> = [
    (r) => `${r}.size`,
    (r) => `${r}?.size`,
    (r) => `${r}['size']`,
    (r) => `${r}?.['size']`,
    (r) => `(${r}).size`,
    (r) => `typeof ${r}.size`,
    (r) => `${r}.size > 1 ? 'many' : 'few'`,
  ];
  return fc.tuple(receiver, fc.constantFrom(...forms)).map(([r, f]) => f(r));
}

/** A statement that writes or deletes `size` (a getter-only accessor) or destructures it. */
export function sizeWriteArb(ctx: Ctx): fc.Arbitrary<string> {
  // Parenthesised: an optional chain can't be assigned to, but `(a?.b).size = 5` can.
  const forms: Array<(r: string) => string> = [
    (r) => `log(@L, (${r}).size = 5);`,
    (r) => `log(@L, (${r}).size++);`,
    (r) => `log(@L, delete ${r}.size);`,
    (r) => `{ const { size } = ${r}; log(@L, size); }`,
    (r) => `{ let size; ({ size } = ${r}); log(@L, size); }`,
    (r) => `log(@L, (${r}).size += 1);`,
  ];
  return fc.tuple(receiverArb(ctx), fc.constantFrom(...forms)).map(([r, f]) => f(r));
}

/** Something to iterate: a collection, one of its iterators, a look-alike, or a value that is not iterable. */
export function iterableArb(ctx: Ctx): fc.Arbitrary<string> {
  const receiver = receiverArb(ctx);
  return fc.oneof(
    w(6, receiver),
    w(4, fc.tuple(receiver, pick('keys', 'values', 'entries'), callFormArb).map(([r, meth, form]) => form(r, meth, ''))),
    w(2, pick('null', 'undefined', '5', '{}', "'ab'", '[1, 2]', 'true', 'O1', 'fk', 'nf', 'h.n', 'h.boom', 'K(m)', 'K(null)', '(0, m)')),
    w(1, fc.tuple(receiver, keyArb).map(([r, k]) => `${r}.get(${k})`)),
    w(1, receiver.map((r) => `gen(${r})`)),
  );
}

/** Any expression worth printing: a call, a size read or a chain on a call's result. */
export function exprArb(ctx: Ctx): fc.Arbitrary<string> {
  return fc.oneof(
    w(8, callArb(ctx)),
    w(2, sizeArb(ctx)),
    w(1, fc.tuple(callArb(ctx), pick('?.size', '.size', '?.get?.(1)', '?.x', '.get(1)')).map(([c, tail]) => `${c}${tail}`)),
    w(1, fc.tuple(receiverArb(ctx), keyArb, valueArb, keyArb).map(([r, k, v, k2]) => `${r}.set(${k}, ${v}).get(${k2})`)),
  );
}
