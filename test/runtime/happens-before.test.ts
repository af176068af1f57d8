/**
 * The program's own happens-before edges through events.ts, in-process:
 * creation, resolution, joins, acquire/release, the events after the main
 * script, and what conflicts. The programs of test/detect/happens-before.test.ts,
 * each with its unordered twin.
 */
import { describe, expect, it } from 'vitest';
import { causallyBefore, happensBefore } from '../../src/runtime/events';
import { acquire, release } from '../../src/runtime/sync';
import { Sim, type Task, type Tracked } from './sim';

/** `async function put(v) { await io(); ... }`: a task called in the running event, awaiting its I/O (`finish` goes on). */
function put(sim: Sim): Task {
  return sim.async('put', (t) => t.await(sim.ioPromise()));
}

/** Completes the I/O a task awaits and resumes it with `body`, which returns. */
function finish(sim: Sim, task: Task, body: () => void): void {
  sim.complete(task.awaiting!);
  task.resume((t) => {
    body();
    t.return();
  });
}

describe('creation and resolution', () => {
  it('orders sequential awaits in one task', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const main = sim.script(() =>
      sim.async('main', (t) => {
        m.set('k', 1, 'SET1');
        t.await(sim.sleep(2));
      }),
    );
    sim.complete(main.awaiting!);
    main.resume((t) => {
      m.set('k', (m.get('k', 'GET') as number) + 1, 'SET2');
      t.await(sim.sleep(2));
    });
    sim.complete(main.awaiting!);
    main.resume((t) => {
      expect(m.get('k', 'LOG')).toBe(2);
      t.return();
    });
    expect(sim.found()).toEqual([]);
  });

  it('reports two unordered writes of one key from concurrent tasks', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [a, b] = sim.script(() => [put(sim), put(sim)]);
    finish(sim, a!, () => m.set('k', 1, 'W'));
    finish(sim, b!, () => m.set('k', 2, 'W'));
    expect(sim.found()).toEqual([{ kind: 'order-race', current: 'W', previous: 'W', key: 'k' }]);
    expect(sim.races[0]!.current.op).toBe('write');
    expect(sim.races[0]!.previous.op).toBe('write');
  });

  it('orders a callback after the event that registered it (creation)', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [io, timer] = sim.script(() => {
      m.set('k', 1, 'W0');
      return [sim.io(), sim.timeout(1)];
    });
    // The I/O callback runs first and goes on the script's chain: the timer follows the script by its creation alone.
    sim.run(io!);
    const imm = sim.run(timer!, () => {
      m.set('k', 2, 'W');
      return sim.immediate();
    });
    sim.run(imm, () => m.get('k', 'R'));
    expect(sim.found()).toEqual([]);
  });

  it('reports a read that nothing orders after a write in another callback', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [io, timer] = sim.script(() => [sim.io(), sim.timeout(50)]);
    sim.run(io!, () => m.set('config', 'loaded', 'W'));
    sim.run(timer!, () => m.get('config', 'R'));
    expect(sim.found()).toEqual([{ kind: 'order-race', current: 'R', previous: 'W', key: 'config' }]);
  });

  it('orders a reaction after the event that resolved its promise (resolution)', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [ready, reader, timer] = sim.script(() => {
      const ready = sim.promise();
      return [ready, sim.then(ready), sim.timeout(2)];
    });
    sim.run(timer!, () => {
      m.set('config', 'loaded', 'W');
      sim.settle(ready!);
    });
    sim.run(reader!, () => m.get('config', 'R'));
    expect(sim.found()).toEqual([]);
  });

  it('does not order a reaction after a write in an event that did not resolve its promise', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [ready, reader, io, timer] = sim.script(() => {
      const ready = sim.promise();
      return [ready, sim.then(ready), sim.io(), sim.timeout(2)];
    });
    sim.run(io!, () => sim.settle(ready!));
    sim.run(timer!, () => m.set('config', 'loaded', 'W'));
    sim.run(reader!, () => m.get('config', 'R'));
    expect(sim.found()).toEqual([{ kind: 'order-race', current: 'R', previous: 'W', key: 'config' }]);
  });

  it('is causal: creation and resolution order events in both orders', () => {
    const sim = new Sim();
    const [p, reaction, timer] = sim.script(() => {
      const p = sim.promise();
      return [p, sim.then(p), sim.timeout(1)];
    });
    const settler = sim.run(timer!, () => {
      sim.settle(p!);
      return sim.here();
    });
    const after = sim.run(reaction!, () => sim.here());
    expect(happensBefore(settler, after)).toBe(true);
    expect(causallyBefore(settler, after)).toBe(true);
    expect(happensBefore(after, settler)).toBe(false);
  });
});

describe('servers', () => {
  it('orders a request on a new connection after what happened before its server listened', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const timer = sim.script(() => sim.timeout(1));
    const server = sim.run(timer, () => {
      m.set('mode', 'ready', 'W');
      return sim.io(); // http.createServer(...).listen()
    });
    sim.run(sim.accepted(server), () => m.get('mode', 'R'));
    expect(sim.found()).toEqual([]);
  });

  it('does not order a request after a write the server side never waited for', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [server, listening] = sim.script(() => {
      const server = sim.io();
      return [server, sim.then(sim.resolved())];
    });
    const timer = sim.run(listening!, () => sim.timeout(1));
    sim.run(timer, () => m.set('mode', 'late', 'W'));
    // The connection comes from outside the process: Node accepts it outside any callback.
    sim.run(sim.accepted(server!), () => m.get('mode', 'R'));
    expect(sim.found()).toEqual([{ kind: 'order-race', current: 'R', previous: 'W', key: 'mode' }]);
  });
});

describe('joins', () => {
  /** `async function load(k) { await sleep(); m.set(k, ...) }` for 'a' and 'b', and `Promise.all` of both with a reaction. */
  function loads(sim: Sim) {
    return sim.script(() => {
      const a = sim.async('load', (t) => t.await(sim.sleep(3)));
      const b = sim.async('load', (t) => t.await(sim.sleep(1)));
      const all = sim.all([a.result, b.result]);
      return { a, b, all, then: sim.then(all.result) };
    });
  }

  it('orders the result of Promise.all after every input', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const { a, b, all, then } = loads(sim);
    finish(sim, b, () => m.set('b', 1, 'W'));
    all.step(1);
    finish(sim, a, () => m.set('a', 3, 'W'));
    all.step(0);
    sim.run(then, () => {
      m.get('a', 'R');
      m.get('b', 'R');
      m.keys('ITER');
    });
    expect(sim.found()).toEqual([]);
  });

  it('reports a reader that waits for only one of two writers', () => {
    const sim = new Sim();
    const m = sim.newMap();
    // const first = load('a', 1); load('a', 2); first.then(R)
    const { first, second, then } = sim.script(() => {
      const first = put(sim);
      const second = put(sim);
      return { first, second, then: sim.then(first.result) };
    });
    finish(sim, first, () => m.set('a', 1, 'W'));
    sim.run(then, () => m.has('a', 'R'));
    finish(sim, second, () => m.set('a', 2, 'W'));
    expect(sim.found()).toEqual([
      { kind: 'order-race', current: 'W', previous: 'W', key: 'a' },
      { kind: 'order-race', current: 'W', previous: 'R', key: 'a' },
    ]);
  });

  it('joins causally: the result follows every input in the causal order too', () => {
    const sim = new Sim();
    const { a, b, all, then } = loads(sim);
    let inB = sim.here();
    finish(sim, b, () => (inB = sim.here()));
    all.step(1);
    finish(sim, a, () => undefined);
    all.step(0);
    const after = sim.run(then, () => sim.here());
    expect(causallyBefore(inB, after)).toBe(true);
  });
});

describe('acquire and release (sync.ts)', () => {
  function steps(sim: Sim, m: Tracked, locked: boolean): void {
    const lock = {};
    const [a, b] = sim.script(() => [put(sim), put(sim)]);
    for (const [task, v] of [[a!, 1], [b!, 2]] as const) {
      finish(sim, task, () => {
        if (locked) acquire(lock);
        m.set('k', v, 'W');
        if (locked) release(lock);
      });
    }
  }

  it('orders a release before the next acquire', () => {
    const sim = new Sim();
    steps(sim, sim.newMap(), true);
    expect(sim.found()).toEqual([]);
  });

  it('reports the same steps without the lock', () => {
    const sim = new Sim();
    steps(sim, sim.newMap(), false);
    expect(sim.found()).toEqual([{ kind: 'order-race', current: 'W', previous: 'W', key: 'k' }]);
  });

  it('orders nothing for an acquire before the release', () => {
    const sim = new Sim();
    const lock = {};
    const [t1, t2] = sim.script(() => [sim.io(), sim.io()]);
    const early = sim.run(t1!, () => {
      acquire(lock);
      return sim.here();
    });
    const releaser = sim.run(t2!, () => {
      release(lock);
      return sim.here();
    });
    expect(happensBefore(releaser, early)).toBe(false);
  });
});

describe('after the main script', () => {
  it("orders code outside any callback ('beforeExit') and 'exit' listeners after every event", () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [p, reaction] = sim.script(() => {
      const p = sim.ioPromise();
      return [p, sim.then(p)];
    });
    sim.complete(p!);
    sim.run(reaction!, () => m.set('phase', 'loaded', 'LOADED'));
    // Blind writes: unordered with the one before, each would be an order race at once.
    const again = sim.outside(() => {
      m.set('phase', 'exiting', 'BEFORE_EXIT');
      return sim.immediate();
    });
    sim.run(again, () => m.set('phase', 'again', 'AGAIN'));
    sim.exit(() => m.set('phase', 'exit', 'EXIT'));
    expect(sim.found()).toEqual([]);
  });

  it('ends the event that called process.exit(): its read is settled as any other', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [io, timer] = sim.script(() => [sim.io(), sim.timeout(5)]);
    sim.run(io!, () => m.set('k', 'v', 'W'));
    sim.run(timer!, () => {
      m.get('k', 'R');
      sim.exit(() => undefined);
    });
    expect(sim.found()).toEqual([{ kind: 'order-race', current: 'R', previous: 'W', key: 'k' }]);
  });
});

describe('what conflicts', () => {
  it('does not report different keys, or the same key on different collections', () => {
    const sim = new Sim();
    const a = sim.newMap();
    const b = sim.newMap();
    const [t1, t2, t3] = sim.script(() => [put(sim), put(sim), put(sim)]);
    finish(sim, t1!, () => a.set('x', 1, 'W'));
    finish(sim, t2!, () => a.set('y', 3, 'W'));
    finish(sim, t3!, () => b.set('x', 2, 'W'));
    expect(sim.found()).toEqual([]);
  });

  it('reports iteration against an insert that nothing orders', () => {
    const sim = new Sim();
    const m = sim.newMap([['a', 1]]);
    const [add, sum] = sim.script(() => [put(sim), put(sim)]);
    finish(sim, add!, () => m.set('b', 2, 'INSERT'));
    finish(sim, sum!, () => m.keys('ITER'));
    expect(sim.found()).toEqual([{ kind: 'order-race', current: 'ITER', previous: 'INSERT', key: '(keys)' }]);
  });

  it('orders iteration after an insert it awaited', () => {
    const sim = new Sim();
    const m = sim.newMap([['a', 1]]);
    const { add, sum } = sim.script(() => {
      const add = put(sim);
      return { add, sum: sim.async('sum', (t) => t.await(add.result)) };
    });
    finish(sim, add, () => m.set('b', 2, 'INSERT'));
    sum.resume((t) => {
      m.keys('ITER');
      t.return();
    });
    expect(sim.found()).toEqual([]);
  });

  it('reports size and forEach against a delete that nothing orders', () => {
    const sim = new Sim();
    const s = sim.newSet(['a', 'b']);
    const [io, t1, t2] = sim.script(() => [sim.io(), sim.timeout(50), sim.timeout(50)]);
    sim.run(io!, () => s.delete('a', 'DEL'));
    sim.run(t1!, () => s.size('SIZE'));
    sim.run(t2!, () => s.forEach(() => undefined, 'EACH'));
    expect(sim.found()).toEqual([
      { kind: 'order-race', current: 'SIZE', previous: 'DEL', key: '(keys)' },
      { kind: 'order-race', current: 'EACH', previous: 'DEL', key: '(keys)' },
    ]);
    expect(sim.races[0]!.object.type).toBe('Set');
  });

  it('tracks WeakMap and WeakSet keys', () => {
    const sim = new Sim();
    const wm = sim.newWeakMap();
    const ws = sim.newWeakSet();
    const key = {};
    const [a, b] = sim.script(() => [put(sim), put(sim)]);
    for (const [task, v] of [[a!, 1], [b!, 4]] as const) {
      finish(sim, task, () => {
        wm.set(key, v, 'SET');
        ws.add(key, 'ADD');
      });
    }
    expect(sim.races.map((r) => r.object.type).sort()).toEqual(['WeakMap', 'WeakSet']);
    expect(sim.found().map((f) => [f.current, f.previous, f.key === key])).toEqual([
      ['SET', 'SET', true],
      ['ADD', 'ADD', true],
    ]);
  });

  it('reports one race per pair of access sites, however often it happens', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const tasks = sim.script(() => Array.from({ length: 20 }, () => put(sim)));
    tasks.forEach((task, i) => finish(sim, task, () => m.set(`k${i % 5}`, 1, 'PUT')));
    expect(sim.found()).toEqual([{ kind: 'order-race', current: 'PUT', previous: 'PUT', key: 'k0' }]);
  });
});

describe('known gaps (reported by the real CLI too)', () => {
  // A callback run nested inside another (AsyncResource#runInAsyncScope, EventEmitterAsyncResource#emit)
  // is its own event, but the outer callback's code before and after it is one event with a clock fixed
  // when it entered: neither side is ordered with the nested run, which happened in between, in program order.
  it.fails('orders a nested callback with the code of the outer callback after it', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const io = sim.script(() => sim.io());
    sim.run(io, () => {
      const emitter = sim.io(); // new EventEmitterAsyncResource()
      sim.run(emitter, () => m.set('k', 'v', 'W')); // emit('ready'): the listener runs nested
      m.get('k', 'R');
    });
    expect(sim.found()).toEqual([]);
  });

  it.fails('orders a nested callback after the code of the outer callback before it', () => {
    const sim = new Sim();
    const m = sim.newMap();
    const [io, emitter] = sim.script(() => [sim.io(), sim.io()]);
    sim.run(io!, () => {
      m.set('k', 'v', 'W');
      sim.run(emitter!, () => m.get('k', 'R'));
    });
    expect(sim.found()).toEqual([]);
  });
});
