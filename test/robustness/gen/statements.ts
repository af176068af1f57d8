/**
 * Statements: printed expressions (guarded by try/catch or not), iteration,
 * try/catch/finally, local functions, methods using `this`, local subclasses,
 * awaits in async code, and names that collide with the transform's own.
 */
import fc from 'fast-check';
import { awaitableArb } from './awaits';
import { classArb } from './classes';
import { ctxKey, type Ctx } from './context';
import { callArb, collectionArb, exprArb, keyArb, sizeArb, sizeWriteArb, THIS_TEXT } from './exprs';
import { iterationArb } from './iteration';

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });

/** Prints `e`, catching what it throws (or not: then it escapes to the enclosing try or the unit). */
export function guarded(e: string): fc.Arbitrary<string> {
  const forms: Array<fc.WeightedArbitrary<string>> = [
    w(2, fc.constant(`log(@L, ${e});`)),
    w(4, fc.constant(`try { log(@L, ${e}); } catch (e) { log(@L, '!', err(e)); }`)),
    w(2, fc.constant(`try { log(@L, ${e}); } catch (e) { log(@L, '!', err(e), frames(e)); }`)),
  ];
  // An arrow can't await.
  if (!/\bawait\b/.test(e)) forms.push(w(3, fc.constant(`t(@L, () => ${e});`)));
  return fc.oneof(...forms);
}

const memo = new Map<string, fc.Arbitrary<string>>();

/** One statement for `ctx` (memoised: the arbitraries of nested levels are built once). */
export function stmtArb(ctx: Ctx): fc.Arbitrary<string> {
  const key = ctxKey(ctx);
  let arb = memo.get(key);
  if (!arb) {
    arb = build(ctx);
    memo.set(key, arb);
  }
  return arb;
}

/** A few statements, one per line. */
export function stmtsArb(ctx: Ctx, maxLength: number, minLength = 0): fc.Arbitrary<string> {
  return fc.array(stmtArb(ctx), { minLength, maxLength }).map((xs) => xs.join('\n'));
}

function build(ctx: Ctx): fc.Arbitrary<string> {
  const inner: Ctx = { ...ctx, depth: ctx.depth - 1 };
  const nested = ctx.depth > 0 ? stmtsArb(inner, 3) : fc.constant('');
  const loopBody = ctx.depth > 0 ? fc.option(stmtArb(inner), { freq: 2, nil: '' }) : fc.constant('');
  const forms: Array<fc.WeightedArbitrary<string>> = [
    w(10, exprArb(ctx).chain(guarded)),
    w(5, iterationArb(ctx, loopBody).chain((s) => fc.constantFrom(s, `try { ${s} } catch (e) { log(@L, '!', err(e)); }`))),
    w(1, sizeWriteArb(ctx).map((s) => `try { ${s} } catch (e) { log(@L, '!', err(e)); }`)),
    w(1, fc.tuple(fc.constantFrom('lm', 'ls'), fc.constantFrom('new Map(m)', 's', 'sm', 'null', 'h.fresh', 'new Set(m.keys())', 'ss')).map(([v, x]) => `${v} = ${x};`)),
    w(1, sizeArb(ctx, fc.constantFrom('m', 'lm', 's')).chain((e) => fc.constant(`{ const _f = 'user _f', _o = 'user _o', _t = 't', _arc = 'arc', _ar = 'ar'; log(@L, ${e}, _f, _o, _t, _arc, _ar); }`))),
    w(1, callArb(ctx).map((e) => `{ const _f = 1, _o = 2; try { log(@L, ${e}, _f + _o); } catch (e) { log(@L, '!', err(e)); } }`)),
    w(1, fc.constantFrom(...(ctx.inStore ? [] : ["t(@L, () => st.g0(K(1)));", "t(@L, () => st.g1('x'));"]), "t(@L, () => [...st.keys()]);", "t(@L, () => st.read(1));")),
  ];
  if (ctx.depth > 0) {
    forms.push(
      w(3, fc.tuple(nested, fc.boolean(), fc.constantFrom('catch (e) { log(@L, \'!\', err(e)); }', 'catch (e) { log(@L, \'!\', err(e), frames(e)); }', "catch { log(@L, 'caught'); }")).map(([b, fin, c]) =>
        `try {\n${b}\n} ${c}${fin ? ` finally { log(@L, 'finally'); }` : ''}`,
      )),
      w(1, nested.map((b) => `try { try {\n${b}\n} finally { log(@L, 'inner finally'); } } catch (e) { log(@L, '!', err(e)); }`)),
      w(2, functionArb(inner)),
      w(2, methodsArb(inner)),
      w(2, localClassArb(inner)),
      w(1, fc.constantFrom("throw new SyntaxError('unit gives up');", "if (m.has(1)) throw new RangeError('m has 1');")),
    );
  }
  if (ctx.async) {
    const aw = awaitableArb(ctx);
    forms.push(
      w(3, aw.map((a) => `await ${a};`)),
      w(2, aw.chain((a) => guarded(`await ${a}`))),
      w(2, exprArb(ctx).chain((e) => guarded(`await ${e}`))),
      w(1, fc.constant("try { await rejecting('r'); } catch (e) { log(@L, '!', err(e)); } finally { log(@L, 'finally'); }")),
      w(2, fc.tuple(collectionArb, keyArb, aw).map(([r, k, a]) => `if (!${r}.has(${k})) { await ${a}; ${r}.set(${k}, 'late'); } else log(@L, 'had', ${r}.get(${k}));`)),
      ...(ctx.inStore ? [] : [w(1, fc.constant("try { log(@L, await st.ag0(K(1))); } catch (e) { log(@L, '!', err(e)); }"))]),
    );
  }
  return fc.oneof(...forms);
}

/** A local function (sync, or async inside async code) called once, printing its result. */
function functionArb(ctx: Ctx): fc.Arbitrary<string> {
  const sync: Ctx = { ...ctx, async: false, self: 'none' };
  const plain = fc
    .tuple(stmtsArb(sync, 3), exprArb(sync), fc.constantFrom('f(K(1), 2)', 'f()', 'f.call(m, 1)', 'new f(3)'))
    .map(([b, r, call]) => `{ function f(a, b) { log(@L, 'f', arguments.length, a, ${THIS_TEXT});\n${b}\nreturn ${r}; }\ntry { log(@L, ${call}); } catch (e) { log(@L, '!', err(e), frames(e)); } }`);
  // An async function called from sync code runs on after it: it must not cross a macrotask (see Ctx.sched).
  const asyncCtx: Ctx = { ...ctx, async: true, self: 'none', sched: ctx.async ? ctx.sched : 'micro' };
  const waits = fc
    .tuple(stmtsArb(asyncCtx, 3), exprArb(asyncCtx))
    .map(([b, r]) => {
      const fn = `async function af(a) {\n${b}\nreturn ${r}; }`;
      return ctx.async
        ? `{ ${fn}\ntry { log(@L, await af(1)); } catch (e) { log(@L, '!', err(e), frames(e)); } }`
        : `{ ${fn}\naf(1).then((v) => log(@L, 'af', v), (e) => log(@L, 'af !', err(e))); }`;
    });
  return fc.oneof(w(3, plain), w(2, waits));
}

/** An object whose methods use `this`, called with it, without it, and with another `this`. */
function methodsArb(ctx: Ctx): fc.Arbitrary<string> {
  const self: Ctx = { ...ctx, async: false, self: 'obj' };
  return fc
    .tuple(stmtsArb(self, 2), exprArb(self), fc.subarray(["log(@L, o.run(K(1)));", "t(@L, () => o.view.get(1));", "{ const run = o.run; t(@L, () => run(2)); }", "t(@L, () => o.run.call({ m: s, s: m }, 1));", "t(@L, () => o.arrow());"], { minLength: 1 }))
    .map(([b, r, calls]) =>
      `{ const o = { m, s, tag: 'o', run(k) {\n${b}\nreturn ${r}; }, get view() { return this.m; }, arrow: () => typeof this };\n${calls.map((c) => (c.startsWith('log') ? `try { ${c} } catch (e) { log(@L, '!', err(e)); }` : c)).join('\n')} }`,
    );
}

/** A class extending Map or Set declared in the unit, and a few operations on an instance. */
function localClassArb(ctx: Ctx): fc.Arbitrary<string> {
  const extra = fc.option(exprArb({ ...ctx, async: false, self: 'none', depth: 0 }).map((e) => `try { log(@L, ${e}); } catch (e) { log(@L, '!', err(e)); }`), { freq: 3, nil: '' });
  const bases: Array<['map' | 'set', string, string]> = [
    ['map', 'Map', "[[1, 'l1'], [2, 'l2']]"],
    ['map', 'SubMap', "[[1, 'l1']]"],
    ['set', 'Set', "[1, 'x']"],
    ['set', 'SubSet', '[2]'],
  ];
  return fc.constantFrom(...bases).chain(([kind, base, init]) => {
    const ops = fc.array(
      fc.oneof(w(4, callArb({ ...ctx, async: false }, fc.constant('l'))), w(1, sizeArb(ctx, fc.constant('l'))), w(1, fc.constantFrom('[...l]', 'Array.from(l)', 'l.peek?.(1)', 'l.count?.()'))),
      { minLength: 1, maxLength: 3 },
    );
    return fc
      .tuple(classArb(kind, 'L', base, extra), ops)
      .map(([cls, xs]) => `{ ${cls}\nlet l; try { l = new L(${init}); } catch (e) { log(@L, '!', err(e)); }\n${xs.map((e) => `try { log(@L, ${e}); } catch (e) { log(@L, '!', err(e)); }`).join('\n')} }`);
  });
}

