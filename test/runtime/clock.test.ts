/**
 * Sparse vector clocks (src/runtime/clock.ts): `[chain, time, ...]` in chain
 * order, a chain not listed at time 0. Checked against a dense model: a clock
 * is the elementwise maximum of what it joins.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY, beforeAt, join, joinAll, sameClock, stamped, timeOn, type Clock } from '../../src/runtime/clock';

/** The dense form of a clock: time per chain, zeros left out. */
function dense(c: Clock): Record<number, number> {
  const out: Record<number, number> = {};
  for (let i = 0; i < c.length; i += 2) if (c[i + 1]! > 0) out[c[i]!] = c[i + 1]!;
  return out;
}

function denseMax(cs: Clock[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const c of cs) for (const [ch, t] of Object.entries(dense(c))) out[Number(ch)] = Math.max(out[Number(ch)] ?? 0, t);
  return out;
}

/** Valid sparse clocks: increasing chains, positive times. */
const clockArb = fc
  .dictionary(fc.integer({ min: 0, max: 12 }).map(String), fc.integer({ min: 1, max: 9 }), { maxKeys: 6 })
  .map((d) =>
    Object.keys(d)
      .map(Number)
      .sort((a, b) => a - b)
      .flatMap((ch) => [ch, d[String(ch)]!]),
  );

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const sorted = (c: Clock): boolean => {
  for (let i = 2; i < c.length; i += 2) if (c[i - 2]! >= c[i]!) return false;
  return true;
};

describe('timeOn', () => {
  it('finds the time of a listed chain and 0 for one not listed', () => {
    const c = [0, 3, 2, 1, 7, 4];
    expect([0, 1, 2, 5, 7, 9].map((ch) => timeOn(c, ch))).toEqual([3, 0, 1, 0, 4, 0]);
    expect(timeOn(EMPTY, 0)).toBe(0);
  });
});

describe('join', () => {
  it('returns its first argument itself when the second adds nothing, and the second when the first is empty', () => {
    const a = [0, 3, 2, 1];
    expect(join(a, null)).toBe(a);
    expect(join(a, undefined)).toBe(a);
    expect(join(a, EMPTY)).toBe(a);
    expect(join(a, [2, 1])).toBe(a);
    expect(join(a, [0, 2])).toBe(a);
    const b = [1, 4];
    expect(join(EMPTY, b)).toBe(b);
    // b knows everything a does: b itself, no copy.
    const wider = [0, 3, 1, 1, 2, 5];
    expect(join(a, wider)).toBe(wider);
  });

  it('takes the later time on every chain of either', () => {
    expect(join([0, 3, 2, 1], [1, 4, 2, 5])).toEqual([0, 3, 1, 4, 2, 5]);
    expect(join([0, 3, 5, 1], [0, 1, 3, 2])).toEqual([0, 3, 3, 2, 5, 1]);
  });

  it('is the elementwise maximum, sorted, whatever the clocks', () => {
    fc.assert(
      fc.property(clockArb, clockArb, (a, b) => {
        const j = join(a, b);
        return sorted(j) && same(dense(j), denseMax([a, b])) && sameClock(j, join(b, a));
      }),
      { seed: 15, numRuns: 200 },
    );
  });
});

describe('joinAll', () => {
  it('is the fold of join over its clocks, skipping null and empty ones, and changes none of them', () => {
    fc.assert(
      fc.property(fc.array(fc.option(clockArb, { nil: null }), { maxLength: 6 }), (cs) => {
        const copies = cs.map((c) => (c ? [...c] : c));
        const all = joinAll(cs);
        return sorted(all) && same(dense(all), denseMax(cs.filter((c): c is number[] => !!c))) && same(cs, copies);
      }),
      { seed: 15, numRuns: 200 },
    );
  });

  it('returns the first clock itself when the others add nothing', () => {
    const a = [0, 3, 2, 1];
    expect(joinAll([a, null, [0, 1], a, EMPTY])).toBe(a);
    expect(joinAll([])).toBe(EMPTY);
  });
});

describe('sameClock', () => {
  it('compares times, not identity', () => {
    expect(sameClock([0, 1, 2, 3], [0, 1, 2, 3])).toBe(true);
    expect(sameClock([0, 1, 2, 3], [0, 1, 2, 4])).toBe(false);
    expect(sameClock([0, 1], [0, 1, 2, 3])).toBe(false);
  });
});

describe('stamped', () => {
  it("puts the event at its place and keeps the predecessor's entries that `keeps` says", () => {
    // The examples of clock.ts.
    expect(stamped([0, 3, 2, 1], 1, 5, () => true)).toEqual([0, 3, 1, 5, 2, 1]);
    expect(stamped([0, 3, 2, 1], 2, 4, (c) => c !== 0)).toEqual([2, 4]);
  });

  it("replaces the predecessor's entry on the event's own chain", () => {
    expect(stamped([0, 3, 1, 2, 4, 1], 1, 3, () => true)).toEqual([0, 3, 1, 3, 4, 1]);
    // Its own place is kept even when `keeps` would drop it.
    expect(stamped([1, 2], 1, 3, () => false)).toEqual([1, 3]);
  });

  it('asks `keeps` about each entry with its chain and time', () => {
    const asked: Array<[number, number]> = [];
    stamped([0, 3, 2, 1, 5, 7], 2, 2, (c, t) => (asked.push([c, t]), true));
    expect(asked).toEqual([
      [0, 3],
      [5, 7],
    ]);
  });
});

describe('beforeAt', () => {
  const forgotten = [0, 0, 4];
  it('is true when the clock knows the time on that chain, or a later one', () => {
    const now = [0, 3, 1, 5];
    expect(beforeAt(0, 3, now, forgotten)).toBe(true);
    expect(beforeAt(0, 2, now, forgotten)).toBe(true);
    expect(beforeAt(0, 4, now, forgotten)).toBe(false);
    expect(beforeAt(1, 6, now, forgotten)).toBe(false);
  });

  it('is true for a forgotten event, whatever the clock', () => {
    // Chain 2's events up to time 4 were forgotten when it was taken up again (chains.ts).
    expect(beforeAt(2, 4, EMPTY, forgotten)).toBe(true);
    expect(beforeAt(2, 5, EMPTY, forgotten)).toBe(false);
  });
});
