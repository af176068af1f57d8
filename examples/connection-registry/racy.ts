// A connection registry: send() checks the connection, awaits the encoder, then uses
// it; close() removes it during that await, and the send throws.
import { setTimeout as sleep } from 'node:timers/promises';

interface Connection {
  readonly id: string;
  readonly outbox: string[];
}

class Registry {
  private readonly conns = new Map<string, Connection>();

  open(id: string): void {
    this.conns.set(id, { id, outbox: [] });
  }

  async send(id: string, payload: object): Promise<void> {
    if (!this.conns.has(id)) throw new Error(`no connection ${id}`);
    await sleep(10); // encode and wait for the socket to drain
    this.conns.get(id)!.outbox.push(JSON.stringify(payload));
  }

  async close(id: string): Promise<void> {
    await sleep(5); // send the close frame
    this.conns.delete(id);
  }
}

async function main(): Promise<void> {
  const registry = new Registry();
  registry.open('ws-1');
  const results = await Promise.allSettled([registry.send('ws-1', { price: 1999 }), registry.close('ws-1')]);
  console.log(results.map((r) => (r.status === 'rejected' ? `rejected: ${(r.reason as Error).message}` : r.status)).join(', '));
}

main();
