/**
 * Shadow state (src/runtime/shadow-state.ts): a collection keeps the state of
 * its keys and of the latest ABSENT_KEPT primitive keys found absent, so that
 * one whose keys come and go does not keep state for every key it ever saw.
 */
import { describe, expect, it } from 'vitest';
import { ABSENT_KEPT, Shadow } from '../../src/runtime/shadow-state';
import { Sim } from './sim';

const has = (o: object, k: unknown): boolean => (o as Map<unknown, unknown>).has(k);

/** Notes `n` other primitive keys absent, each once. */
function missOthers(s: Shadow, coll: Map<unknown, unknown>, n: number): void {
  for (let i = 0; i < n; i++) s.noteAbsent(`other${i}`, s.key(`other${i}`), coll, has);
}

describe('the absent-key ring', () => {
  it('forgets a key found absent ABSENT_KEPT findings ago, not one found absent since', () => {
    const s = new Shadow('Map');
    const coll = new Map();
    const old = s.key('old');
    s.noteAbsent('old', old, coll, has);
    missOthers(s, coll, ABSENT_KEPT - 1);
    // Still within the ring.
    expect(s.key('old')).toBe(old);
    s.noteAbsent('x', s.key('x'), coll, has);
    expect(s.key('old')).not.toBe(old);
  });

  it('keeps a key found absent again since', () => {
    const s = new Shadow('Map');
    const coll = new Map();
    const again = s.key('again');
    s.noteAbsent('again', again, coll, has);
    missOthers(s, coll, ABSENT_KEPT - 2);
    s.noteAbsent('again', again, coll, has);
    missOthers(s, coll, 10);
    expect(s.key('again')).toBe(again);
  });

  // Found absent again exactly ABSENT_KEPT findings later, the key's own slot comes up: its state is
  // dropped from the shadow while the access being recorded holds it, so that access is lost. Left as
  // found (an off-by-one at the ring's edge); drop `.fails` once noteAbsent skips the key it notes.
  it.fails('keeps a key found absent again exactly ABSENT_KEPT findings later', () => {
    const s = new Shadow('Map');
    const coll = new Map();
    const again = s.key('again');
    s.noteAbsent('again', again, coll, has);
    missOthers(s, coll, ABSENT_KEPT - 1);
    s.noteAbsent('again', again, coll, has);
    expect(s.key('again')).toBe(again);
  });

  it('keeps a key that is back in the collection (present keys are never forgotten)', () => {
    const s = new Shadow('Map');
    const coll = new Map();
    const back = s.key('back');
    s.noteAbsent('back', back, coll, has);
    coll.set('back', 1);
    missOthers(s, coll, ABSENT_KEPT + 10);
    expect(s.key('back')).toBe(back);
  });

  it('forgets the key asked for last too (its cached state)', () => {
    const s = new Shadow('Map');
    const coll = new Map();
    const old = s.key('old');
    s.noteAbsent('old', old, coll, has);
    missOthers(s, coll, ABSENT_KEPT - 1);
    const last = s.key('last');
    // 'old' is now the key asked for last: the next finding drops its state, cached or not.
    expect(s.key('old')).toBe(old);
    s.noteAbsent('last', last, coll, has);
    expect(s.key('old')).not.toBe(old);
  });

  it('holds object keys weakly instead: they never enter the ring', () => {
    const s = new Shadow('Map');
    const coll = new Map();
    const key = {};
    const ks = s.key(key);
    s.noteAbsent(key, ks, coll, has);
    missOthers(s, coll, ABSENT_KEPT + 10);
    expect(s.key(key)).toBe(ks);
  });
});

describe('through detection', () => {
  /** A delete in one callback, `others` misses of other keys after it, and a read of the deleted key in an unordered callback. */
  function deleteThenRead(others: number): Sim {
    const sim = new Sim();
    const m = sim.newMap([['s', 1]]);
    const [io1, io2] = sim.script(() => [sim.io(), sim.io()]);
    sim.run(io1!, () => {
      m.delete('s', 'DEL');
      for (let i = 0; i < others; i++) m.get(`other${i}`, 'MISS');
    });
    sim.run(io2!, () => m.get('s', 'R'));
    return sim;
  }

  it('reports a race on a key found absent recently', () => {
    expect(deleteThenRead(ABSENT_KEPT - 1).found()).toEqual([{ kind: 'order-race', current: 'R', previous: 'DEL', key: 's' }]);
  });

  it('misses a race on a key gone ABSENT_KEPT findings ago, as Go forgets old accesses', () => {
    expect(deleteThenRead(ABSENT_KEPT).found()).toEqual([]);
  });
});
