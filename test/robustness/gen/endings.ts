/**
 * How a program ends, after its units: normally, with an exit code, through
 * process.exit, or dying of an uncaught exception or unhandled rejection (so
 * that Node prints the error, its location and its stack).
 */
import fc from 'fast-check';
import { ENV_DECL, type Ctx } from './context';
import { callArb } from './exprs';

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });

const CRASHES = [
  "throw new RangeError('the end');",
  'nil.get(1);',
  'nf.get(1);',
  'h.n.set(1, 2);',
  'h.boom.get(1);',
  '[...h.n];',
  "for (const x of 5) log('never', x);",
  'wm.set(1, 2);',
  'Map.prototype.get.call(s, 1);',
  'new Map([1]);',
  "m.forEach(function each(v, k) { if (k === 2) throw new Error('from forEach at ' + k); });",
  'const [a] = nil;',
  "sm.set('bad', 1); ss.add('bad'); throw new Error('no override threw');",
  'fk.forEach(() => { throw new TypeError(\'from fake forEach\'); });',
];

const sync: Ctx = { depth: 0, async: false, sched: 'micro', self: 'none' };

/** A statement that (most likely) throws, in a function of its own so the stack has a few frames. */
const crashArb: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(w(3, fc.constantFrom(...CRASHES)), w(1, callArb(sync).map((c) => `${c};`))), fc.boolean())
  .map(([c, deep]) => (deep ? `function inner(k) {\n${c}\n}\n[1].map((k) => inner(k));` : c));

const VALUES = ["'a string'", '{ code: 5 }', 'null', '42', 'undefined', "Symbol('thrown')", '[1, 2]'];

/** The statements that end the program; `esm`: they run at module top level, else in a `.then` callback. */
export function endingArb(esm: boolean): fc.Arbitrary<string> {
  const code = fc.integer({ min: 0, max: 9 }).map((n) => (n === 8 ? 42 : n));
  const forms: Array<fc.WeightedArbitrary<string>> = [
    w(3, fc.constant('')),
    w(2, code.map((n) => `process.exitCode = ${n};`)),
    w(1, code.map((n) => `process.exit(${n});`)),
    w(1, code.map((n) => `setImmediate(() => { log('exiting'); process.exit(${n}); });\nsetImmediate(() => log('never'));`)),
    w(1, code.map((n) => `process.exitCode = ${n};\nprocess.exit();`)),
    w(4, crashArb.map((c) => `setImmediate(function crash() {\n${ENV_DECL}\n${c}\n});`)),
    w(1, fc.tuple(code, crashArb).map(([n, c]) => `process.exitCode = ${n};\nsetTimeout(function crash() {\n${ENV_DECL}\n${c}\n}, 1);`)),
    w(2, crashArb.map((c) => `(async function failing() {\n${ENV_DECL}\nawait null;\n${c}\n})();`)),
    w(1, fc.constant("Promise.reject(new TypeError('late rejection'));")),
    w(1, fc.constantFrom(...VALUES).map((v) => `setImmediate(() => { throw ${v}; });`)),
    w(2, crashArb.map((c) => `{\n${ENV_DECL}\n${c}\n}`)),
  ];
  if (esm) forms.push(w(1, fc.constant('await new Promise(() => {});')), w(1, fc.constantFrom(...VALUES).map((v) => `throw ${v};`)));
  return fc.oneof(...forms);
}
