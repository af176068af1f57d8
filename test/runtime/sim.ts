/**
 * A simulation harness for the detection core: drives events.ts the way
 * node-hooks.ts does (a source made, a callback entered and left, a promise
 * settled) and makes collection calls through the real tracked entries, in
 * the test's own process. Node's hooks are never started: the vitest worker's
 * own promises and timers do not reach the detector, and a test decides alone
 * which callbacks run, and in which order.
 *
 * A test is a script and the callbacks it schedules, run one by one in an
 * order Node could take:
 *
 *   const sim = new Sim();
 *   const m = sim.newMap();
 *   const [w, r] = sim.script(() => [sim.io(), sim.timeout(30)]);
 *   sim.run(w, () => m.set('k', 1, 'W'));
 *   sim.run(r, () => m.get('k', 'R'));
 *   expect(sim.found()).toEqual([{ kind: 'order-race', current: 'R', previous: 'W', key: 'k' }]);
 *
 * An async function is a Task: its first part runs in the event that calls
 * it, and each resumption after an await is an event of its own:
 *
 *   const load = () => sim.async('load', (t) => (m.has('a', 'CHECK') ? t.return() : t.await(sim.ioPromise())));
 *   const [a, b] = sim.script(() => [load(), load()]);
 *   a.complete(); // the I/O callback that settles what `a` awaits
 *   a.resume((t) => { m.set('a', 1, 'ACT'); t.return(); });
 *
 * A pitfall when testing an edge: the first callback to follow its creator
 * extends the creator's chain (chains.ts), and so follows it whatever clock
 * the source carries. To see that a clock carries an edge, let another
 * callback of the same creator run first.
 *
 * Sites are named by the test ('W', 'R'); each Sim gives its names fresh ids,
 * so the detector's once-per-pair-of-sites dedup and its memory of
 * get-or-create sites never carry over from another test.
 */
import { configureDetector } from '../../src/runtime/detector';
import {
  asked,
  currentEvent,
  enter,
  enterExit,
  leave,
  outsideEvents,
  promiseMade,
  resourceMade,
  resourceMadeFor,
  settled,
  type Ev,
  type Source,
} from '../../src/runtime/events';
import { KEY_IN } from '../../src/runtime/api';
import { chooseCall, chooseLateCall, lateHook, readSize } from '../../src/runtime/collections';
import { iterate } from '../../src/runtime/iterate';
import { promiseSource } from '../../src/runtime/node-hooks';
import { enterFunction, leaveFunction, resume, suspend, type Cell } from '../../src/runtime/shadow-stack';
import type { RaceKind, RawRace } from '../../src/runtime/race';

// Were Node's hooks on in this worker, every promise would get a source: then nothing here could be trusted.
if (promiseSource(Promise.resolve()) !== undefined) throw new Error('Node hooks are tracking this process: the simulation needs them off');

/** Site ids handed out in this worker: every Sim takes fresh ones. */
let nextSite = 1;

/** A race as a test states it: its kind, the names of its sites, the key (`'(keys)'` for the key set). */
export interface Found {
  kind: RaceKind;
  current: string;
  previous: string;
  between?: string;
  key: unknown;
}

export interface SimOptions {
  strict?: boolean;
  history?: number;
}

export class Sim {
  /** The races the detector handed on, as it handed them. */
  readonly races: RawRace[] = [];
  private readonly ids = new Map<string, number>();
  private readonly names = new Map<number, string>();
  /** The source whose callback settles each promise made by `settledBy`. */
  private readonly settlers = new Map<Source, Source>();

  constructor(options: SimOptions = {}) {
    configureDetector({ strict: options.strict ?? false, history: options.history ?? 8, onRace: (r) => this.races.push(r) });
  }

  /** The id of the site named `name` in this test. */
  site(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = nextSite++;
      this.ids.set(name, id);
      this.names.set(id, name);
    }
    return id;
  }

  /** The races found so far, by site names. */
  found(): Found[] {
    const name = (site: number) => this.names.get(site) ?? `#${site}`;
    return this.races.map((r) => ({
      kind: r.kind,
      current: name(r.current.site),
      previous: name(r.previous.site),
      ...(r.interleaved ? { between: name(r.interleaved.site) } : {}),
      key: r.object.keySet ? '(keys)' : r.object.key,
    }));
  }

  // ---- Events -------------------------------------------------------------

  /** A main script: an event after nothing (so unordered with every earlier test's). */
  script<T>(body: () => T): T {
    return this.event(undefined, body);
  }

  /** Runs a callback of `src` as an event: at top level (the event loop runs it) or nested in the running one. */
  run<T>(src: Source, body?: () => T): T {
    return this.event(src, body ?? (() => undefined as T));
  }

  private event<T>(src: Source | undefined, body: () => T): T {
    enter(src);
    try {
      return body();
    } finally {
      leave();
    }
  }

  /** The running event, which checks may then ask about (see events.ts `asked`): for direct happensBefore questions. */
  here(): Ev {
    const ev = currentEvent();
    asked(ev);
    return ev;
  }

  /** Code that runs outside any callback once the script is over ('beforeExit' listeners): after every event so far. */
  outside<T>(body: () => T): T {
    if (!outsideEvents()) throw new Error('outside(): a callback is running');
    return body();
  }

  /** process.exit(): the event running ends, and what runs now ('exit' listeners) comes after every event. */
  exit<T>(body: () => T): T {
    enterExit();
    return body();
  }

  // ---- Sources made in the running event ----------------------------------

  /** process.nextTick(f) */
  tick(): Source {
    return resourceMade('tick');
  }

  /** setTimeout(f, delay); run the same source again for the next run of a setInterval. */
  timeout(delay = 1): Source {
    return resourceMade('timeout', delay);
  }

  /** setImmediate(f) */
  immediate(): Source {
    return resourceMade('immediate');
  }

  /** An I/O request (fs.readFile(p, f), a socket, a server): its callbacks run from the event loop. */
  io(): Source {
    return resourceMade('other');
  }

  /** A connection Node accepts outside any callback for `server`: after the event that made the server, and nothing else. */
  accepted(server: Source): Source {
    return resourceMadeFor('other', server);
  }

  /** A promise (new Promise, an async function's result); `parent` for a reaction (then, await) of that promise. */
  promise(parent: Source | null = null): Source {
    return promiseMade(parent);
  }

  /** `p.then(f)`: a reaction of `p`, which runs once `p` settled. */
  then(p: Source): Source {
    return promiseMade(p);
  }

  /** The promise settles in the running event: its reactions (and a join's result) follow it. */
  settle(p: Source): void {
    settled(p);
  }

  /** Promise.resolve(): a promise settled now. */
  resolved(): Source {
    const p = promiseMade(null);
    settled(p);
    return p;
  }

  /** A promise that the callback of `src` settles (`new Promise((r) => setTimeout(r))`): `complete` runs it. */
  settledBy(src: Source): Source {
    const p = promiseMade(null);
    this.settlers.set(p, src);
    return p;
  }

  /** fs.promises.readFile(): a promise settled by an I/O callback of its own. */
  ioPromise(): Source {
    return this.settledBy(this.io());
  }

  /** sleep(delay): a promise settled by a timer. */
  sleep(delay = 1): Source {
    return this.settledBy(this.timeout(delay));
  }

  /** Runs the callback that settles `p` (made by `settledBy`, `ioPromise` or `sleep`). */
  complete(p: Source): void {
    const src = this.settlers.get(p);
    if (!src) throw new Error('complete(): not a promise made by settledBy');
    this.run(src, () => settled(p));
  }

  /**
   * Promise.all(inputs) / allSettled: the result, and the reaction Promise.all
   * puts on each input (node-hooks.ts `joinPromise` records both). Run each
   * step with `join.step(i)` once its input settled.
   */
  all(inputs: Source[]): Join {
    const result = promiseMade(null);
    const steps = inputs.map((p) => promiseMade(p));
    result.inputs = inputs.map((input, i) => ({ input, reaction: steps[i]! }));
    return new Join(this, result, steps);
  }

  // ---- Activations (the shadow stack that instrumented functions keep) ----

  /** A synchronous instrumented function called in the running event: its frame is current while `body` runs. */
  call<T>(name: string, body: () => T): T {
    const frame = enterFunction(this.site(`fn:${name}`));
    try {
      return body();
    } finally {
      leaveFunction(frame);
    }
  }

  /**
   * An instrumented async function called in the running event: `body` runs
   * its first part and must end with `task.await(p)` or `task.return()`.
   */
  async(name: string, body: (task: Task) => void): Task {
    // V8 makes the result promise before the body runs: in the caller's frame.
    const result = promiseMade(null);
    const task = new Task(this, enterFunction(this.site(`fn:${name}`)), result);
    task.step(body);
    return task;
  }

  // ---- Collections through the tracked entries ----------------------------

  newMap(entries?: Iterable<[unknown, unknown]>): Tracked {
    return new Tracked(this, new Map(entries));
  }

  newSet(values?: Iterable<unknown>): Tracked {
    return new Tracked(this, new Set(values));
  }

  newWeakMap(): Tracked {
    return new Tracked(this, new WeakMap());
  }

  newWeakSet(): Tracked {
    return new Tracked(this, new WeakSet());
  }
}

/** A Promise.all result and its steps: the step that runs last settles the result. */
export class Join {
  private left: number;
  constructor(
    private readonly sim: Sim,
    readonly result: Source,
    readonly steps: Source[],
  ) {
    this.left = steps.length;
  }

  /** Runs the step that takes input `i`'s result. */
  step(i: number): void {
    this.sim.run(this.steps[i]!, () => {
      if (--this.left === 0) settled(this.result);
    });
  }
}

/** An async function activation: awaits, resumes and returns as instrumented code does. */
export class Task {
  /** The reaction its latest await made: the event that resumes it. */
  private reaction: Source | null = null;
  /** The promise its latest await waits for. */
  awaiting: Source | null = null;
  private state: 'running' | 'suspended' | 'done' = 'running';

  constructor(
    private readonly sim: Sim,
    readonly frame: Cell,
    /** The promise the call returned. */
    readonly result: Source,
  ) {}

  /** `await p`: the activation suspends (`sus`), and the reaction is made in its caller's frame, as V8 does. */
  await(p: Source): Source {
    this.expect('running', 'await');
    suspend(undefined, this.frame);
    this.awaiting = p;
    this.reaction = promiseMade(p);
    this.state = 'suspended';
    return this.reaction;
  }

  /** Runs the callback that settles the promise it awaits (made by `settledBy`, `ioPromise` or `sleep`). */
  complete(): void {
    this.expect('suspended', 'complete');
    this.sim.complete(this.awaiting!);
  }

  /** Runs the event that resumes it after its await (`res`); `body` ends with another await or a return. */
  resume(body: (task: Task) => void): void {
    this.expect('suspended', 'resume');
    this.sim.run(this.reaction!, () => {
      resume(undefined, this.frame);
      this.state = 'running';
      this.step(body);
    });
  }

  /** The function returns: its frame is popped and its result settles in the running event. */
  return(): void {
    this.expect('running', 'return');
    leaveFunction(this.frame);
    settled(this.result);
    this.state = 'done';
  }

  /** Runs one part of the body, which must leave the activation suspended or done. */
  step(body: (task: Task) => void): void {
    body(this);
    if (this.state === 'running') throw new Error('an async function part must end with task.await(p) or task.return()');
  }

  private expect(state: Task['state'], what: string): void {
    if (this.state !== state) throw new Error(`${what}() on a task that is ${this.state}`);
  }
}

type AnyCollection = Map<unknown, unknown> | Set<unknown> | WeakMap<object, unknown> | WeakSet<object>;
type Method = (...args: unknown[]) => unknown;

/**
 * A real Map, Set, WeakMap or WeakSet whose calls go through the entries that
 * generated code calls (collections.ts), in the shapes of api.ts's table; the
 * last argument names the site.
 */
export class Tracked {
  constructor(
    private readonly sim: Sim,
    readonly o: AnyCollection,
  ) {}

  private method(name: string): Method {
    return (this.o as unknown as Record<string, Method>)[name]!;
  }

  /** `R.m(a)`: `_ar.t(S, o, f)(f, o, a)` */
  private call(at: string, name: string, ...args: unknown[]): unknown {
    const f = this.method(name);
    return chooseCall(this.sim.site(at), this.o, f)(f, this.o, ...args);
  }

  /** `R.set(key, v)` / `R.add(key)`: through the late hook, `_ar.tl(S, o, f)(f, o, key, _ar.k(S, f, o, v, 1, key))` */
  private late(at: string, name: string, key: unknown, value?: unknown): unknown {
    const f = this.method(name);
    const site = this.sim.site(at);
    const chosen = chooseLateCall(site, this.o, f);
    return name === 'add'
      ? chosen(f, this.o, lateHook(site, f, this.o, key, KEY_IN.last))
      : chosen(f, this.o, key, lateHook(site, f, this.o, value, KEY_IN.key, key));
  }

  get(key: unknown, at: string): unknown {
    return this.call(at, 'get', key);
  }

  has(key: unknown, at: string): boolean {
    return this.call(at, 'has', key) as boolean;
  }

  set(key: unknown, value: unknown, at: string): unknown {
    return this.late(at, 'set', key, value);
  }

  add(key: unknown, at: string): unknown {
    return this.late(at, 'add', key);
  }

  delete(key: unknown, at: string): boolean {
    return this.call(at, 'delete', key) as boolean;
  }

  clear(at: string): void {
    this.call(at, 'clear');
  }

  /** `[...R.keys()]`: one read of the key set (the steps of the spread are not tracked here). */
  keys(at: string): unknown[] {
    return Array.from(this.call(at, 'keys') as Iterable<unknown>);
  }

  /** `R.forEach(f)`: a read of the key set when the call is made. */
  forEach(f: (v: unknown, key: unknown) => void, at: string): void {
    this.call(at, 'forEach', f);
  }

  /** `for (x of R)`: each step reads the key set, in whatever event it runs (`iter`). */
  iterate(at: string): Iterator<unknown> {
    return (iterate(this.sim.site(at), this.o) as Iterable<unknown>)[Symbol.iterator]();
  }

  /** `R.size`: `_ar.size(S, o, o.size)` */
  size(at: string): number {
    return readSize(this.sim.site(at), this.o, (this.o as Map<unknown, unknown>).size) as number;
  }
}
