// The fix: take the connection once, before the await, and use what was taken;
// close() only marks it closed, in a step ordered after the send by a lock.
import { setTimeout as sleep } from 'node:timers/promises';

interface Connection {
  readonly id: string;
  readonly outbox: string[];
  closed: boolean;
}

class Registry {
  private readonly conns = new Map<string, Connection>();
  private tail: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => {});
    return run;
  }

  open(id: string): void {
    this.conns.set(id, { id, outbox: [], closed: false });
  }

  send(id: string, payload: object): Promise<void> {
    return this.exclusive(async () => {
      const conn = this.conns.get(id);
      if (!conn || conn.closed) throw new Error(`no connection ${id}`);
      await sleep(10); // encode and wait for the socket to drain
      conn.outbox.push(JSON.stringify(payload));
    });
  }

  close(id: string): Promise<void> {
    return this.exclusive(async () => {
      await sleep(5); // send the close frame
      this.conns.delete(id);
    });
  }
}

async function main(): Promise<void> {
  const registry = new Registry();
  registry.open('ws-1');
  const results = await Promise.allSettled([registry.send('ws-1', { price: 1999 }), registry.close('ws-1')]);
  console.log(results.map((r) => (r.status === 'rejected' ? `rejected: ${(r.reason as Error).message}` : r.status)).join(', '));
}

main();
