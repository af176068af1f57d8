/**
 * fast-check arbitraries for whole JavaScript programs over Map/Set/WeakMap/
 * WeakSet (see gen/ for the parts), and their rendering to source text.
 *
 * A program is a prelude (helpers, generated subclasses), a few top-level
 * blocks, then units run one after another (sync, or async in `immediate` or
 * `timer` mode, see gen/async-units.ts), each on fresh collections from
 * `env()`, each printing what it does, then an ending (exit code, exit,
 * uncaught exception, unhandled rejection). Everything printed is
 * deterministic in plain Node, so a plain run and an instrumented run must
 * print the same.
 */
import fc from 'fast-check';
import { asyncUnitArb } from './gen/async-units';
import { classArb } from './gen/classes';
import { ENV_DECL, type Ctx } from './gen/context';
import { endingArb } from './gen/endings';
import { exprArb } from './gen/exprs';
import { prelude } from './gen/prelude';
import { stmtsArb } from './gen/statements';

export type UnitKind = 'sync' | 'immediate' | 'timer';

export interface Unit {
  kind: UnitKind;
  body: string;
}

export interface GenProgram {
  esm: boolean;
  strict: boolean;
  subMap: string;
  subSet: string;
  store: { g0: string; g1: string; ag0: string };
  /** Blocks at module top level, before the units (ESM: may await). */
  inline: Unit[];
  units: Unit[];
  ending: string;
}

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });

const syncCtx: Ctx = { depth: 2, async: false, sched: 'micro', self: 'none' };

function unitArb(allowAsync: boolean): fc.Arbitrary<Unit> {
  const forms: Array<fc.WeightedArbitrary<Unit>> = [w(3, stmtsArb(syncCtx, 6, 1).map((body) => ({ kind: 'sync' as const, body })))];
  if (allowAsync) {
    forms.push(w(3, asyncUnitArb('immediate').map((body) => ({ kind: 'immediate' as const, body }))));
    forms.push(w(1, asyncUnitArb('timer').map((body) => ({ kind: 'timer' as const, body }))));
  }
  return fc.oneof(...forms);
}

// Store's methods see the unit's names through env() of their own (a Store never calls them itself).
const storeArb = fc.record({
  g0: fc.tuple(stmtsArb({ ...syncCtx, depth: 1, self: 'store', inStore: true }, 3), exprArb({ ...syncCtx, self: 'store', inStore: true })).map(([b, r]) => `${ENV_DECL}\n${b}\nreturn ${r};`),
  g1: fc.tuple(stmtsArb({ ...syncCtx, depth: 1, self: 'store', inStore: true }, 2), exprArb({ ...syncCtx, self: 'store', inStore: true })).map(([b, r]) => `${ENV_DECL}\n${b}\nreturn ${r};`),
  ag0: fc.tuple(stmtsArb({ depth: 1, async: true, sched: 'micro', self: 'store', inStore: true }, 3), exprArb({ ...syncCtx, self: 'store', inStore: true })).map(([b, r]) => `${ENV_DECL}\n${b}\nreturn ${r};`),
});

export interface ProgramOptions {
  esm: boolean;
  /** At most this many units (default 6). */
  maxUnits?: number;
}

export function programArb(opts: ProgramOptions): fc.Arbitrary<GenProgram> {
  return fc.record({
    esm: fc.constant(opts.esm),
    strict: opts.esm ? fc.constant(true) : fc.boolean(),
    subMap: classArb('map', 'SubMap', 'Map'),
    subSet: classArb('set', 'SubSet', 'Set'),
    store: storeArb,
    inline: fc.array(unitArb(opts.esm), { maxLength: 2 }),
    units: fc.array(unitArb(true), { minLength: 1, maxLength: opts.maxUnits ?? 6 }),
    ending: endingArb(opts.esm),
  });
}

const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** Replaces the placeholders: `@L` labels, `@N` ids (unique in the program), `@D` timer delays (distinct within a unit). */
function fill(text: string, counters: { label: number; id: number }): string {
  let delay = 0;
  return text
    .replace(/@D/g, () => String(++delay))
    .replace(/@L/g, () => `'L${++counters.label}'`)
    .replace(/@N/g, () => String(++counters.id));
}

/** The program's source text. */
export function render(p: GenProgram): string {
  const counters = { label: 0, id: 0 };
  const parts = [
    prelude({ esm: p.esm, strict: p.strict, subMap: p.subMap, subSet: p.subSet, store: { g0: indent(p.store.g0, '    '), g1: indent(p.store.g1, '    '), ag0: indent(p.store.ag0, '    ') } }),
  ];
  // A top-level block that throws would end the program: what escapes it is printed instead.
  p.inline.forEach((u, i) => parts.push(`// top-level block ${i} (${u.kind})\ntry {\n${indent(`${ENV_DECL}\n${u.body}`)}\n} catch (e) {\n  log('escaped', err(e), frames(e));\n}`));
  p.units.forEach((u, i) => parts.push(`${u.kind === 'sync' ? '' : 'async '}function u${i}() { // ${u.kind}\n${indent(`${ENV_DECL}\n${u.body}`)}\n}`));
  parts.push(`const UNITS = [${p.units.map((_, i) => `u${i}`).join(', ')}];`);
  const loop = `for (const u of UNITS) {\n  log('#', u.name);\n  try {\n    await u();\n  } catch (e) {\n    log('escaped', err(e), frames(e));\n  }\n}`;
  if (p.esm) parts.push(loop, `// ending\n${p.ending}`);
  else parts.push(`async function main() {\n${indent(loop)}\n}\nmain().then(function finish() {\n${indent(p.ending)}\n});`);
  // Each part is filled on its own, so @D restarts at 1 in every unit.
  return parts.map((part) => fill(part, counters)).join('\n') + '\n';
}
