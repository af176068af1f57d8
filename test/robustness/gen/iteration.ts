/**
 * Every iteration form over a generated iterable: for..of (with several
 * heads), spread in arrays and in call arguments, array destructuring in
 * declarations, assignments and parameters, yield*, Array.from, collection
 * constructors, and in async code for await and Promise.all.
 */
import fc from 'fast-check';
import type { Ctx } from './context';
import { callbackArb, iterableArb, mutationArb } from './exprs';

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });

/** for..of heads: the binding written and what the body prints of it. */
const HEADS: Array<[string, string, string]> = [
  ['', 'const x', 'x'],
  ['', 'let x', 'x'],
  ['', 'const [a, b]', 'a, b'],
  ['', "const [a = K('dflt'), ...rest]", 'a, rest'],
  ['let x; ', 'x', 'x'],
  ['const o = {}; ', 'o.p', 'o.p'],
];

function forOfArb(ctx: Ctx, body: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .record({
      head: fc.constantFrom(...HEADS),
      it: iterableArb(ctx),
      mutation: fc.option(mutationArb('x'), { freq: 3 }),
      jump: fc.constantFrom('', '', 'if (x === 2) continue;', "if (x === 'x') break;"),
      body,
      label: fc.boolean(),
    })
    .map(({ head: [pre, binding, shown], it, mutation, jump, body: inner, label }) => {
      const loop = `for (${binding} of ${it}) { if (!more(@N)) break; log(@L, 'of', ${shown}); ${binding.includes('x') ? jump : ''} ${mutation && binding.includes('x') ? mutation : ''} ${inner} }`;
      // Labels don't nest: an inner labelled loop keeps its own label only.
      return `{ ${pre}${label && !inner.includes('outer:') ? `outer: for (const y of [1, 2]) { ${loop.replace('break;', 'break outer;')} }` : loop} }`;
    });
}

/** One iteration statement, printing what it iterated. */
export function iterationArb(ctx: Ctx, body: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const it = iterableArb(ctx);
  // A generator's body can't await: what it delegates to is written without await.
  const inGenerator = iterableArb({ ...ctx, async: false });
  const forms: Array<fc.WeightedArbitrary<string>> = [
    w(5, forOfArb(ctx, body)),
    w(3, it.map((i) => `log(@L, [...${i}]);`)),
    w(1, fc.tuple(it, it).map(([a, b]) => `log(@L, [0, ...${a}, ...${b}]);`)),
    w(2, fc.tuple(it, fc.constantFrom('arr', 'Math.max', 'K', 'log.bind(null, @L)', 'String.raw')).map(([i, f]) => `log(@L, ${f}(...${i}));`)),
    w(1, fc.tuple(it, fc.constantFrom('m.set', 's.add', 'm.get', 'new Set', 'arr')).map(([i, f]) => `log(@L, ${f}(1, ...${i}));`)),
    w(2, it.map((i) => `{ const [a, b, ...r] = ${i}; log(@L, a, b, r); }`)),
    w(1, it.map((i) => `{ let [, second = K('none')] = ${i}; log(@L, second); }`)),
    w(2, it.map((i) => `{ let a, b; [a, b] = ${i}; log(@L, a, b); }`)),
    w(1, it.map((i) => `{ let a; log(@L, [a] = ${i}, a); }`)),
    w(1, it.map((i) => `{ let a, b; for ([a, b] = ${i}; false; ); log(@L, a, b); }`)),
    w(3, fc.tuple(it, fc.option(callbackArb(), { freq: 2 })).map(([i, cb]) => `log(@L, Array.from(${i}${cb ? `, ${cb}` : ''}));`)),
    w(2, inGenerator.map((i) => `log(@L, [...(function* () { yield 0; yield* ${i}; })()]);`)),
    w(1, inGenerator.map((i) => `{ const g = (function* () { const r = yield* ${i}; log(@L, 'ret', r); })(); log(@L, g.next(), g.next(), g.return(5)); }`)),
    w(1, it.map((i) => `log(@L, (([a, b]) => [a, b])(${i}));`)),
    w(1, fc.tuple(it, fc.constantFrom('new Map', 'new Set', 'new WeakSet', 'Object.fromEntries', 'new WeakMap')).map(([i, f]) => `log(@L, ${f}(${i}));`)),
  ];
  if (ctx.async) {
    forms.push(
      w(2, fc.tuple(it, body).map(([i, inner]) => `for await (const x of ${i}) { if (!more(@N)) break; log(@L, 'await-of', x); ${inner} }`)),
      w(1, it.map((i) => `{ async function* ag() { yield 'ag0'; await tick(); yield* ${i}; } for await (const x of ag()) { if (!more(@N)) break; log(@L, 'ag', x); } }`)),
      w(2, fc.tuple(it, fc.constantFrom('all', 'allSettled', 'any', 'race')).map(([i, f]) => `log(@L, await Promise.${f}(${i}));`)),
      w(1, fc.constantFrom('all', 'allSettled').map((f) => `log(@L, await Promise.${f}(new Set([Promise.resolve(1), tick(), m.get(1)])));`)),
    );
  }
  return fc.oneof(...forms);
}
