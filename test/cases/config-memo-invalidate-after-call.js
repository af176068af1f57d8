// expect: race
// why: ConfigClient.get checks its memo, awaits a revalidation, then reads the memo again; the caller
// why: calls invalidateAll() right after starting get() (no await), so the clear lands between the two.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

class ConfigClient {
  constructor(fetchRemote) {
    this.fetchRemote = fetchRemote;
    this.memo = new Map();
    this.revalidations = 0;
  }

  async get(name) {
    if (this.memo.has(name)) { // RACE
      await this.revalidate(name);
      const entry = this.memo.get(name); // RACE
      return entry ? entry.value : `(evicted ${name})`;
    }
    const value = await this.fetchRemote(name);
    this.memo.set(name, { value, at: Date.now() });
    return value;
  }

  async revalidate(name) {
    this.revalidations++;
    await sleep(5); // conditional GET: 304 Not Modified
    return name;
  }

  invalidateAll() {
    this.memo.clear(); // RACE
  }
}

async function main() {
  const client = new ConfigClient(async (name) => {
    await sleep(2);
    return name === 'region' ? 'eu-west-1' : 'unknown';
  });
  console.log('first:', await client.get('region'));
  // A deploy hook reads the config and then drops every memo for the next request.
  const pending = client.get('region');
  client.invalidateAll();
  console.log('second:', await pending);
}

main();
