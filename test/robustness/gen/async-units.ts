/**
 * Async units: several tasks over the same collections, interleaving at their
 * awaits, callbacks scheduled on Node's queues, and a join. Everything a unit
 * starts has ended when it returns, so the next unit starts from a quiet loop.
 *
 * Order is deterministic by construction: an `immediate` unit uses promises,
 * nextTick, queueMicrotask and setImmediate (each FIFO, in a fixed order
 * relative to each other); a `timer` unit uses no setImmediate, and creates
 * all its timers first, in one synchronous run, with increasing delays (`@D`):
 * Node takes a timer's start time when it is created, so a timer created later
 * with a shorter delay could fire first on a slow run. Tasks wait for timers
 * through `gates`, promises of those timers made up front.
 */
import fc from 'fast-check';
import type { Ctx } from './context';
import { exprArb } from './exprs';
import { guarded, stmtArb, stmtsArb } from './statements';

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });

export type AsyncMode = 'immediate' | 'timer';

const GATES = 3;

/** A task's steps: in timer mode, microtask steps around at most one wait for a timer (a gate). */
function stepsArb(ctx: Ctx, mode: AsyncMode): fc.Arbitrary<string> {
  const steps = fc.array(stmtArb(ctx), { minLength: 1, maxLength: 4 }).map((xs) => xs.join('\n'));
  const end = fc.constantFrom('', '', '', "throw new Error('task ' + id + ' failed');", 'return m.get(id);', 'return [...s];');
  if (mode === 'immediate') return fc.tuple(steps, end).map(([s, e]) => `${s}\n${e}`);
  const gate = fc.option(fc.integer({ min: 0, max: GATES - 1 }), { freq: 4 });
  return fc.tuple(steps, gate, steps, end).map(([a, g, b, e]) => `${a}\n${g !== null ? `await gates[${g}];\n` : ''}${b}\n${e}`);
}

interface Task {
  kind: 'function' | 'arrow' | 'method';
  body: string;
}

/** A task as a function declaration, an async arrow or an async method using `this`. */
function taskArb(ctx: Ctx, mode: AsyncMode): fc.Arbitrary<Task> {
  const viaThis: Ctx = { ...ctx, self: 'obj' };
  return fc.oneof(
    w(3, stepsArb(ctx, mode).map((body) => ({ kind: 'function' as const, body }))),
    w(2, stepsArb(ctx, mode).map((body) => ({ kind: 'arrow' as const, body }))),
    w(1, stepsArb(viaThis, mode).map((body) => ({ kind: 'method' as const, body }))),
  );
}

function taskCode(t: Task, i: number): { decl: string; call: string } {
  switch (t.kind) {
    case 'function':
      return { decl: `async function task${i}(id) {\n${t.body}\n}`, call: `task${i}(${i})` };
    case 'arrow':
      return { decl: `const task${i} = async (id) => {\n${t.body}\n};`, call: `task${i}(${i})` };
    case 'method':
      return { decl: `const task${i} = { m, s, async run(id) {\n${t.body}\n} };`, call: `task${i}.run(${i})` };
  }
}

/** A callback put on one of Node's queues; the unit waits for it through `done`. */
function scheduledArb(ctx: Ctx, mode: AsyncMode): fc.Arbitrary<string> {
  const sync: Ctx = { ...ctx, async: false, depth: 0 };
  const queues = mode === 'timer' ? ['(f) => setTimeout(f, @D)', '(f) => process.nextTick(f)', '(f) => queueMicrotask(f)'] : ['setImmediate', '(f) => process.nextTick(f)', 'queueMicrotask', '(f) => Promise.resolve().then(f)'];
  return fc
    .tuple(fc.constantFrom(...queues), exprArb(sync).chain(guarded))
    .map(([q, body]) => `done.push(new Promise((r) => (${q})(() => { try { ${body} } catch (e) { log(@L, '!', err(e)); } finally { r(); } })));`);
}

/** Waits for the tasks; always ends with allSettled, so no task outlives the unit. */
const JOINS = [
  "try { log(@L, await Promise.all(ps)); } catch (e) { log(@L, '!', err(e)); }",
  "log(@L, (await Promise.allSettled(ps)).map((r) => r.status + ':' + (r.status === 'fulfilled' ? show(r.value) : err(r.reason))));",
  "for (const p of ps.map((p) => p.catch((e) => 'rejected ' + err(e)))) log(@L, await p);",
  "try { log(@L, await Promise.race(ps)); } catch (e) { log(@L, '!', err(e)); }",
  "try { log(@L, await Promise.any(ps)); } catch (e) { log(@L, '!', err(e), e.errors?.map(err)); }",
  "log(@L, (await Promise.allSettled(new Set(ps))).length);",
];

/** The body of an async unit (after its env declarations). */
export function asyncUnitArb(mode: AsyncMode): fc.Arbitrary<string> {
  const ctx: Ctx = { depth: 1, async: true, sched: mode === 'immediate' ? 'immediate' : 'micro', self: 'none' };
  return fc
    .record({
      pre: stmtsArb({ ...ctx, sched: 'micro' }, 2),
      tasks: fc.array(taskArb(ctx, mode), { minLength: 1, maxLength: 3 }).map((ts) => ts.map(taskCode)),
      scheduled: fc.array(scheduledArb(ctx, mode), { maxLength: 3 }),
      join: fc.constantFrom(...JOINS),
      post: stmtsArb(ctx, 2),
      awaitFirst: fc.boolean(),
    })
    .map(({ pre, tasks, scheduled, join, post, awaitFirst }) =>
      [
        'const done = [];',
        'let ps = [];',
        // Every timer first, in order of delay (see the top of this file).
        mode === 'timer' ? `const gates = [${Array.from({ length: GATES }, () => 'sleep(@D)').join(', ')}];` : '',
        ...scheduled.filter((x) => x.includes('setTimeout')),
        // Whatever the body throws, the unit ends only when all it started has ended.
        'try {',
        pre,
        ...tasks.map((t) => t.decl),
        `ps = [${tasks.map((t) => t.call).join(', ')}];`,
        // Handled now: a task failing before the join must not be an unhandled rejection.
        'for (const p of ps) p.catch(() => {});',
        ...scheduled.filter((x) => !x.includes('setTimeout')),
        awaitFirst && mode === 'immediate' ? 'await immediate();' : '',
        join,
        post,
        '} finally {',
        'await Promise.allSettled(ps);',
        'await Promise.all(done);',
        mode === 'timer' ? 'await Promise.all(gates);' : '',
        '}',
      ]
        .filter(Boolean)
        .join('\n'),
    );
}

