/**
 * Node's ordering guarantees as happens-before, through events.ts
 * (docs/semantics.md, queue-order edges), in-process: the programs of
 * test/detect/queue-order.test.ts, one pair per rule. One callback writes a
 * key blindly ('W'), another reads it and uses the value ('R'): an order
 * race unless something orders them. Callbacks run in an order Node could
 * take; the ordered program gives no report, its twin gives one at W and R.
 */
import { describe, expect, it } from 'vitest';
import { happensBefore, causallyBefore } from '../../src/runtime/events';
import type { Source } from '../../src/runtime/events';
import { Sim } from './sim';

/** A Sim and its Map, with the writer and the reader of key 'k'. */
function setup() {
  const sim = new Sim();
  const m = sim.newMap();
  return { sim, m, w: () => m.set('k', 'v', 'W'), r: () => m.get('k', 'R') };
}

const RACE = [{ kind: 'order-race', current: 'R', previous: 'W', key: 'k' }];

describe('nextTick FIFO', () => {
  it('orders ticks queued in order by one event', () => {
    const { sim, w, r } = setup();
    const [t1, t2] = sim.script(() => [sim.tick(), sim.tick()]);
    sim.run(t1!, w);
    sim.run(t2!, r);
    expect(sim.found()).toEqual([]);
  });

  it('orders ticks queued by two events of one microtask drain, in the order those ran', () => {
    const { sim, w, r } = setup();
    // Promise.resolve().then(() => process.nextTick(W)); Promise.resolve().then(() => process.nextTick(R))
    const [r1, r2] = sim.script(() => [sim.then(sim.resolved()), sim.then(sim.resolved())]);
    const t1 = sim.run(r1!, () => sim.tick());
    const t2 = sim.run(r2!, () => sim.tick());
    sim.run(t1, w);
    sim.run(t2, r);
    expect(sim.found()).toEqual([]);
  });

  it('does not order ticks queued by independent I/O callbacks', () => {
    const { sim, w, r } = setup();
    const [io1, io2] = sim.script(() => [sim.io(), sim.io()]);
    const t1 = sim.run(io1!, () => sim.tick());
    sim.run(t1, w);
    const t2 = sim.run(io2!, () => sim.tick());
    sim.run(t2, r);
    expect(sim.found()).toEqual(RACE);
  });

});

describe('queue orders are not causal', () => {
  // Each edge orders the two runs in the full order only: the program did not ask for it (fork-join
  // and the atomicity checks ask the causal order).
  const pairs: Record<string, (sim: Sim) => [Source, Source]> = {
    'nextTick FIFO': (sim) => sim.script(() => [sim.tick(), sim.tick()]),
    'immediates FIFO': (sim) => sim.script(() => [sim.immediate(), sim.immediate()]),
    'timers FIFO': (sim) => sim.script(() => [sim.timeout(1), sim.timeout(5)]),
    'reactions of one promise': (sim) =>
      sim.script(() => {
        const p = sim.resolved();
        return [sim.then(p), sim.then(p)];
      }),
    'a microtask before an immediate': (sim) => sim.script(() => [sim.then(sim.resolved()), sim.immediate()]),
  };
  for (const [rule, make] of Object.entries(pairs)) {
    it(rule, () => {
      const sim = new Sim();
      const [first, second] = make(sim);
      const e1 = sim.run(first, () => sim.here());
      const e2 = sim.run(second, () => sim.here());
      expect(happensBefore(e1, e2)).toBe(true);
      expect(causallyBefore(e1, e2)).toBe(false);
    });
  }
});

describe('microtasks before the macrotasks of the same event', () => {
  it('runs reactions queued in an event before its timers and immediates', () => {
    const { sim, m, w } = setup();
    const [reaction, imm, timer] = sim.script(() => [sim.then(sim.resolved()), sim.immediate(), sim.timeout(0)]);
    sim.run(reaction!, w);
    sim.run(imm!, () => m.get('k', 'R'));
    sim.run(timer!, () => m.get('k', 'R2'));
    expect(sim.found()).toEqual([]);
  });

  it('runs ticks and reactions queued in an event before the I/O callbacks it started', () => {
    const { sim, m, w } = setup();
    // fs.readFile(R); Promise.resolve().then(W); process.nextTick(W2); fs.stat(R2)
    const [io1, reaction, tick, io2] = sim.script(() => [sim.io(), sim.then(sim.resolved()), sim.tick(), sim.io()]);
    sim.run(tick!, () => m.set('j', 'w', 'W2'));
    sim.run(reaction!, w);
    sim.run(io2!, () => m.get('j', 'R2'));
    sim.run(io1!, () => m.get('k', 'R'));
    expect(sim.found()).toEqual([]);
  });

  it('does not order a reaction queued in another event before an immediate', () => {
    const { sim, w, r } = setup();
    const [io, timer] = sim.script(() => [sim.io(), sim.timeout(20)]);
    const reaction = sim.run(io!, () => sim.then(sim.resolved()));
    sim.run(reaction, w);
    const imm = sim.run(timer!, () => sim.immediate());
    sim.run(imm, r);
    expect(sim.found()).toEqual(RACE);
  });
});

describe('immediates FIFO', () => {
  it('keeps immediates of one event in order', () => {
    const { sim, w, r } = setup();
    const [i1, i2] = sim.script(() => [sim.immediate(), sim.immediate()]);
    sim.run(i1!, w);
    sim.run(i2!, r);
    expect(sim.found()).toEqual([]);
  });

  it('does not order immediates queued by independent I/O callbacks', () => {
    const { sim, w, r } = setup();
    const [io1, io2] = sim.script(() => [sim.io(), sim.io()]);
    const i1 = sim.run(io1!, () => sim.immediate());
    const i2 = sim.run(io2!, () => sim.immediate());
    sim.run(i1, w);
    sim.run(i2, r);
    expect(sim.found()).toEqual(RACE);
  });
});

describe('timers FIFO', () => {
  function timers(d1: number, d2: number): Sim {
    const { sim, w, r } = setup();
    const [t1, t2] = sim.script(() => [sim.timeout(d1), sim.timeout(d2)]);
    sim.run(t1!, w);
    sim.run(t2!, r);
    return sim;
  }

  it('keeps timers of one event in order when the earlier delay is not longer', () => {
    expect(timers(1, 5).found()).toEqual([]);
    expect(timers(5, 5).found()).toEqual([]);
  });

  it('does not order them when the earlier delay is longer (the first can fire first only if the script ran long)', () => {
    expect(timers(5, 1).found()).toEqual(RACE);
  });

  it('does not order timers registered in different events', () => {
    const { sim, w, r } = setup();
    const [t1, io] = sim.script(() => [sim.timeout(1), sim.io()]);
    sim.run(t1!, w);
    const t2 = sim.run(io!, () => sim.timeout(30));
    sim.run(t2, r);
    expect(sim.found()).toEqual(RACE);
  });

  it('does not order setTimeout(f, 0) against setImmediate(g) from the main module', () => {
    const { sim, w, r } = setup();
    const [timer, imm] = sim.script(() => [sim.timeout(0), sim.immediate()]);
    sim.run(timer!, w);
    sim.run(imm!, r);
    expect(sim.found()).toEqual(RACE);
  });
});

describe('intervals', () => {
  it('orders successive runs of one interval', () => {
    const { sim, w, r } = setup();
    const interval = sim.script(() => sim.timeout(1));
    sim.run(interval, w);
    sim.run(interval, r);
    expect(sim.found()).toEqual([]);
  });

  it('does not order runs of two intervals', () => {
    const { sim, w, r } = setup();
    const [a, io] = sim.script(() => [sim.timeout(1), sim.io()]);
    sim.run(a!, w);
    const b = sim.run(io!, () => sim.timeout(20));
    sim.run(b, r);
    expect(sim.found()).toEqual(RACE);
  });
});

describe('reactions of one promise', () => {
  it('runs them in the order they were registered', () => {
    const { sim, w, r } = setup();
    const [p, first, second] = sim.script(() => {
      const p = sim.ioPromise();
      return [p, sim.then(p), sim.then(p)];
    });
    sim.complete(p!);
    sim.run(first!, w);
    sim.run(second!, r);
    expect(sim.found()).toEqual([]);
  });

  it('orders an await of a promise after the reactions registered on it before (p.then(cleanup); await p)', () => {
    const { sim, m, w } = setup();
    const [p, cleanup, task] = sim.script(() => {
      const p = sim.ioPromise();
      const cleanup = sim.then(p);
      return [p, cleanup, sim.async('use', (t) => t.await(p))] as const;
    });
    sim.complete(p);
    sim.run(cleanup, w);
    task.resume((t) => {
      m.get('k', 'R');
      t.return();
    });
    expect(sim.found()).toEqual([]);
  });

  it('does not order reactions of two promises settled by independent I/O', () => {
    const { sim, w, r } = setup();
    const [p, q, onP, onQ] = sim.script(() => {
      const p = sim.ioPromise();
      const q = sim.ioPromise();
      return [p, q, sim.then(p), sim.then(q)];
    });
    sim.complete(p!);
    sim.run(onP!, w);
    sim.complete(q!);
    sim.run(onQ!, r);
    expect(sim.found()).toEqual(RACE);
  });

  it('does not order the branches of Promise.race', () => {
    const { sim, w, r } = setup();
    // const slow = readFile().then(W); Promise.race([slow, stat()]).then(() => setTimeout(R, 20))
    const s = sim.script(() => {
      const read = sim.ioPromise();
      const slow = sim.then(read);
      const fast = sim.ioPromise();
      const result = sim.promise();
      const steps = [sim.then(slow), sim.then(fast)];
      return { read, slow, fast, result, steps, after: sim.then(result) };
    });
    sim.complete(s.fast);
    sim.run(s.steps[1]!, () => sim.settle(s.result));
    const timer = sim.run(s.after, () => sim.timeout(20));
    sim.complete(s.read);
    sim.run(s.slow, w);
    sim.run(s.steps[0]!);
    sim.run(timer, r);
    expect(sim.found()).toEqual(RACE);
  });
});

describe('events are atomic', () => {
  it('orders listeners of a synchronous emit within the emitting event', () => {
    const { sim, w, r } = setup();
    const io = sim.script(() => sim.io());
    sim.run(io, () => {
      sim.call('listener', w);
      r();
    });
    expect(sim.found()).toEqual([]);
  });
});
