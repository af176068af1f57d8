/**
 * What async code waits for: values, promises and the schedulers whose
 * relative order Node guarantees.
 */
import fc from 'fast-check';
import type { Ctx } from './context';

const MICRO = ['null', 'K(1)', 'Promise.resolve(m)', 'tick()', 'micro()', 'thenable(3)', 'pm', '(async () => 5)()', 'Promise.resolve().then(() => s.size)'];
const IMMEDIATE = ['immediate()', 'immediate().then(() => m.get(1))'];

/** An expression to await; crosses a macrotask only where ctx.sched allows. */
export function awaitableArb(ctx: Ctx): fc.Arbitrary<string> {
  return fc.constantFrom(...MICRO, ...(ctx.sched === 'immediate' ? IMMEDIATE : []));
}
