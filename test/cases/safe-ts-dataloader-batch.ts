// expect: none
// run: node --import tsx {file}
// why: load() gets or creates the key's batch entry in one event and the batch is dispatched from a
// why: nextTick queued by that event: it copies and clears the queue in one event, before any timer.
import { setTimeout as sleep } from 'node:timers/promises';

interface User {
  readonly id: string;
  readonly name: string;
}

type BatchFn<K, V> = (keys: readonly K[]) => Promise<Map<K, V>>;

class DataLoader<K, V> {
  private queue = new Map<K, { promise: Promise<V>; resolve: (v: V) => void; reject: (e: unknown) => void }>();
  private scheduled = false;

  constructor(private readonly batch: BatchFn<K, V>) {}

  load(key: K): Promise<V> {
    let entry = this.queue.get(key);
    if (!entry) {
      let resolve!: (v: V) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<V>((res, rej) => { resolve = res; reject = rej; });
      entry = { promise, resolve, reject };
      this.queue.set(key, entry);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => this.dispatch());
    }
    return entry.promise;
  }

  private dispatch(): void {
    const entries = [...this.queue];
    this.queue.clear();
    this.scheduled = false;
    this.batch(entries.map(([key]) => key)).then(
      (values) => { for (const [key, e] of entries) e.resolve(values.get(key) as V); },
      (err: unknown) => { for (const [, e] of entries) e.reject(err); },
    );
  }
}

let roundTrips = 0;
const userLoader = new DataLoader<string, User>(async (ids) => {
  roundTrips++;
  await sleep(10); // SELECT * FROM users WHERE id IN (...)
  return new Map(ids.map((id) => [id, { id, name: id.toUpperCase() }]));
});

async function resolveComments(authorIds: string[]): Promise<string[]> {
  const authors = await Promise.all(authorIds.map((id) => userLoader.load(id)));
  return authors.map((a) => a.name);
}

async function main(): Promise<void> {
  const first = await resolveComments(['u1', 'u2', 'u1', 'u3']);
  await sleep(1);
  const second = await resolveComments(['u2', 'u4']);
  console.log(`${first.join(',')} | ${second.join(',')} | ${roundTrips} round trips`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
